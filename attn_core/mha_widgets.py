"""Figures and local widgets of the multi-head (chapter 4) and masking (chapter 5) chapters.

- :func:`multi_head_diagram`: the shapes at every reshape, with ``W_o`` drawn.
- :func:`multi_head_explorer`: edit the sentence, choose the number of heads
  (only divisors of ``d_model`` are offered), pick a head.
- :func:`masking_explorer`: edit the sentence, choose a mask, pick a query.

Both explorers are built with :func:`attn_core.widgets.guarded_view` and draw
with Pillow (:func:`attn_core.fast_heatmap.heatmaps_png`): a matplotlib redraw
of the labelled heatmaps spends 50-65 ms laying out tick-label text alone, more
than a widget may take to answer a change.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patches
from matplotlib.figure import Figure

from attn_core.attention import causal_mask, scaled_dot_product_attention
from attn_core.fast_heatmap import Panel, heatmaps_png
from attn_core.heads import random_projections
from attn_core.masks import PAD, combine_masks, key_padding_mask
from attn_core.multihead import multi_head_attention
from attn_core.tokens import D_MODEL, EXAMPLE_SENTENCES, embed, self_attention_projections, tokenize
from attn_core.widgets import WidgetWithFallback, guarded_view

#: The masks the masking explorer offers.
MASK_CHOICES: tuple[str, ...] = ("none", "causal", "padding", "causal + padding")
#: Padding tokens the masking explorer appends (as if batched with a longer sentence).
EXPLORER_PADDING: int = 3


def head_choices(d_model: int = D_MODEL) -> list[int]:
    """The numbers of heads that divide ``d_model`` (the only valid choices).

    Examples
    --------
    >>> head_choices(8)
    [1, 2, 4, 8]
    """
    if isinstance(d_model, bool) or not isinstance(d_model, (int, np.integer)) or d_model < 1:
        raise ValueError(f"d_model must be a positive int, got {d_model!r}")
    return [h for h in range(1, d_model + 1) if d_model % h == 0]


def chapter_projections(
    d_model: int = D_MODEL, seed: int = 4
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Chapter 3's ``W_q, W_k, W_v`` plus a seeded random ``W_o`` (chapter 4's model).

    Parameters
    ----------
    d_model : int
        Width of the toy embeddings (at least 8).
    seed : int
        Seed of the random output projection.

    Returns
    -------
    w_q, w_k, w_v, w_o : ndarray, shape (d_model, d_model)
    """
    w_q, w_k, w_v = self_attention_projections(d_model)
    return w_q, w_k, w_v, random_projections(d_model, seed)[3]


#: Token labels longer than this are cut (with an ellipsis), so one long word
#: cannot push the heatmaps aside.
_MAX_LABEL_CHARS = 10


def _labels(tokens: Sequence[str]) -> list[str]:
    return [
        t if len(t) <= _MAX_LABEL_CHARS else t[: _MAX_LABEL_CHARS - 1] + "\u2026" for t in tokens
    ]


