"""One plotting helper for attention heatmaps, reused by every chapter.

Weights are drawn with the book's one colour ramp (:mod:`attn_book.colors`),
the same the widgets' Pillow images and the kernel-free explorer use.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from attn_book.colors import WEIGHT_CMAP, ramp, ramp_index, text_is_dark


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
        The weights to draw; a 2-D array is one panel.
    row_labels, col_labels : sequence of str, optional
        Tick labels (query tokens on rows, key tokens on columns).
    titles : sequence of str, optional
        One title per panel.
    xlabel, ylabel : str
        Axis labels.
    annotate : bool, optional
        Write each value in its cell; by default only when the matrix is at
        most 10 x 10.
    cmap : str, default attn_book.colors.WEIGHT_CMAP
        A matplotlib colormap name.
    vmin, vmax : float
        Colour limits; ``vmax=None`` uses the data's maximum.
    ncols : int, optional
        Panels per row (default: all in one row, at most 4).
    cell_size : float
        Inches per matrix cell, so labels stay readable.
    suptitle : str, optional
        A title above all panels.
    colorbar_label : str
        What the colour bar measures (e.g. "may attend" for a mask).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (closed from pyplot, so it is shown once by the caller).

    Raises
    ------
    ValueError
        If ``matrices`` is not 2-D or 3-D or the labels do not fit.
    """
    stack = np.asarray(matrices, dtype=float)
    if stack.ndim == 2:
        stack = stack[None]
    if stack.ndim != 3:
        raise ValueError(f"matrices must be 2-D or 3-D, got shape {stack.shape}")
    count, rows, cols = stack.shape
    if row_labels is not None and len(row_labels) != rows:
        raise ValueError(f"row_labels has {len(row_labels)} labels for {rows} rows")
    if col_labels is not None and len(col_labels) != cols:
        raise ValueError(f"col_labels has {len(col_labels)} labels for {cols} columns")
    if titles is not None and len(titles) != count:
        raise ValueError(f"titles has {len(titles)} entries for {count} matrices")
    if annotate is None:
        annotate = rows <= 10 and cols <= 10
    ncols = ncols or min(count, 4)
    nrows = -(-count // ncols)
    width = max(2.6, cols * cell_size + 1.4)
    height = max(2.2, rows * cell_size + 1.0)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(width * ncols, height * nrows),
        squeeze=False,
        constrained_layout=True,
    )
    image = None
    for index, ax in enumerate(axes.flat):
        if index >= count:
            ax.set_visible(False)
            continue
        matrix = stack[index]
        image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax, aspect="equal")
        ax.set_xticks(
            range(cols),
            col_labels if col_labels is not None else range(cols),
            rotation=60 if col_labels is not None else 0,
            ha="right" if col_labels is not None else "center",
        )
        ax.set_yticks(range(rows), row_labels if row_labels is not None else range(rows))
        ax.set_xlabel(xlabel)
        if index % ncols == 0:
            ax.set_ylabel(ylabel)
        if titles is not None:
            ax.set_title(titles[index])
        if annotate:
            top = vmax if vmax is not None else float(matrix.max())
            # Black on light cells, white on dark ones: the rule of attn_book.colors.
            dark = text_is_dark(ramp(cmap)[ramp_index(matrix, vmin, top)])
            for (i, j), value in np.ndenumerate(matrix):
                ax.text(
                    j,
                    i,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if dark[i, j] else "white",
                )
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.8, label=colorbar_label)
    if suptitle:
        fig.suptitle(suptitle)
    plt.close(fig)
    return fig


def figure_to_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a matplotlib figure to PNG bytes (for static fallbacks)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()
