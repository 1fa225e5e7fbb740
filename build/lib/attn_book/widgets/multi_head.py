"""Chapter 4's local widget: edit the sentence, choose the number of heads, pick a head.

Built with :func:`attn_book.widgets.view.guarded_view` and drawn with Pillow
(:func:`attn_book.heatmap_png.heatmaps_png`): a matplotlib redraw of the
labelled heatmaps spends 50-65 ms laying out tick-label text alone, more than
a widget may take to answer a change.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from attn_book.heads import random_projections
from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.tokens import D_MODEL, EXAMPLE_SENTENCES, embed, self_attention_projections, tokenize
from attn_book.widgets.view import WidgetWithFallback, guarded_view
from attn_core import multi_head_attention
from attn_core._validation import check_int


def head_choices(d_model: int = D_MODEL) -> list[int]:
    """The numbers of heads that divide ``d_model`` (the only valid choices).

    Examples
    --------
    >>> head_choices(8)
    [1, 2, 4, 8]
    """
    check_int(d_model, "d_model", minimum=1)
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


def multi_head_widget(
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