# ----------------------------------------------------------------------------- diagram


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

    The path is ``X (n, d_model)`` -> ``Q, K, V`` -> view ``(n, h, d_head)``
    -> transpose ``(h, n, d_head)`` -> attention per head (weights
    ``(h, n, n)``) -> transpose back and merge ``(n, d_model)`` -> times
    ``W_o`` -> output ``(n, d_model)``. Stacked boxes are per-head arrays.

    Parameters
    ----------
    n, d_model, num_heads : int
        Sequence length, model width, number of heads (must divide d_model).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a size is below 1 or ``num_heads`` does not divide ``d_model``.
    """
    for name, value in (("n", n), ("d_model", d_model), ("num_heads", num_heads)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if d_model % num_heads:
        raise ValueError(f"num_heads={num_heads} does not divide d_model={d_model}")
    d_head = d_model // num_heads
    h = num_heads
    fig, ax = plt.subplots(figsize=(9.5, 5.6))
    ax.set_xlim(-0.2, 19.6)
    ax.set_ylim(-2.6, 8.0)
    ax.axis("off")
    stack = min(h, 4)  # at most 4 sheets drawn; the label gives the true h
    w, bh, gap = 3.1, 1.8, 1.6
    rows = [
        # row 1 (top), left to right: (text, colour, sheets, label of the arrow into the box)
        [
            (f"X\n{n} x {d_model}", "#dbe9f6", 1, None),
            (f"Q, K, V\n{n} x {d_model} each", "#dbe9f6", 1, "$\\times W_q, W_k, W_v$"),
            (f"view\n{n} x {h} x {d_head}\n(n, h, d_head)", "#fde9c9", 1, "split\nfeatures"),
        ],
        # row 2 (bottom), left to right
        [
            (f"transpose\n{h} x {n} x {d_head}\n(h, n, d_head)", "#fde9c9", stack, None),
            (
                f"attention\nper head\nweights {h} x {n} x {n}\ncontext {h} x {n} x {d_head}",
                "#e3f1dd",
                stack,
                "$\\mathrm{softmax}(QK^\\top/\\sqrt{d_{head}})\\,V$",
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
            width = w if len(row) == 3 else (3.7 if "attention" in text else 2.8)
            _box(ax, x, y, width, bh, text, color, depth=depth, fontsize=10)
            if previous_end is not None:
                _arrow(ax, previous_end + 0.05, x - 0.05, y + bh / 2, label, y + bh + 0.45)
            previous_end = x + width + 0.12 * (depth - 1)
            x += width + gap_row
        ends.append((previous_end, x - gap_row - width))
        row_width = x - gap_row
    # From the end of row 1 down to the start of row 2 (the "swap n, h" step).
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
        "swap n, h\n(transpose)",
        fontsize=9,
        va="center",
        color="#222222",
    )
    del row_width
    # W_o drawn as its own matrix, under the last arrow.
    arrow_mid = ends[1][1] - 0.5
    _box(ax, arrow_mid - 1.0, -2.4, 2.0, 1.5, f"W_o\n{d_model} x {d_model}", "#f4cccc", fontsize=10)
    ax.annotate(
        "",
        xy=(arrow_mid, tops[1] + bh / 2 - 0.08),
        xytext=(arrow_mid, -0.85),
        arrowprops={"arrowstyle": "->", "linewidth": 1.4, "color": "#990000"},
    )
    ax.set_title(
        f"Multi-head attention: n = {n} tokens, d_model = {d_model}, h = {h} heads, "
        f"d_head = d_model / h = {d_head}",
        fontsize=12,
    )
    plt.close(fig)
    return fig


# ----------------------------------------------------------------------------- chapter 4


def _multi_head_png(
    tokens: list[str], weights: np.ndarray, out: np.ndarray, head: int, num_heads: int
) -> bytes:
    """One head's weights (left) and the combined output (right), as PNG bytes."""
    n, d_model = out.shape
    labels = _labels(tokens)
    # Output divided by its largest |value| (given in the title): one fixed colour
    # scale, -1 to 1, for every sentence.
    top = float(np.abs(out).max()) or 1.0
    return heatmaps_png(
        [
            Panel(
                weights,
                labels,
                labels,
                title=f"head {head} of {num_heads} (d_head = {d_model // num_heads}):\n"
                "attention weights",
                xlabel="key",
                ylabel="query",
            ),
            Panel(
                out / top,
                labels,
                [str(i) for i in range(d_model)],
                title=f"output = concat(heads) W_o\n(\u00f7 max |output| = {top:.2f})",
                cmap="RdBu_r",
                vmin=-1.0,
                vmax=1.0,
                xlabel="output feature",
            ),
        ]
    )


def _sentence_box(sentence: str) -> widgets.Text:
    """The text box both widgets share for editing the sentence."""
    # continuous_update=False: redraw when the reader presses Enter, not per keystroke.
    return widgets.Text(
        value=sentence,
        description="sentence",
        continuous_update=False,
        layout=widgets.Layout(width="420px"),
    )


def multi_head_explorer(
    sentence: str = EXAMPLE_SENTENCES["pronoun"], num_heads: int = 4, head: int = 0
) -> WidgetWithFallback:
    """Chapter 4's widget: sentence, number of heads, head -> heatmap and output.

    The model is chapter 3's toy embeddings and projections, split into heads,
    with a seeded random ``W_o`` (:func:`chapter_projections`).

    Parameters
    ----------
    sentence : str
        The starting sentence.
    num_heads : int
        Starting number of heads; one of :func:`head_choices`.
    head : int
        Starting head, ``0 <= head < num_heads``.

    Returns
    -------
    WidgetWithFallback
        Controls ``text``, ``num_heads`` (a dropdown of divisors of d_model)
        and ``head``.

    Raises
    ------
    ValueError
        If the starting values are invalid.
    """
    weights_in = chapter_projections()
    text = _sentence_box(sentence)
    heads = widgets.Dropdown(options=head_choices(D_MODEL), value=num_heads, description="heads")
    head_slider = widgets.IntSlider(
        value=head, min=0, max=max(num_heads - 1, 0), description="head"
    )

    def keep_head_in_range(change: dict) -> None:
        # Registered before guarded_view's redraw, so the slider is valid first.
        head_slider.max = max(int(change["new"]) - 1, 0)

    heads.observe(keep_head_in_range, names="value")

    def render(text: str, num_heads: int, head: int) -> bytes:
        tokens = tokenize(text)
        if num_heads not in head_choices(D_MODEL):
            raise ValueError(
                f"{num_heads} heads do not divide d_model = {D_MODEL}: each head gets "
                f"d_model / h features, so choose one of {head_choices(D_MODEL)}"
            )
        if not 0 <= head < num_heads:
            raise ValueError(f"head must be between 0 and {num_heads - 1}, got {head}")
        out, weights = multi_head_attention(embed(tokens), *weights_in, num_heads)
        return _multi_head_png(tokens, weights[head], out, head, num_heads)

    return guarded_view(
        {"text": text, "num_heads": heads, "head": head_slider},
        render,
        alt=f"Head {head} of {num_heads}: attention weights and combined output for '{sentence}'",
    )


