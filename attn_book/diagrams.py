"""Chapter 4's diagram: multi-head attention with the shape at every reshape, and W_o."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib import patches
from matplotlib.figure import Figure

_BLUE, _ORANGE, _GREEN, _RED = "#dbe9f6", "#fde9c9", "#e3f1dd", "#f4cccc"
_ARROW = {"arrowstyle": "->", "linewidth": 1.2}
_RED_ARROW = {"arrowstyle": "->", "linewidth": 1.4, "color": "#990000"}


def _box(ax: plt.Axes, rect: tuple, text: str, color: str, depth: int = 1, size=10.0) -> float:
    """Draw a labelled box ``rect = (x, y, w, h)`` of ``depth`` sheets; return its right edge."""
    x, y, w, h = rect
    for sheet in reversed(range(depth)):
        corner = (x + 0.12 * sheet, y + 0.12 * sheet)
        box = patches.FancyBboxPatch(corner, w, h, boxstyle="round,pad=0.02", facecolor=color)
        ax.add_patch(box)
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size)
    return x + w + 0.12 * (depth - 1)


def _note(ax: plt.Axes, x: float, y: float, text: str, **where: str) -> None:
    """Write a small grey label."""
    ax.text(x, y, text, fontsize=9, color="#222222", **where)


def multi_head_diagram(n: int, d_model: int, num_heads: int) -> Figure:
    """Draw multi-head attention with the array shape at every step.

    ``X`` -> ``Q, K, V`` -> view ``(n, H, d_head)`` -> transpose ``(H, n,
    d_head)`` -> attention per head -> swap back and merge -> times ``W_o``.
    Stacked boxes hold one sheet per head; ``W_q, W_k, W_v`` and ``W_o`` are
    drawn as matrices.

    Parameters
    ----------
    n, d_model, num_heads : int
        Sequence length, model width, number of heads H (a divisor of d_model).

    Returns
    -------
    matplotlib.figure.Figure
    """
    h, d, d_head = num_heads, d_model, d_model // num_heads
    sheets = min(h, 4)  # at most 4 sheets drawn; the label gives H
    fig, ax = plt.subplots(figsize=(9.5, 6.6))
    ax.set(xlim=(-0.2, 19.6), ylim=(-2.6, 10.0))
    ax.axis("off")
    attend = "$\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})\\,V$\nper head, $d_k = d_{head}$"
    context = f"attention\nper head\nweights {h} x {n} x {n}\ncontext {h} x {n} x {d_head}"
    rows = {  # y: [(x, width, text, colour, sheets, label of the arrow into the box)]
        4.6: [
            (0.0, 3.1, f"X\n{n} x {d}", _BLUE, 1, ""),
            (4.7, 3.1, f"Q, K, V\n{n} x {d} each", _BLUE, 1, ""),
            (
                9.4,
                3.1,
                f"view\n{n} x {h} x {d_head}\n(n, H, d_head)",
                _ORANGE,
                1,
                "split\nfeatures",
            ),
        ],
        0.9: [
            (0.0, 2.8, f"transpose\n{h} x {n} x {d_head}\n(H, n, d_head)", _ORANGE, sheets, ""),
            (4.8, 4.1, context, _GREEN, sheets, attend),
            (10.9, 2.8, f"concat heads\n{n} x {d}", _ORANGE, 1, "swap back,\nmerge"),
            (15.7, 2.8, f"output\n{n} x {d}", _BLUE, 1, "$\\times W_o$"),
        ],
    }
    for y, boxes in rows.items():
        end = None
        for x, width, text, color, depth, label in boxes:
            if end is not None:
                ax.annotate(
                    "", xy=(x - 0.05, y + 0.9), xytext=(end + 0.05, y + 0.9), arrowprops=_ARROW
                )
                _note(ax, (end + x) / 2, y + 2.25, label, ha="center", va="bottom")
            end = _box(ax, (x, y, width, 1.8), text, color, depth)
    # From the end of the top row down to the start of the bottom row: swap n and H.
    ax.plot([12.5, 13.0, 13.0, 1.5, 1.5], [5.5, 5.5, 4.25, 4.25, 3.2], color="black", lw=1.2)
    ax.annotate("", xy=(1.5, 3.15), xytext=(1.5, 3.25), arrowprops=_ARROW)
    _note(ax, 13.15, 4.83, "swap n, H\n(transpose)", va="center")
    # The projections as matrices: W_q, W_k, W_v above the first arrow, W_o below the last.
    w_in = (
        f"$\\times$ W_q, W_k, W_v: {d} x {d} each =\n"
        f"{h} heads' {d} x {d_head} (d_model x d_k)\nmatrices side by side"
    )
    w_o = f"W_o: {d} x {d}, mixes the heads:\nevery output feature\ndraws on every head"
    _box(ax, (0.6, 7.75, 6.6, 1.7), w_in, _RED, size=9.5)
    ax.annotate("", xy=(3.9, 5.58), xytext=(3.9, 7.7), arrowprops=_RED_ARROW)
    _box(ax, (12.1, -2.4, 6.2, 1.5), w_o, _RED, size=9.5)
    ax.annotate("", xy=(15.2, 1.72), xytext=(15.2, -0.85), arrowprops=_RED_ARROW)
    title = f"Multi-head attention: n = {n} tokens, d_model = {d}, H = {h} heads, "
    ax.set_title(title + f"d_head = d_model / H = {d_head}", fontsize=12)
    plt.close(fig)
    return fig
