"""Figures and local widgets of the multi-head (chapter 4) and masking (chapter 5) chapters.

- :func:`multi_head_diagram`: the shapes at every reshape, with ``W_o`` drawn.
- :func:`multi_head_explorer`: edit the sentence, choose the number of heads
  (only divisors of ``d_model`` are offered), pick a head.
- :func:`masking_explorer`: edit the sentence, choose a mask, pick a query.

Both explorers are built with :func:`attn_core.widgets.guarded_view`. To redraw
fast they keep one matplotlib figure and update its artists in place, then
save a low-dpi PNG (a fresh figure per change would take several times longer).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib import patches
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from attn_core.attention import causal_mask, scaled_dot_product_attention
from attn_core.heads import random_projections
from attn_core.masks import PAD, combine_masks, key_padding_mask
from attn_core.multihead import multi_head_attention
from attn_core.tokens import D_MODEL, EXAMPLE_SENTENCES, embed, self_attention_projections, tokenize
from attn_core.widgets import WidgetWithFallback, guarded_view

#: The masks the masking explorer offers.
MASK_CHOICES: tuple[str, ...] = ("none", "causal", "padding", "causal + padding")
#: Padding tokens the masking explorer appends (as if batched with a longer sentence).
EXPLORER_PADDING: int = 3
_PNG_DPI = 72


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


class _Blitter:
    """Redraw only what changed onto cached backgrounds, then encode a PNG.

    Two cached layers: the *base* (frames, colour bars, axis labels), drawn
    once, and the *labelled* background (base + token labels), redrawn only
    when the sentence changes. Each redraw restores the labelled background
    and draws the animated data artists on top: several times faster than a
    full matplotlib draw, which spends most of its time on text.
    """

    def __init__(self, fig: Figure, animated: Sequence[Artist]) -> None:
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.animated = list(animated)
        for artist in self.animated:
            artist.set_animated(True)
        self.base = None
        self.labelled = None

    def relabel(self, labels: Sequence[Artist]) -> None:
        """Draw new (animated) token labels into the labelled background."""
        if self.base is None:
            self.canvas.draw()  # animated artists are skipped here
            self.base = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self.base)
        for artist in labels:
            self.fig.draw_artist(artist)
        self.labelled = self.canvas.copy_from_bbox(self.fig.bbox)

    def png(self, extra: Sequence[Artist] = ()) -> bytes:
        """Draw the animated artists (and ``extra`` ones) and return PNG bytes."""
        if self.labelled is None:
            self.relabel([])
        self.canvas.restore_region(self.labelled)
        for artist in [*self.animated, *extra]:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        rgba = np.asarray(self.canvas.buffer_rgba())
        buffer = io.BytesIO()
        # compress_level=1: a little larger file, several times faster to encode.
        PIL.Image.fromarray(rgba[..., :3]).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


#: Most token labels drawn per axis; longer sentences label every k-th token
#: (more would be unreadable at this size, and text dominates redraw time).
_MAX_LABELS = 22
_MAX_LABEL_CHARS = 10


def _label_size(n: int) -> float:
    return 9.0 if n <= 16 else 8.0


def _token_ticks(tokens: Sequence[str]) -> tuple[list[int], list[str]]:
    stride = -(-len(tokens) // _MAX_LABELS)
    positions = list(range(0, len(tokens), stride))
    labels = [tokens[i] if len(tokens[i]) <= _MAX_LABEL_CHARS
              else tokens[i][:_MAX_LABEL_CHARS - 1] + "\u2026" for i in positions]
    return positions, labels


class _TokenLabels:
    """Token names along one axis, drawn as animated Text artists.

    Real tick labels would make the cached background depend on the sentence;
    as animated artists they are redrawn onto a background that never changes.
    """

    def __init__(self, ax: plt.Axes, axis: str) -> None:
        self.ax, self.axis = ax, axis
        self.texts: list = []
        # No ticks at all: the axes frame then looks the same for every sentence.
        if axis == "x":
            ax.set_xticks([])
        else:
            ax.set_yticks([])

    def set(self, tokens: Sequence[str]) -> None:
        size = _label_size(len(tokens))
        positions, labels = _token_ticks(tokens)
        # Reuse Text artists (creating them costs more than updating them).
        while len(self.texts) < len(labels):
            if self.axis == "x":
                text = self.ax.text(0, -0.02, "", transform=self.ax.get_xaxis_transform(),
                                    rotation=60, ha="right", va="top",
                                    rotation_mode="anchor", animated=True)
            else:
                text = self.ax.text(-0.02, 0, "", transform=self.ax.get_yaxis_transform(),
                                    ha="right", va="center", animated=True)
            self.texts.append(text)
        for index, text in enumerate(self.texts):
            if index >= len(labels):
                text.set_visible(False)
                continue
            text.set_visible(True)
            text.set_text(labels[index])
            text.set_fontsize(size)
            if self.axis == "x":
                text.set_x(positions[index])
            else:
                text.set_y(positions[index])

    @property
    def visible(self) -> list:
        """The Text artists in use."""
        return [text for text in self.texts if text.get_visible()]


def _square_limits(ax: plt.Axes, rows: int, cols: int) -> None:
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)


# ----------------------------------------------------------------------------- diagram


def _box(ax: plt.Axes, x: float, y: float, w: float, h: float, text: str, color: str,
         *, depth: int = 1, fontsize: float = 9.0) -> None:
    """A labelled box; ``depth > 1`` draws a stack (one sheet per head)."""
    for k in reversed(range(depth)):
        offset = 0.12 * k
        ax.add_patch(patches.FancyBboxPatch(
            (x + offset, y + offset), w, h, boxstyle="round,pad=0.02",
            facecolor=color, edgecolor="black", linewidth=1.0, alpha=1.0,
        ))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax: plt.Axes, x0: float, x1: float, y: float, label: str, label_y: float) -> None:
    ax.annotate("", xy=(x1, y), xytext=(x0, y),
                arrowprops={"arrowstyle": "->", "linewidth": 1.2})
    ax.text((x0 + x1) / 2, label_y, label, ha="center", va="bottom", fontsize=9,
            color="#222222")


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
        [(f"X\n{n} x {d_model}", "#dbe9f6", 1, None),
         (f"Q, K, V\n{n} x {d_model} each", "#dbe9f6", 1, "$\\times W_q, W_k, W_v$"),
         (f"view\n{n} x {h} x {d_head}\n(n, h, d_head)", "#fde9c9", 1, "split\nfeatures")],
        # row 2 (bottom), left to right
        [(f"transpose\n{h} x {n} x {d_head}\n(h, n, d_head)", "#fde9c9", stack, None),
         (f"attention\nper head\nweights {h} x {n} x {n}\ncontext {h} x {n} x {d_head}",
          "#e3f1dd", stack, "$\\mathrm{softmax}(QK^\\top/\\sqrt{d_{head}})\\,V$"),
         (f"concat heads\n{n} x {d_model}", "#fde9c9", 1, "swap back,\nmerge"),
         (f"output\n{n} x {d_model}", "#dbe9f6", 1, "$\\times W_o$")],
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
    ax.plot([row1_end, row1_end + 0.5, row1_end + 0.5, 1.5, 1.5],
            [tops[0] + bh / 2, tops[0] + bh / 2, mid_y, mid_y, tops[1] + bh + 0.5],
            color="black", linewidth=1.2)
    ax.annotate("", xy=(1.5, tops[1] + bh + 0.45), xytext=(1.5, tops[1] + bh + 0.55),
                arrowprops={"arrowstyle": "->", "linewidth": 1.2})
    ax.text(row1_end + 0.65, (tops[0] + mid_y) / 2 + 0.4, "swap n, h\n(transpose)",
            fontsize=9, va="center", color="#222222")
    del row_width
    # W_o drawn as its own matrix, under the last arrow.
    arrow_mid = ends[1][1] - 0.5
    _box(ax, arrow_mid - 1.0, -2.4, 2.0, 1.5, f"W_o\n{d_model} x {d_model}", "#f4cccc",
         fontsize=10)
    ax.annotate("", xy=(arrow_mid, tops[1] + bh / 2 - 0.08), xytext=(arrow_mid, -0.85),
                arrowprops={"arrowstyle": "->", "linewidth": 1.4, "color": "#990000"})
    ax.set_title(
        f"Multi-head attention: n = {n} tokens, d_model = {d_model}, h = {h} heads, "
        f"d_head = d_model / h = {d_head}", fontsize=12,
    )
    plt.close(fig)
    return fig


# ----------------------------------------------------------------------------- chapter 4


class _MultiHeadFigure:
    """One reusable figure: a head's weights (left) and the combined output (right).

    Only animated artists change between redraws (images, titles, token
    labels); they are drawn onto a background cached on the first draw.
    """

    def __init__(self, d_model: int) -> None:
        # A fixed layout: constrained layout would re-measure every label on each redraw.
        self.fig = Figure(figsize=(10.5, 4.8), dpi=_PNG_DPI)
        self.ax_w = self.fig.add_axes((0.1, 0.24, 0.34, 0.64))
        self.ax_o = self.fig.add_axes((0.62, 0.24, 0.27, 0.64))
        self.im_w = self.ax_w.imshow(np.zeros((2, 2)), cmap="viridis", vmin=0, vmax=1)
        # Output shown divided by its largest |value| (given in the title), so the
        # colour bar never changes and need not be redrawn.
        self.im_o = self.ax_o.imshow(np.zeros((2, d_model)), cmap="RdBu_r", vmin=-1, vmax=1,
                                     aspect="auto")
        self.fig.colorbar(self.im_w, cax=self.fig.add_axes((0.45, 0.24, 0.012, 0.64)),
                          label="weight")
        self.fig.colorbar(self.im_o, cax=self.fig.add_axes((0.9, 0.24, 0.012, 0.64)),
                          label="output / max |output|")
        self.ax_w.set_xlabel("key", labelpad=48)
        self.ax_w.set_ylabel("query", labelpad=58)
        self.ax_o.set_xlabel("output feature")
        self.ax_o.set_xticks(range(d_model), [str(i) for i in range(d_model)])
        # The output's rows line up with the weights' query rows (same height and
        # limits), so the query labels on the left serve both panels.
        self.ax_o.set_yticks([])
        self.ax_o.set_ylabel("query (same rows as on the left)")
        self.labels = [_TokenLabels(self.ax_w, "x"), _TokenLabels(self.ax_w, "y")]
        self.title_w = self.fig.text(0.27, 0.92, "", ha="center", fontsize=11)
        self.title_o = self.fig.text(0.755, 0.92, "", ha="center", fontsize=11)
        self.blit = _Blitter(self.fig, [self.im_w, self.im_o, self.title_w, self.title_o])
        self.tokens: tuple = ()

    def draw(self, tokens: list[str], weights: np.ndarray, out: np.ndarray, head: int,
             num_heads: int) -> bytes:
        n, d_model = out.shape
        if tuple(tokens) != self.tokens:
            self.tokens = tuple(tokens)
            for labels in self.labels:
                labels.set(tokens)
            _square_limits(self.ax_w, n, n)
            self.ax_o.set_ylim(n - 0.5, -0.5)
            self.blit.relabel([text for labels in self.labels for text in labels.visible])
        self.im_w.set_data(weights)
        self.im_w.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        top = float(np.abs(out).max()) or 1.0
        self.im_o.set_data(out / top)
        self.im_o.set_extent((-0.5, d_model - 0.5, n - 0.5, -0.5))
        d_head = d_model // num_heads
        self.title_w.set_text(f"head {head} of {num_heads} (d_head = {d_head}): weights")
        self.title_o.set_text(f"output = concat(heads) W_o  (max |output| {top:.2f})")
        return self.blit.png()


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
    drawing = _MultiHeadFigure(D_MODEL)
    # continuous_update=False: redraw when the reader presses Enter, not per keystroke.
    text = widgets.Text(value=sentence, description="sentence", continuous_update=False,
                        layout=widgets.Layout(width="420px"))
    heads = widgets.Dropdown(options=head_choices(D_MODEL), value=num_heads,
                             description="heads")
    head_slider = widgets.IntSlider(value=head, min=0, max=max(num_heads - 1, 0),
                                    description="head")

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
        return drawing.draw(tokens, weights[head], out, head, num_heads)

    return guarded_view(
        {"text": text, "num_heads": heads, "head": head_slider}, render,
        alt=f"Head {head} of {num_heads}: attention weights and combined output for "
            f"'{sentence}'",
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


def _bar_polygons(positions: np.ndarray, heights: np.ndarray, width: float = 0.8) -> np.ndarray:
    """Rectangles (k, 4, 2) for bars at ``positions`` with ``heights``."""
    left, right = positions - width / 2, positions + width / 2
    zeros = np.zeros_like(left, dtype=float)
    xs = np.stack([left, left, right, right], axis=1)
    ys = np.stack([zeros, heights, heights, zeros], axis=1)
    return np.stack([xs, ys], axis=2)


class _MaskFigure:
    """One reusable figure: weights with masked cells grey (left), the query row (right).

    Only animated artists change between redraws (image, row box, bars,
    titles, token labels); they are drawn onto a background cached once.
    """

    def __init__(self) -> None:
        self.fig = Figure(figsize=(10.5, 4.8), dpi=_PNG_DPI)
        self.ax_w = self.fig.add_axes((0.1, 0.24, 0.34, 0.64))
        self.ax_r = self.fig.add_axes((0.6, 0.24, 0.37, 0.64))
        cmap = plt.get_cmap("viridis").with_extremes(bad="#d0d0d0")
        self.im = self.ax_w.imshow(np.zeros((2, 2)), cmap=cmap, vmin=0, vmax=1)
        self.fig.colorbar(self.im, cax=self.fig.add_axes((0.45, 0.24, 0.012, 0.64)),
                          label="weight (grey = masked)")
        self.row_box = patches.Rectangle((0, 0), 1, 1, fill=False, edgecolor="red",
                                         linewidth=2)
        self.ax_w.add_patch(self.row_box)
        self.ax_w.set_xlabel("key", labelpad=48)
        self.ax_w.set_ylabel("query", labelpad=58)
        self.ax_r.set_ylim(0, 1.05)
        self.ax_r.set_ylabel("weight")
        self.ax_r.set_xlabel("key", labelpad=48)
        self.legend = self.ax_r.legend(
            [patches.Patch(facecolor="#d0d0d0", edgecolor="#777777", hatch="xx")],
            ["masked key (weight 0)"], loc="upper right", fontsize=9)
        self.labels = [_TokenLabels(self.ax_w, "x"), _TokenLabels(self.ax_w, "y"),
                       _TokenLabels(self.ax_r, "x")]
        self.title_w = self.fig.text(0.27, 0.92, "", ha="center", fontsize=11)
        self.title_r = self.fig.text(0.785, 0.92, "", ha="center", fontsize=11)
        self.blit = _Blitter(self.fig, [self.im, self.row_box, self.title_w, self.title_r])
        # Bars as two polygon collections: updating their vertices is much faster
        # than creating one Rectangle artist per token.
        self.bars = PolyCollection([], facecolor="#3b75af", animated=True)
        self.hatches = PolyCollection([], facecolor="#d0d0d0", edgecolor="#777777",
                                      hatch="xx", animated=True)
        self.ax_r.add_collection(self.bars)
        self.ax_r.add_collection(self.hatches)
        self.tokens: tuple = ()

    def _relabel(self, tokens: list[str]) -> None:
        n = len(tokens)
        self.ax_r.set_xlim(-0.6, n - 0.4)
        for labels in self.labels:
            labels.set(tokens)
        _square_limits(self.ax_w, n, n)
        self.blit.relabel([text for labels in self.labels for text in labels.visible])

    def draw(self, tokens: list[str], weights: np.ndarray, mask: np.ndarray, query: int,
             choice: str) -> bytes:
        n = len(tokens)
        if self.tokens != tuple(tokens):
            self.tokens = tuple(tokens)
            self._relabel(tokens)
        self.im.set_data(np.ma.masked_array(weights, mask=~mask))
        self.im.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        self.row_box.set_bounds(-0.5, query - 0.5, n, 1)
        self.title_w.set_text(f"weights, mask: {choice}")
        row, allowed = weights[query], mask[query]
        self.bars.set_verts(_bar_polygons(np.arange(n), row))
        masked = np.flatnonzero(~allowed)
        self.hatches.set_verts(_bar_polygons(masked, np.full(len(masked), 0.05)))
        self.title_r.set_text(f"query {query} '{tokens[query]}': row sums to "
                              f"{float(row.sum()):.3f}")
        return self.blit.png([self.bars, self.hatches])


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
    drawing = _MaskFigure()
    # continuous_update=False: redraw when the reader presses Enter, not per keystroke.
    text = widgets.Text(value=sentence, description="sentence", continuous_update=False,
                        layout=widgets.Layout(width="420px"))
    choice = widgets.Dropdown(options=list(MASK_CHOICES), value=mask, description="mask")
    start_tokens, _ = explorer_mask(tokenize(sentence), mask)
    query_slider = widgets.IntSlider(value=query, min=0, max=len(start_tokens) - 1,
                                     description="query")

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
        return drawing.draw(tokens, weights, allowed, query, mask)

    return guarded_view(
        {"text": text, "mask": choice, "query": query_slider}, render,
        alt=f"Attention weights with the {mask} mask for '{sentence}', query {query}",
    )
