"""The one colour ramp for attention weights, used by every picture of them.

A weight looks the same colour in a matplotlib figure
(:func:`attn_book.plots.show_heatmaps`), in a widget's Pillow image
(:mod:`attn_book.heatmap_png`) and in the kernel-free explorer in the browser
(:mod:`attn_book.explorer`, which receives :func:`browser_ramp` in its JSON
data and carries no colours of its own), and the number written on a cell
takes the same text colour in all three.

- :data:`WEIGHT_CMAP`: the ramp (viridis: perceptually uniform, readable in
  grey and by most colour-blind readers, on light and dark pages);
- :func:`ramp`: its :data:`STEPS` colours as RGB bytes;
- :func:`ramp_index`: which of them a value gets;
- :func:`text_is_dark`: whether text on a colour should be dark (black) or light (white).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import matplotlib
import numpy as np

#: The colour ramp of attention weights (a matplotlib colormap name).
WEIGHT_CMAP: str = "viridis"
#: Number of colours in a ramp (as matplotlib's own lookup tables).
STEPS: int = 256
#: Text on a background brighter than this (luma, 0-255) is black, else white.
_LIGHT_BACKGROUND = 140.0
_LUMA = np.array([0.2126, 0.7152, 0.0722])


@cache
def ramp(cmap: str = WEIGHT_CMAP) -> np.ndarray:
    """The :data:`STEPS` colours of a matplotlib colormap, low to high.

    Parameters
    ----------
    cmap : str, default WEIGHT_CMAP
        A matplotlib colormap name (other ramps, e.g. ``"RdBu_r"`` for signed
        values, are drawn the same way).

    Returns
    -------
    ndarray of uint8, shape (STEPS, 3), read-only
        RGB of each step.

    Raises
    ------
    ValueError
        If matplotlib has no colormap of that name.

    Examples
    --------
    >>> ramp()[[0, -1]].tolist()  # viridis: dark purple to yellow
    [[68, 1, 84], [253, 231, 37]]
    """
    try:
        colormap = matplotlib.colormaps[cmap]
    except KeyError:
        raise ValueError(f"cmap must be a matplotlib colormap name, got {cmap!r}") from None
    rgb = np.rint(colormap(np.linspace(0.0, 1.0, STEPS))[:, :3] * 255).astype(np.uint8)
    rgb.setflags(write=False)
    return rgb


def ramp_index(values: Any, vmin: float = 0.0, vmax: float = 1.0) -> np.ndarray:
    """The ramp step of each value, chosen as matplotlib chooses it.

    ``(value - vmin) / (vmax - vmin)`` is cut into :data:`STEPS` equal bins
    (``floor(t * STEPS)``, with ``t = 1`` in the last bin), so a figure drawn
    by matplotlib, a Pillow image and the explorer give a weight the same
    colour. Values outside ``[vmin, vmax]`` take the end colours; NaN takes step 0.

    Parameters
    ----------
    values : array_like of float
    vmin, vmax : float
        The values of the first and the last colour.

    Returns
    -------
    ndarray of int, the shape of ``values``

    Examples
    --------
    >>> ramp_index([0.0, 0.5, 0.7, 1.0, 2.0]).tolist()
    [0, 128, 179, 255, 255]
    """
    span = (vmax - vmin) or 1.0
    scaled = np.nan_to_num((np.asarray(values, dtype=float) - vmin) / span, nan=0.0)
    return np.minimum(np.floor(np.clip(scaled, 0.0, 1.0) * STEPS), STEPS - 1).astype(int)


def text_is_dark(rgb: Any) -> np.ndarray:
    """Whether text on each background colour should be black (True) or white.

    Parameters
    ----------
    rgb : array_like, shape (..., 3)
        Background colours, 0-255.

    Returns
    -------
    ndarray of bool, shape (...)

    Examples
    --------
    >>> text_is_dark(ramp()[[0, -1]]).tolist()  # white on purple, black on yellow
    [False, True]
    """
    return np.asarray(rgb, dtype=float) @ _LUMA > _LIGHT_BACKGROUND


def text_colour(rgb: Any) -> str:
    """``"#000000"`` or ``"#ffffff"``: the text colour for one background colour."""
    return "#000000" if bool(text_is_dark(rgb)) else "#ffffff"


def hex_colour(rgb: Any) -> str:
    """``"#rrggbb"`` of one RGB colour (0-255)."""
    r, g, b = (int(c) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def browser_ramp() -> dict[str, list[str]]:
    """The weight ramp as the kernel-free explorer receives it in its JSON data.

    Returns
    -------
    dict
        ``"background"``: :data:`STEPS` colours ``"#rrggbb"``, low to high;
        ``"text"``: the text colour on each of them. A weight ``w`` (0 to 1)
        has step ``min(floor(w * STEPS), STEPS - 1)``, as in :func:`ramp_index`.
    """
    background, text = _browser_ramp()
    return {"background": list(background), "text": list(text)}


@cache
def _browser_ramp() -> tuple[tuple[str, ...], tuple[str, ...]]:
    colours = ramp(WEIGHT_CMAP)
    return tuple(hex_colour(c) for c in colours), tuple(text_colour(c) for c in colours)
