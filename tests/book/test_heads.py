"""Tests of attn_book.heads: the chapters' multi-head layer, head shares, hand-built heads."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.heads import chapter_projections, designed_heads, random_projections
from attn_book.tokens import (
    EXAMPLE_SENTENCES,
    MAX_TOKENS,
    embed,
    self_attention_projections,
    tokenize,
)
from attn_book.views.attention import attention_outputs
from attn_core import multi_head_attention


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
def test_the_heads_shares_the_explorer_draws_add_up_to_the_output(num_heads):
    text = "the cat sat on the mat"
    w = chapter_projections()
    out, weights = multi_head_attention(embed(tokenize(text)), *w, num_heads)
    shares = []
    for h in range(num_heads):
        shown = attention_outputs(text, w, heads=num_heads, head=h, panels=["share"])
        (_, _, part), (_, _, share) = shown["panel_values"]
        d_head = 8 // num_heads
        assert not np.delete(part, np.s_[h * d_head : (h + 1) * d_head], axis=1).any()
        np.testing.assert_allclose(shown["weights"], weights, atol=1e-12)
        shares.append(share)
    np.testing.assert_allclose(np.sum(shares, axis=0), out, atol=1e-12)


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
