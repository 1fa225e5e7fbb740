"""Tests of attn_book.tokens.narrow_projections, chapter 3's running example."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.tokens import (
    EXAMPLE_SENTENCES,
    FEATURE_NAMES,
    embed,
    narrow_projections,
    self_attention_projections,
    tokenize,
)
from attn_core import scaled_dot_product_attention


@pytest.mark.parametrize("d_model", [8, 16])
def test_shapes_and_the_three_widths_differ(d_model):
    w_q, w_k, w_v = narrow_projections(d_model)
    assert w_q.shape == w_k.shape == (d_model, d_model - 1)
    assert w_v.shape == (d_model, 6)
    assert len({d_model, w_k.shape[1], w_v.shape[1]}) == 3
    assert all(w.dtype == np.float64 for w in (w_q, w_k, w_v))


@pytest.mark.parametrize("d_model", [8, 16])
def test_same_raw_scores_as_the_square_projections(d_model):
    x = embed(tokenize(EXAMPLE_SENTENCES["pronoun"]), d_model)
    w_q, w_k, w_v = narrow_projections(d_model)
    s_q, s_k, s_v = self_attention_projections(d_model)
    np.testing.assert_allclose((x @ w_q) @ (x @ w_k).T, (x @ s_q) @ (x @ s_k).T)
    # The values are the six named features of each embedding.
    np.testing.assert_array_equal(x @ w_v, x[:, : len(FEATURE_NAMES[:6])])


@pytest.mark.parametrize("name", sorted(EXAMPLE_SENTENCES))
def test_designed_patterns_survive(name):
    tokens = tokenize(EXAMPLE_SENTENCES[name])
    x = embed(tokens)
    w_q, w_k, w_v = narrow_projections()
    _, weights = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v)
    for pronoun in ("it", "they"):
        if pronoun in tokens:
            top = tokens[int(weights[tokens.index(pronoun)].argmax())]
            assert top in ("cat", "dog")


def test_rejects_small_d_model():
    with pytest.raises(ValueError, match="d_model"):
        narrow_projections(6)
