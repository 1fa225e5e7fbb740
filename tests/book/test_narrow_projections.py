"""Tests of attn_book.tokens.narrow_projections, chapter 3's running example."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.tokens import (
    EXAMPLE_SENTENCES,
    embed,
    narrow_projections,
    self_attention_projections,
    tokenize,
)
from attn_core import scaled_dot_product_attention


@pytest.mark.parametrize("d_model", [8, 16])
def test_same_raw_scores_as_the_square_projections_and_named_values(d_model):
    x = embed(tokenize(EXAMPLE_SENTENCES["pronoun"]), d_model)
    w_q, w_k, w_v = narrow_projections(d_model)
    assert len({d_model, w_k.shape[1], w_v.shape[1]}) == 3  # three widths
    s_q, s_k, _ = self_attention_projections(d_model)
    np.testing.assert_allclose((x @ w_q) @ (x @ w_k).T, (x @ s_q) @ (x @ s_k).T)
    np.testing.assert_array_equal(x @ w_v, x[:, :6])  # the six named features


@pytest.mark.parametrize("name", sorted(EXAMPLE_SENTENCES))
def test_pronouns_find_an_animate_noun(name):
    tokens = tokenize(EXAMPLE_SENTENCES[name])
    x = embed(tokens)
    w_q, w_k, w_v = narrow_projections()
    _, weights = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v)
    for pronoun in {"it", "they"} & set(tokens):
        assert tokens[int(weights[tokens.index(pronoun)].argmax())] in ("cat", "dog")
