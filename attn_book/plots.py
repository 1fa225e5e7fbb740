"""The one colour ramp for attention weights, and the one heatmap helper every chapter uses.

A weight has the same colour in a matplotlib figure (:func:`show_heatmaps`)
and in the browser's views (which receive :func:`browser_ramp`), and the
number on a cell the same text colour: black or white, whichever contrasts
more (WCAG 2), never below 4.5:1 on viridis.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import cache
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

#: The colour ramp of attention weights: viridis, perceptually uniform, readable in grey.
WEIGHT_CMAP = "viridis"
#: The ramp of signed values (a head's share of the output): red-blue, white at 0.
SIGNED_CMAP = "RdBu_r"
STEPS = 256


@cache
def ramp(cmap: str = WEIGHT_CMAP) -> np.ndarray:
    """The 256 colours of a matplotlib colormap as RGB bytes, low to high."""
    rgb = np.rint(matplotlib.colormaps[cmap](np.linspace(0, 1, STEPS))[:, :3] * 255)
    return rgb.astype(np.uint8)


def ramp_index(values: Any, vmin: float = 0.0, vmax: float = 1.0) -> np.ndarray:
    """The ramp step of each value, binned as matplotlib bins it (floor of 256 t)."""
    scaled = (np.asarray(values, dtype=float) - vmin) / ((vmax - vmin) or 1.0)
    return np.minimum(np.floor(np.clip(scaled, 0, 1) * STEPS), STEPS - 1).astype(int)


def contrast_ratio(foreground: Any, background: Any) -> np.ndarray:
    """WCAG 2 contrast ratio of RGB colours (0-255), from 1 to 21."""

    def luminance(rgb: Any) -> np.ndarray:
        c = np.asarray(rgb, dtype=float) / 255
        return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4) @ [
            0.2126,
            0.7152,
            0.0722,
        ]

    a, b = luminance(foreground) + 0.05, luminance(background) + 0.05
    return np.maximum(a, b) / np.minimum(a, b)


def text_is_dark(rgb: Any) -> np.ndarray:
    """Whether black text contrasts at least as much as white on each background."""
    return contrast_ratio(rgb, [0, 0, 0]) >= contrast_ratio(rgb, [255, 255, 255])


@cache
def _browser_ramp(cmap: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ramp's colours and text colours as CSS colours."""
    colours = ramp(cmap)
    background = tuple("#{:02x}{:02x}{:02x}".format(*c) for c in colours)
    text = tuple("#000000" if dark else "#ffffff" for dark in text_is_dark(colours))
    return background, text


def browser_ramp(cmap: str = WEIGHT_CMAP) -> dict[str, list[str]]:
    """The ramp as the views receive it: ``background`` and ``text`` colours per step."""
    background, text = _browser_ramp(cmap)
    return {"background": list(background), "text": list(text)}


def show_heatmaps(
    matrices: Any,
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
    xlabel: str = "key",
    ylabel: str = "query",
    annotate: bool | None = None,
    cmap: str = WEIGHT_CMAP,
    vmin: float = 0.0,
    vmax: float | None = 1.0,
    ncols: int | None = None,
    cell_size: float = 0.45,
    suptitle: str | None = None,
    colorbar_label: str = "weight",
) -> Figure:
    """Draw one or more attention matrices side by side, with token labels.

    Parameters
    ----------
    matrices : array_like, shape (rows, cols) or (m, rows, cols)
        The weights; a 2-D array is one panel.
    row_labels, col_labels : sequence of str, optional
        Query tokens on the rows, key tokens on the columns.
    titles : sequence of str, optional
        One title per panel.
    annotate : bool, optional
        Write each value in its cell (default: when at most 10 x 10).
    vmin, vmax : float
        Colour limits; ``vmax=None`` uses the data's maximum.
    ncols : int, optional
        Panels per row (default: all in one row, at most 4).

    Returns
    -------
    matplotlib.figure.Figure
        Closed from pyplot, so the caller shows it once.
    """
    stack = np.asarray(matrices, dtype=float)
    stack = stack[None] if stack.ndim == 2 else stack
    count, rows, cols = stack.shape
    annotate = rows <= 10 and cols <= 10 if annotate is None else annotate
    ncols = ncols or min(count, 4)
    nrows = -(-count // ncols)
    width = max(2.6, cols * cell_size + 1.4)
    height = max(2.2, rows * cell_size + 1.0)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, layout="constrained"
    )
    image = None
    for index, ax in enumerate(axes.flat):
        if index >= count:
            ax.set_visible(False)
            continue
        matrix = stack[index]
        image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax, aspect="equal")
        labelled = col_labels is not None
        ax.set_xticks(
            range(cols),
            col_labels if labelled else range(cols),
            rotation=60 if labelled else 0,
            ha="right" if labelled else "center",
        )
        ax.set_yticks(range(rows), row_labels if row_labels is not None else range(rows))
        ax.set_xlabel(xlabel)
        if index % ncols == 0:
            ax.set_ylabel(ylabel)
        if titles is not None:
            ax.set_title(titles[index])
        if annotate:
            top = vmax if vmax is not None else float(matrix.max())
            dark = text_is_dark(ramp(cmap)[ramp_index(matrix, vmin, top)])
            for (i, j), value in np.ndenumerate(matrix):
                colour = "black" if dark[i, j] else "white"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color=colour)
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.8, label=colorbar_label)
    if suptitle:
        fig.suptitle(suptitle)
    plt.close(fig)
    return fig


def describe(fig: Figure) -> str:
    """Alt text for a figure, from what it shows: its titles, axes and legends.

    A chapter may set ``fig.alt`` to say more; otherwise this text reaches the
    book's ``<img alt>`` (see :func:`_figure_bundle`).
    """
    if getattr(fig, "alt", None):
        return fig.alt
    panels = []
    for ax in fig.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            continue
        kind = "heatmap" if ax.images else "plot"
        text = f"{kind} '{ax.get_title()}'" if ax.get_title() else kind
        axes = [f"{label} across" for label in [ax.get_xlabel()] if label]
        axes += [f"{label} up" for label in [ax.get_ylabel()] if label]
        if kind == "heatmap" and ax.get_yticklabels():
            rows = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
            axes.append("rows " + ", ".join(rows[:12]) + (" ..." if len(rows) > 12 else ""))
        lines = [h.get_label() for h in ax.get_legend_handles_labels()[0]]
        if lines:
            axes.append("curves: " + ", ".join(lines))
        panels.append(text + (f" ({'; '.join(axes)})" if axes else ""))
    title = fig._suptitle.get_text() + ": " if fig._suptitle else ""
    count = f"{len(panels)} panels: " if len(panels) > 1 else ""
    return f"Figure. {title}{count}" + "; ".join(panels) + "."


def _figure_bundle(fig: Figure, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
    """A figure as a notebook output: its PNG, with its alt text."""
    from IPython import get_ipython
    from IPython.core.pylabtools import print_figure

    alt = describe(fig)
    bundle, metadata = {"text/plain": alt}, {"image/png": {"alt": alt}}
    try:  # the inline backend's PNG printer runs after this one and wins: let it draw alone
        get_ipython().display_formatter.formatters["image/png"].lookup(fig)
    except KeyError:
        png = print_figure(fig, "png", bbox_inches="tight")
        bundle["image/png"] = base64.b64encode(png).decode()
    return bundle, metadata


def _give_figures_alt_text() -> None:
    """In an IPython kernel, display every matplotlib figure with its alt text."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.mimebundle_formatter.for_type(Figure, _figure_bundle)


_give_figures_alt_text()
