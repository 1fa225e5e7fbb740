"""Tests of attn_book.heads: the chapters' multi-head layer, head shares, hand-built heads."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.heads import chapter_projections, designed_heads, head_shares, random_projections
from attn_book.tokens import (
    EXAMPLE_SENTENCES,
    MAX_TOKENS,
    embed,
    self_attention_projections,
    tokenize,
)
from attn_core import causal_mask, multi_head_attention


def test_chapter_projections_are_chapter_3s_and_a_seeded_w_o():
    *w_in, w_o = chapter_projections()
    for mine, designed in zip(w_in, self_attention_projections(), strict=True):
        np.testing.assert_array_equal(mine, designed)
    np.testing.assert_array_equal(w_o, chapter_projections()[3])
    assert not np.allclose(w_o, np.eye(8))


def test_random_projections_are_seeded():
    a, b, c = random_projections(6, seed=2), random_projections(6, seed=2), random_projections(6, 3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0]) and all(w.shape == (6, 6) for w in a)


@pytest.mark.parametrize("num_heads", [1, 2, 4, 8])
def test_head_shares_split_the_output_by_head(num_heads):
    x = embed(tokenize("the cat sat on the mat"))
    w = chapter_projections()
    shares = head_shares(x, *w, num_heads)
    out, weights = multi_head_attention(x, *w, num_heads)
    np.testing.assert_allclose(shares.after.sum(axis=0), out, atol=1e-12)
    np.testing.assert_array_equal(shares.weights, weights)
    concat, _ = multi_head_attention(x, *w[:3], np.eye(8), num_heads)
    d_head = 8 // num_heads
    for h in range(num_heads):
        own = slice(h * d_head, (h + 1) * d_head)
        np.testing.assert_array_equal(shares.before[h][:, own], concat[:, own])
        assert np.count_nonzero(shares.before[h]) == np.count_nonzero(concat[:, own])
        np.testing.assert_allclose(shares.after[h], concat[:, own] @ w[3][own], atol=1e-12)


def test_head_shares_with_a_batch_a_mask_and_float32():
    x = np.random.default_rng(0).normal(size=(3, 5, 6)).astype(np.float32)
    w = [m.astype(np.float32) for m in random_projections(6, seed=2)]
    shares = head_shares(x, *w, 3, mask=causal_mask(5))
    out, _ = multi_head_attention(x, *w, 3, causal_mask(5))
    assert shares.after.shape == (3, 3, 5, 6) and shares.after.dtype == np.float32
    np.testing.assert_allclose(shares.after.sum(axis=-3), out, atol=1e-5)


@pytest.mark.parametrize("name", sorted(EXAMPLE_SENTENCES))
def test_designed_heads_do_their_jobs(name):
    tokens = tokenize(EXAMPLE_SENTENCES[name])
    model = designed_heads(tokens)
    out, weights = multi_head_attention(model.x, *model.weights, model.num_heads)
    n = len(tokens)
    # Head 1: the previous token (the first token attends to itself).
    assert weights[0].argmax(axis=-1).tolist() == [0, *range(n - 1)]
    assert min(weights[0, i, i - 1] for i in range(1, n)) > 0.95
    # Head 2: copies of the same word, even for the closest two different words.
    same = np.array([[a == b for b in tokens] for a in tokens])
    assert ((weights[1] * same).sum(axis=-1) > 0.99).all()
    # Output features 0-5 hold the previous word's named features, 8-13 the word's own.
    np.testing.assert_allclose(out[1:, :6], model.x[:-1, :6], atol=0.05)
    np.testing.assert_allclose(out[:, 8:14], model.x[:, :6], atol=0.05)


def test_previous_token_head_works_at_the_longest_sentence():
    model = designed_heads([f"w{i}" for i in range(MAX_TOKENS)])
    _, weights = multi_head_attention(model.x, *model.weights, model.num_heads)
    assert weights[0, 1:].argmax(axis=-1).tolist() == list(range(MAX_TOKENS - 1))