# ----------------------------------------------------------------------------- chapter 5


def explorer_mask(tokens: Sequence[str], choice: str) -> tuple[list[str], np.ndarray]:
    """Tokens (padded when the mask needs it) and the boolean mask of a choice.

    Parameters
    ----------
    tokens : sequence of str
        The sentence.
    choice : str
        One of :data:`MASK_CHOICES`. The padding choices append
        :data:`EXPLORER_PADDING` pad tokens, as if the sentence were batched
        with one that many tokens longer.

    Returns
    -------
    tokens : list of str
    mask : ndarray of bool, shape (n, n)
        True = may attend.

    Raises
    ------
    ValueError
        For an unknown choice.

    Examples
    --------
    >>> tokens, mask = explorer_mask(["a", "b"], "causal + padding")
    >>> tokens
    ['a', 'b', '<pad>', '<pad>', '<pad>']
    >>> mask.astype(int)[4].tolist()
    [1, 1, 0, 0, 0]
    """
    if choice not in MASK_CHOICES:
        raise ValueError(f"mask must be one of {list(MASK_CHOICES)}, got {choice!r}")
    tokens = list(tokens)
    length = len(tokens)
    if "padding" in choice:
        tokens = tokens + [PAD] * EXPLORER_PADDING
    n = len(tokens)
    masks = [np.ones((n, n), dtype=bool)]
    if "causal" in choice:
        masks.append(causal_mask(n))
    if "padding" in choice:
        masks.append(key_padding_mask([length], n)[0])
    return tokens, combine_masks(*masks)


def _masking_png(
    tokens: list[str], weights: np.ndarray, mask: np.ndarray, query: int, choice: str
) -> bytes:
    """Weights with masked cells grey and the query row outlined (left), and that
    row turned into a column, each key labelled with its weight (right); PNG bytes."""
    labels = _labels(tokens)
    row = weights[query]
    # A column (not a row) so the keys' weights can be written as horizontal labels.
    keys = [
        f"{label}  {w:.2f}" if allowed else f"{label}  masked"
        for label, w, allowed in zip(labels, row, mask[query], strict=True)
    ]
    return heatmaps_png(
        [
            # All text in the left title: a title over the narrow column would be cut off.
            Panel(
                weights,
                labels,
                labels,
                masked=~mask,
                title=f"weights, mask: {choice} (grey = masked)\n"
                f"red box: query {query} '{labels[query]}', row sum {float(row.sum()):.3f}",
                highlight_row=query,
                annotate_row=False,
                xlabel="key",
                ylabel="query",
            ),
            Panel(
                row[:, None],
                keys,
                [f"query '{labels[query]}'"],
                masked=~mask[query][:, None],
                ylabel="key, weight",
            ),
        ]
    )


def masking_explorer(
    sentence: str = EXAMPLE_SENTENCES["pronoun"], mask: str = "causal", query: int = 7
) -> WidgetWithFallback:
    """Chapter 5's widget: sentence, mask, query -> weights and masked entries.

    One attention head with chapter 3's toy embeddings and projections.

    Parameters
    ----------
    sentence : str
        The starting sentence.
    mask : str
        One of :data:`MASK_CHOICES`.
    query : int
        The query token whose row is drawn on the right.

    Returns
    -------
    WidgetWithFallback
        Controls ``text``, ``mask`` and ``query``.

    Raises
    ------
    ValueError
        If the starting values are invalid.
    """
    w_q, w_k, w_v = self_attention_projections()
    text = _sentence_box(sentence)
    choice = widgets.Dropdown(options=list(MASK_CHOICES), value=mask, description="mask")
    start_tokens, _ = explorer_mask(tokenize(sentence), mask)
    query_slider = widgets.IntSlider(
        value=query, min=0, max=len(start_tokens) - 1, description="query"
    )

    def keep_query_in_range(_change: dict) -> None:
        # Registered before guarded_view's redraw; bad text is reported by render.
        try:
            tokens, _ = explorer_mask(tokenize(text.value), choice.value)
        except (ValueError, TypeError):
            return
        query_slider.max = len(tokens) - 1

    text.observe(keep_query_in_range, names="value")
    choice.observe(keep_query_in_range, names="value")

    def render(text: str, mask: str, query: int) -> bytes:
        tokens, allowed = explorer_mask(tokenize(text), mask)
        if not 0 <= query < len(tokens):
            raise ValueError(f"query must be between 0 and {len(tokens) - 1}, got {query}")
        x = embed(tokens)
        _, weights = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v, allowed)
        return _masking_png(tokens, weights, allowed, query, mask)

    return guarded_view(
        {"text": text, "mask": choice, "query": query_slider},
        render,
        alt=f"Attention weights with the {mask} mask for '{sentence}', query {query}",
    )
