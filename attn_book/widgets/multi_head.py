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

from attn_book.choices import head_choices, head_label
from attn_book.heads import chapter_projections
from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.tokens import D_MODEL, EXAMPLE_SENTENCES, MAX_TOKENS, dropped_note, embed, tokenize
from attn_book.widgets.view import WidgetWithFallback, fit_to_content, guarded_view
from attn_core import multi_head_attention
from attn_core._validation import check_int

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
                title=f"{head_label(head, num_heads)} (d_head = {d_model // num_heads}):\n"
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


def _sentence_box(sentence: str, width: str = "420px") -> widgets.Text:
    """The text box the widgets share for editing the sentence."""
    # continuous_update=False: redraw when the reader presses Enter, not per keystroke.
    return widgets.Text(
        value=sentence,
        description="sentence",
        continuous_update=False,
        layout=widgets.Layout(width=width),
    )


def head_options(num_heads: int) -> list[tuple[str, int]]:
    """A head menu's options: the reader sees heads counted from 1, the code gets 0, 1, ...

    Examples
    --------
    >>> head_options(2)
    [('1', 0), ('2', 1)]
    """
    return [(str(h + 1), h) for h in range(check_int(num_heads, "num_heads", minimum=1))]


def multi_head_widget(
    sentence: str = EXAMPLE_SENTENCES["pronoun"], num_heads: int = 4, head: int = 0
) -> WidgetWithFallback:
    """Chapter 4's widget: sentence, number of heads, head -> heatmap and output.

    The model is chapter 3's toy embeddings and projections, split into heads,
    with the chapters' seeded ``W_o`` (:func:`attn_book.heads.chapter_projections`).
    Heads are counted from 1 in the menu and the titles.

    Parameters
    ----------
    sentence : str
        The starting sentence.
    num_heads : int
        Starting number of heads; one of :func:`attn_book.choices.head_choices`.
    head : int
        Starting head index, ``0 <= head < num_heads`` (shown as ``head + 1``).

    Returns
    -------
    WidgetWithFallback
        Controls ``text``, ``num_heads`` (a menu of the divisors of d_model)
        and ``head`` (a menu labelled 1..num_heads whose values are 0..num_heads-1).

    Raises
    ------
    TypeError, ValueError
        If the starting values are invalid.
    """
    check_int(num_heads, "num_heads", minimum=1)
    check_int(head, "head", minimum=0, maximum=num_heads - 1)
    weights_in = chapter_projections()
    text = _sentence_box(sentence)
    heads = fit_to_content(
        widgets.Dropdown(options=head_choices(D_MODEL), value=num_heads, description="heads")
    )
    head_menu = fit_to_content(
        widgets.Dropdown(options=head_options(num_heads), value=head, description="head")
    )

    def keep_head_in_range(change: dict) -> None:
        # Registered before guarded_view's redraw, so the head menu is valid first;
        # held, so the menu's own changes do not redraw (the heads change does, once).
        count = int(change["new"])
        if count not in head_choices(D_MODEL):
            return  # render explains it
        with view.hold():
            keep = min(head_menu.value, count - 1)
            head_menu.options = head_options(count)
            head_menu.value = keep

    heads.observe(keep_head_in_range, names="value")

    def render(text: str, num_heads: int, head: int) -> bytes:
        tokens = tokenize(text, max_tokens=MAX_TOKENS)
        if num_heads not in head_choices(D_MODEL):
            raise ValueError(
                f"{num_heads} heads do not divide d_model = {D_MODEL}: each head gets "
                f"d_model / h features, so choose one of {head_choices(D_MODEL)}"
            )
        if not 0 <= head < num_heads:
            raise ValueError(f"head must be between 1 and {num_heads}, got {head + 1}")
        out, weights = multi_head_attention(embed(tokens), *weights_in, num_heads)
        return _multi_head_png(tokens, weights[head], out, head, num_heads)

    view = guarded_view(
        {"text": text, "num_heads": heads, "head": head_menu},
        render,
        alt=f"{head_label(head, num_heads).capitalize()}: attention weights and combined "
        f"output for '{sentence}'",
        note=lambda text, **_: dropped_note(text),
    )
    return view
