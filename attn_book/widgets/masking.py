"""Chapter 5's local widget: edit the sentence, choose a mask, pick a query."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from attn_book.choices import MASK_CHOICES, MASK_RULES, check_mask_choice, mask_for_choice
from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.tokens import (
    EXAMPLE_SENTENCES,
    MAX_TOKENS,
    PAD,
    dropped_note,
    embed,
    self_attention_projections,
    tokenize,
)
from attn_book.widgets.multi_head import _labels, _sentence_box
from attn_book.widgets.view import WidgetWithFallback, fit_to_content, guarded_view
from attn_core import scaled_dot_product_attention
from attn_core._validation import check_int

#: Padding tokens the padding choices append (as if batched with a longer sentence).
PADDING_TOKENS: int = 3
#: Cell size of the widget's heatmap in pixels up to 16 rows: small enough that
#: the figure and the controls beside it fit in a laptop window together.
#: Longer sentences get heatmaps_png's own smaller cells.
_CELL = 24


def masked_sentence(tokens: Sequence[str], choice: str) -> tuple[list[str], np.ndarray]:
    """The widget's tokens (padded when the choice needs it) and their mask.

    Parameters
    ----------
    tokens : sequence of str
        The sentence.
    choice : str
        One of :data:`attn_book.choices.MASK_CHOICES`. The padding choices
        append :data:`PADDING_TOKENS` pad tokens, as if the sentence were
        batched with one that many tokens longer.

    Returns
    -------
    tokens : list of str
    mask : ndarray of bool, shape (n, n)
        :func:`attn_book.choices.mask_for_choice`: True = may attend; the pad
        keys are masked, the pad query rows are not (their output is discarded).

    Raises
    ------
    ValueError
        For an unknown choice.

    Examples
    --------
    >>> tokens, mask = masked_sentence(["a", "b"], "causal + padding")
    >>> tokens
    ['a', 'b', '<pad>', '<pad>', '<pad>']
    >>> mask.astype(int)[4].tolist()
    [1, 1, 0, 0, 0]
    """
    pads = PADDING_TOKENS if MASK_RULES[check_mask_choice(choice)]["padding"] else 0
    tokens = list(tokens) + [PAD] * pads
    real = [True] * (len(tokens) - pads) + [False] * pads
    return tokens, mask_for_choice(choice, real)


def _masking_png(
    tokens: list[str], weights: np.ndarray, mask: np.ndarray, query: int, choice: str, pads: int
) -> bytes:
    """Weights with masked cells grey and the query row outlined (left), and that
    row turned into a column, each key labelled with its weight (right); PNG bytes."""
    labels = _labels(tokens)
    row = weights[query]
    padding_query = query >= len(tokens) - pads
    keys = [
        f"{label}  {w:.2f}" if allowed else f"{label}  masked"
        for label, w, allowed in zip(labels, row, mask[query], strict=True)
    ]
    about = "padding: output discarded" if padding_query else f"row sum {float(row.sum()):.3f}"
    return heatmaps_png(
        [
            # All text in the left title: a title over the narrow column would be cut off.
            Panel(
                weights,
                labels,
                labels,
                masked=~mask,
                title=f"mask: {choice} (grey = masked)\nred box: query '{labels[query]}' ({about})",
                highlight_row=query,
                annotate_row=False,
                xlabel="key",
                ylabel="query",
            ),
            # A column (not a row) so the keys' weights can be written as horizontal labels.
            Panel(
                row[:, None],
                keys,
                ["weight"],
                masked=~mask[query][:, None],
                ylabel="key, weight",
            ),
        ],
        cell=_CELL if len(tokens) <= 16 else None,
        gap=24,
    )


def masking_widget(
    sentence: str = EXAMPLE_SENTENCES["pronoun"], mask: str = "causal", query: int = 7
) -> WidgetWithFallback:
    """Chapter 5's widget: sentence, mask, query -> weights and masked entries.

    One attention head with chapter 3's toy embeddings and projections; the
    controls sit beside the figure, so both stay in view.

    Parameters
    ----------
    sentence : str
        The starting sentence.
    mask : str
        One of :data:`attn_book.choices.MASK_CHOICES`.
    query : int
        Position of the query token (from 0) whose row is drawn on the right.

    Returns
    -------
    WidgetWithFallback
        Controls ``text``, ``mask`` and ``query``.

    Raises
    ------
    TypeError, ValueError
        If the starting values are invalid.
    """
    w_q, w_k, w_v = self_attention_projections()
    check_mask_choice(mask)
    start_tokens, _ = masked_sentence(tokenize(sentence, max_tokens=MAX_TOKENS), mask)
    check_int(query, "query", minimum=0, maximum=len(start_tokens) - 1)
    text = _sentence_box(sentence, width="20rem")
    choice = fit_to_content(
        widgets.Dropdown(options=list(MASK_CHOICES), value=mask, description="mask")
    )
    query_slider = widgets.IntSlider(
        value=query,
        min=0,
        max=len(start_tokens) - 1,
        description="query",
        layout=widgets.Layout(width="20rem"),
    )

    def keep_query_in_range(_change: dict) -> None:
        # Registered before guarded_view's redraw; bad text is reported by render.
        try:
            tokens, _ = masked_sentence(tokenize(text.value, max_tokens=MAX_TOKENS), choice.value)
        except (ValueError, TypeError):
            return
        with view.hold():  # a clamped query must not redraw before the new mask
            query_slider.max = len(tokens) - 1

    text.observe(keep_query_in_range, names="value")
    choice.observe(keep_query_in_range, names="value")

    def render(text: str, mask: str, query: int) -> bytes:
        tokens, allowed = masked_sentence(tokenize(text, max_tokens=MAX_TOKENS), mask)
        if not 0 <= query < len(tokens):
            raise ValueError(f"query must be between 0 and {len(tokens) - 1}, got {query}")
        x = embed(tokens)
        _, weights = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v, allowed)
        pads = PADDING_TOKENS if MASK_RULES[mask]["padding"] else 0
        return _masking_png(tokens, weights, allowed, query, mask, pads)

    view = guarded_view(
        {"text": text, "mask": choice, "query": query_slider},
        render,
        alt=f"Attention weights with the {mask} mask for '{sentence}', query {query}",
        note=lambda text, **_: dropped_note(text),
        layout="beside",
    )
    return view
