"""Tests of attn_book.heads: hand-built heads with predictable patterns."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.heads import (
    MAX_POSITIONS,
    ROLES,
    W_O_SEED,
    chapter_projections,
    designed_heads,
    position_features,
    random_projections,
)
from attn_book.tokens import EXAMPLE_SENTENCES, MAX_TOKENS, self_attention_projections, tokenize
from attn_core import multi_head_attention


def test_one_token_limit():
    assert MAX_POSITIONS == MAX_TOKENS


def test_chapter_projections_are_chapter_3_plus_one_seeded_w_o():
    w_q, w_k, w_v, w_o = chapter_projections()
    for mine, designed in zip((w_q, w_k, w_v), self_attention_projections(), strict=True):
        np.testing.assert_array_equal(mine, designed)
    assert W_O_SEED == 4  # chapter 4's printed numbers depend on it
    np.testing.assert_array_equal(w_o, random_projections(8, seed=4)[3])


@pytest.mark.parametrize("name", sorted(EXAMPLE_SENTENCES))
def test_designed_heads_do_their_jobs(name):
    tokens = tokenize(EXAMPLE_SENTENCES[name])
    model = designed_heads(tokens)
    out, weights = multi_head_attention(model.x, *model.weights, model.num_heads)
    n = len(tokens)
    assert model.x.shape == (n, 16) and weights.shape == (2, n, n) and model.roles == ROLES
    # Head 0: the previous token (the first token attends to itself).
    assert weights[0].argmax(axis=-1).tolist() == [0] + list(range(n - 1))
    assert min(weights[0, i, i - 1] for i in range(1, n)) > 0.95
    # Head 1: copies of the same word.
    same = np.array([[a == b for b in tokens] for a in tokens])
    assert ((weights[1] * same).sum(axis=-1) > 0.95).all()
    # Output features 0-5 hold the previous word's named features.
    assert np.allclose(out[1:, :6], model.x[:-1, :6], atol=0.05)


def test_previous_token_head_works_at_the_longest_sentence():
    tokens = [f"w{i}" for i in range(MAX_POSITIONS)]
    model = designed_heads(tokens)
    _, weights = multi_head_attention(model.x, *model.weights, model.num_heads)
    assert weights[0, 1:].argmax(axis=-1).tolist() == list(range(MAX_POSITIONS - 1))


def test_position_features():
    features = position_features(3)
    assert np.allclose(
        features * [1, MAX_POSITIONS, MAX_POSITIONS**2], [[1, 0, 0], [1, 1, 1], [1, 2, 4]]
    )


def test_random_projections_are_seeded():
    a = random_projections(6, seed=2)
    b = random_projections(6, seed=2)
    c = random_projections(6, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    assert all(w.shape == (6, 6) for w in a)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: designed_heads(["w"] * (MAX_POSITIONS + 1)), ValueError, "at most 64"),
        (lambda: designed_heads("the cat"), TypeError, "list of words"),
        (lambda: designed_heads(["a"], sharpness=0.0), ValueError, "sharpness must be"),
        (lambda: designed_heads(["a"], same_word_strength="x"), TypeError, "must be a number"),
        (lambda: position_features(0), ValueError, "at least 1"),
        (lambda: position_features(65), ValueError, "at most 64"),
        (lambda: position_features(2.0), TypeError, "n must be an int"),
        (lambda: random_projections(0), ValueError, "at least 1"),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
