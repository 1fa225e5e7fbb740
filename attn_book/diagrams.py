"""Diagrams of the book: multi-head attention with the shape at every reshape and W_o."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib import patches
from matplotlib.figure import Figure

from attn_core._validation import check_int


def _box(
    ax: plt.Axes,
    x: float,
    y: float,
    w: float,
    h: float,
    text: str,
    color: str,
    *,
    depth: int = 1,
    fontsize: float = 9.0,
) -> None:
    """A labelled box; ``depth > 1`` draws a stack (one sheet per head)."""
    for k in reversed(range(depth)):
        offset = 0.12 * k
        ax.add_patch(
            patches.FancyBboxPatch(
                (x + offset, y + offset),
                w,
                h,
                boxstyle="round,pad=0.02",
                facecolor=color,
                edgecolor="black",
                linewidth=1.0,
                alpha=1.0,
            )
        )
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax: plt.Axes, x0: float, x1: float, y: float, label: str, label_y: float) -> None:
    ax.annotate("", xy=(x1, y), xytext=(x0, y), arrowprops={"arrowstyle": "->", "linewidth": 1.2})
    ax.text((x0 + x1) / 2, label_y, label, ha="center", va="bottom", fontsize=9, color="#222222")


def multi_head_diagram(n: int, d_model: int, num_heads: int) -> Figure:
    """Draw multi-head attention with the array shape at every step.

    The path is ``X (n, d_model)`` -> ``Q, K, V`` -> view ``(n, H, d_head)``
    -> transpose ``(H, n, d_head)`` -> attention per head (weights
    ``(H, n, n)``) -> transpose back and merge ``(n, d_model)`` -> times
    ``W_o`` -> output ``(n, d_model)``. Stacked boxes are per-head arrays.
    Both projections are drawn as matrices: ``W_q, W_k, W_v`` above the first
    arrow (each the H heads' ``d_model x d_k`` matrices side by side, with
    ``d_k = d_head``) and ``W_o`` below the last, where it mixes the heads.
    H is the book's name for the number of heads (Vaswani et al. write h).

    Parameters
    ----------
    n, d_model, num_heads : int
        Sequence length, model width, number of heads H (must divide d_model).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a size is below 1 or ``num_heads`` does not divide ``d_model``.
    """
    for name, value in (("n", n), ("d_model", d_model), ("num_heads", num_heads)):
        check_int(value, name, minimum=1)
    if d_model % num_heads:
        raise ValueError(f"num_heads={num_heads} does not divide d_model={d_model}")
    d_head = d_model // num_heads
    h = num_heads
    fig, ax = plt.subplots(figsize=(9.5, 6.6))
    ax.set_xlim(-0.2, 19.6)
    ax.set_ylim(-2.6, 10.0)
    ax.axis("off")
    stack = min(h, 4)  # at most 4 sheets drawn; the label gives the true H
    w, bh, gap = 3.1, 1.8, 1.6
    rows = [
        # row 1 (top), left to right: (text, colour, sheets, label of the arrow into the box)
        [
            (f"X\n{n} x {d_model}", "#dbe9f6", 1, None),
            (f"Q, K, V\n{n} x {d_model} each", "#dbe9f6", 1, None),
            (f"view\n{n} x {h} x {d_head}\n(n, H, d_head)", "#fde9c9", 1, "split\nfeatures"),
        ],
        # row 2 (bottom), left to right
        [
            (f"transpose\n{h} x {n} x {d_head}\n(H, n, d_head)", "#fde9c9", stack, None),
            (
                f"attention\nper head\nweights {h} x {n} x {n}\ncontext {h} x {n} x {d_head}",
                "#e3f1dd",
                stack,
                "$\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})\\,V$\nper head, $d_k = d_{head}$",
            ),
            (f"concat heads\n{n} x {d_model}", "#fde9c9", 1, "swap back,\nmerge"),
            (f"output\n{n} x {d_model}", "#dbe9f6", 1, "$\\times W_o$"),
        ],
    ]
    tops = [4.6, 0.9]
    ends = []
    for row, y in zip(rows, tops, strict=True):
        x, previous_end = 0.0, None
        gap_row = gap if len(row) == 3 else 2.0
        for text, color, depth, label in row:
            width = w if len(row) == 3 else (4.1 if "attention" in text else 2.8)
            _box(ax, x, y, width, bh, text, color, depth=depth, fontsize=10)
            if previous_end is not None:
                _arrow(ax, previous_end + 0.05, x - 0.05, y + bh / 2, label, y + bh + 0.45)
            previous_end = x + width + 0.12 * (depth - 1)
            x += width + gap_row
        ends.append((previous_end, x - gap_row - width))
        row_width = x - gap_row
    # From the end of row 1 down to the start of row 2 (the "swap n, H" step).
    row1_end = ends[0][0]
    mid_y = tops[0] - 0.35
    ax.plot(
        [row1_end, row1_end + 0.5, row1_end + 0.5, 1.5, 1.5],
        [tops[0] + bh / 2, tops[0] + bh / 2, mid_y, mid_y, tops[1] + bh + 0.5],
        color="black",
        linewidth=1.2,
    )
    ax.annotate(
        "",
        xy=(1.5, tops[1] + bh + 0.45),
        xytext=(1.5, tops[1] + bh + 0.55),
        arrowprops={"arrowstyle": "->", "linewidth": 1.2},
    )
    ax.text(
        row1_end + 0.65,
        (tops[0] + mid_y) / 2 + 0.4,
        "swap n, H\n(transpose)",
        fontsize=9,
        va="center",
        color="#222222",
    )
    del row_width
    # W_q, W_k, W_v drawn as matrices, above the first arrow: each is the H heads'
    # d_model x d_k matrices side by side.
    first_mid = 3.1 + gap / 2
    _box(
        ax,
        first_mid - 3.3,
        7.75,
        6.6,
        1.7,
        f"$\\times$ W_q, W_k, W_v: {d_model} x {d_model} each =\n"
        f"{h} heads' {d_model} x {d_head} (d_model x d_k)\nmatrices side by side",
        "#f4cccc",
        fontsize=9.5,
    )
    ax.annotate(
        "",
        xy=(first_mid, tops[0] + bh / 2 + 0.08),
        xytext=(first_mid, 7.7),
        arrowprops={"arrowstyle": "->", "linewidth": 1.4, "color": "#990000"},
    )
    # W_o drawn as its own matrix, under the last arrow.
    arrow_mid = ends[1][1] - 0.5
    _box(
        ax,
        arrow_mid - 3.1,
        -2.4,
        6.2,
        1.5,
        f"W_o: {d_model} x {d_model}, mixes the heads:\nevery output feature\ndraws on every head",
        "#f4cccc",
        fontsize=9.5,
    )
    ax.annotate(
        "",
        xy=(arrow_mid, tops[1] + bh / 2 - 0.08),
        xytext=(arrow_mid, -0.85),
        arrowprops={"arrowstyle": "->", "linewidth": 1.4, "color": "#990000"},
    )
    ax.set_title(
        f"Multi-head attention: n = {n} tokens, d_model = {d_model}, H = {h} heads, "
        f"d_head = d_model / H = {d_head}",
        fontsize=12,
    )
    plt.close(fig)
    return fig
