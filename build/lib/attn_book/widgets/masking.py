"""Chapter 5's local widget: edit the sentence, choose a mask, pick a query."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.tokens import EXAMPLE_SENTENCES, PAD, embed, self_attention_projections, tokenize
from attn_book.widgets.multi_head import _labels, _sentence_box
from attn_book.widgets.view import WidgetWithFallback, guarded_view
from attn_core import causal_mask, combine_masks, key_padding_mask, scaled_dot_product_attention

#: The masks the masking explorer offers.
MASK_CHOICES: tuple[str, ...] = ("none", "causal", "padding", "causal + padding")
#: Padding tokens the masking explorer appends (as if batched with a longer sentence).
EXPLORER_PADDING: int = 3


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


def masking_widget(
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
