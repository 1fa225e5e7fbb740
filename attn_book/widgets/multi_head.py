"""Chapter 4's local widget: where W_o acts, and how it mixes the heads.

Edit the sentence, choose the number of heads H and pick a head: the left
panel is that head's part of ``concat(heads)`` (its d_head features, zeros
elsewhere), the right panel the same part after ``W_o``, the head's share of
the output, which reaches every output feature (the H shares add up to the
output; :func:`attn_book.heads.head_shares`). One head's attention weights
are the kernel-free explorer's job, next to the chapter's heatmaps.

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
from attn_book.heads import chapter_projections, head_shares
from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.tokens import D_MODEL, EXAMPLE_SENTENCES, MAX_TOKENS, dropped_note, embed, tokenize
from attn_book.widgets.view import WidgetWithFallback, fit_to_content, guarded_view
from attn_core._validation import check_int

#: Token labels longer than this are cut (with an ellipsis), so one long word
#: cannot push the heatmaps aside.
_MAX_LABEL_CHARS = 10


def _labels(tokens: Sequence[str]) -> list[str]:
    return [
        t if len(t) <= _MAX_LABEL_CHARS else t[: _MAX_LABEL_CHARS - 1] + "\u2026" for t in tokens
    ]


def _shares_png(
    tokens: list[str], before: np.ndarray, after: np.ndarray, head: int, num_heads: int
) -> bytes:
    """One head's part of concat(heads) (left) and its share of the output (right), as PNG."""
    n, d_model = after.shape
    d_head = d_model // num_heads
    labels = _labels(tokens)
    features = [str(i) for i in range(d_model)]
    # One colour scale for both panels, symmetric, to the largest |value| rounded
    # up to one decimal: the two panels can be compared cell by cell.
    top = float(np.ceil(10 * max(np.abs(before).max(), np.abs(after).max())) / 10) or 1.0
    name = head_label(head, num_heads).capitalize()
    first, last = head * d_head, (head + 1) * d_head - 1
    own = f"feature {first}" if first == last else f"features {first}-{last}"
    scale = {"cmap": "RdBu_r", "vmin": -top, "vmax": top}
    return heatmaps_png(
        [
            Panel(
                before,
                labels,
                features,
                title=f"{name} before W_o: its\n{own} of concat(heads)",
                xlabel="concat feature",
                ylabel="token",
                **scale,
            ),
            Panel(
                after,
                labels,
                features,
                title=f"{name} after W_o: its\nshare of the output",
                xlabel="output feature",
                **scale,
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
    """Chapter 4's widget: sentence, number of heads H, head -> that head before and after W_o.

    The left panel is the head's part of ``concat(heads)``: its ``d_head``
    context features, zeros in the other heads' features. The right panel is
    that part times ``W_o``: the head's share of the output, spread over
    every output feature. The H shares add up to the output
    (:func:`attn_book.heads.head_shares`). The model is chapter 3's toy
    embeddings and projections, split into heads, with the chapters' seeded
    ``W_o`` (:func:`attn_book.heads.chapter_projections`). Heads are counted
    from 1 in the menu and the titles.

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
                f"d_model / H features, so choose one of {head_choices(D_MODEL)}"
            )
        if not 0 <= head < num_heads:
            raise ValueError(f"head must be between 1 and {num_heads}, got {head + 1}")
        shares = head_shares(embed(tokens), *weights_in, num_heads)
        return _shares_png(tokens, shares.before[head], shares.after[head], head, num_heads)

    view = guarded_view(
        {"text": text, "num_heads": heads, "head": head_menu},
        render,
        alt=f"{head_label(head, num_heads).capitalize()} before and after W_o "
        f"(its share of the output) for '{sentence}'",
        note=lambda text, **_: dropped_note(text),
    )
    return view
