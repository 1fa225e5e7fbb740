"""The chapter 3 widget: edit a sentence, toggle the scaling, pick a query token.

Left panel: the attention weights ``A = softmax(Q K^T / sqrt(d_k))`` of the
toy embeddings (:mod:`attn_book.tokens`), with the chosen query's row
outlined and its weights written in the cells. Right panel: the context
vectors ``C = A V``, one row per token, one column per named feature (``W_v``
keeps the six named features, so the columns keep their meaning).

It computes chapter 3's running example,
:func:`attn_book.tokens.narrow_projections` (``d_model = 8``, ``d_k = 7``,
``d_v = 6``), so its numbers are the chapter's.

The picture is drawn with Pillow (:mod:`attn_book.heatmap_png`): a
matplotlib redraw of the labelled heatmaps takes several times the 50 ms a
widget may take to answer a change.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.tokens import (
    EXAMPLE_SENTENCES,
    FEATURE_NAMES,
    MAX_TOKENS,
    dropped_note,
    embed,
    narrow_projections,
    tokenize,
)
from attn_book.widgets.view import WidgetWithFallback, guarded_view
from attn_core import scaled_dot_product_attention


def self_attention(tokens: list[str], scaled: bool = True) -> dict[str, np.ndarray]:
    """Every intermediate of chapter 3's self-attention on the toy embeddings.

    The projections are :func:`attn_book.tokens.narrow_projections`.

    Parameters
    ----------
    tokens : list of str
        Words, e.g. from :func:`attn_book.tokens.tokenize`.
    scaled : bool, default True
        Divide the scores by ``sqrt(d_k)`` (True) or not (False).

    Returns
    -------
    dict of str to ndarray
        ``x`` (n, d_model), ``q``, ``k`` (n, d_k), ``v`` (n, d_v), ``scores`` (n, n),
        ``weights`` (n, n), ``context`` (n, d_v).
    """
    x = embed(tokens)
    w_q, w_k, w_v = narrow_projections(x.shape[1])
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    scale = 1.0 / np.sqrt(k.shape[-1]) if scaled else 1.0
    context, weights = scaled_dot_product_attention(q, k, v, scale=scale)
    return {
        "x": x,
        "q": q,
        "k": k,
        "v": v,
        "scores": (q @ k.T) * scale,
        "weights": weights,
        "context": context,
    }


def render_self_attention(text: str, scaled: bool = True, query: int = 0) -> bytes:
    """Draw one sentence's attention weights and context vectors; return PNG bytes.

    Parameters
    ----------
    text : str
        The sentence; tokenized with :func:`attn_book.tokens.tokenize`.
    scaled : bool
        Divide scores by ``sqrt(d_k)``.
    query : int
        Position of the query token; positions past the end pick the last token.

    Returns
    -------
    bytes
        A PNG: weights ``A`` (query row outlined, its weights written in) and
        context vectors ``C`` (same row outlined), drawn with
        :func:`attn_book.heatmap_png.heatmaps_png`.

    Raises
    ------
    ValueError
        For empty text, text without words, or more than
        :data:`attn_book.tokens.MAX_TOKENS` words.
    TypeError
        If ``text`` is not a str.
    """
    tokens = tokenize(text, max_tokens=MAX_TOKENS)
    n = len(tokens)
    query = min(max(int(query), 0), n - 1)
    steps = self_attention(tokens, scaled)
    row = steps["weights"][query]
    top = int(row.argmax())
    how = "scores / sqrt(d_k)" if scaled else "scores NOT scaled"
    weights_panel = Panel(
        steps["weights"],
        tokens,
        tokens,
        title=f"weights A ({how})\nquery '{tokens[query]}' puts {row[top]:.2f} on '{tokens[top]}'",
        highlight_row=query,
        xlabel="key token",
        ylabel="query token",
    )
    context_panel = Panel(
        steps["context"],
        tokens,
        FEATURE_NAMES[: steps["context"].shape[1]],
        title=f"context vectors C = A V\n(row of '{tokens[query]}' outlined)",
        cmap="RdBu_r",
        vmin=-1.0,
        vmax=1.0,
        highlight_row=query,
        xlabel="feature",
    )
    return heatmaps_png([weights_panel, context_panel])


def self_attention_widget(
    text: str = EXAMPLE_SENTENCES["pronoun"],
    scaled: bool = True,
    query: int | None = None,
) -> WidgetWithFallback:
    """Chapter 3's widget: self-attention on one sentence, live (a PNG offline).

    Parameters
    ----------
    text : str
        Initial sentence.
    scaled : bool
        Initial state of the "divide by sqrt(d_k)" toggle.
    query : int, optional
        Initial query position; by default the first pronoun, else 0.

    Returns
    -------
    WidgetWithFallback
        Controls ``text``, ``scaled`` and ``query``; ``view.redraw()`` redraws.

    Raises
    ------
    ValueError
        If the initial text is rejected by :func:`attn_book.tokens.tokenize`.
    """
    tokens = tokenize(text, max_tokens=MAX_TOKENS)
    if query is None:
        pronouns = [i for i, t in enumerate(tokens) if t in ("it", "they", "he", "she")]
        query = pronouns[0] if pronouns else 0
    controls = {
        "text": widgets.Text(
            value=text,
            description="sentence",
            continuous_update=False,
            layout=widgets.Layout(width="420px"),
        ),
        "scaled": widgets.Checkbox(value=scaled, description="divide by sqrt(d_k)"),
        "query": widgets.IntSlider(value=query, min=0, max=len(tokens) - 1, description="query #"),
    }

    def fit_slider(change: dict[str, Any]) -> None:
        # Keep the query slider within the new sentence; bad text is reported by render.
        try:
            controls["query"].max = len(tokenize(change["new"], max_tokens=MAX_TOKENS)) - 1
        except (TypeError, ValueError):
            pass

    # Registered before guarded_view's redraw, so the slider is fitted first.
    controls["text"].observe(fit_slider, names="value")
    return guarded_view(
        controls,
        render_self_attention,
        alt="Heatmap of self-attention weights for the sentence, and its context vectors.",
        note=lambda text, **_: dropped_note(text),
    )
