"""Tests of attn_core.masks: padding masks, combining masks, masking after the softmax."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core import (
    causal_mask,
    combine_masks,
    key_padding_mask,
    mask_after_softmax,
    scaled_dot_product_attention,
    softmax,
)
from tests.strategies import random_array, seeds


def test_key_padding_mask_marks_real_keys_with_a_query_axis():
    mask = key_padding_mask([3, 1, 2], n=4)
    assert mask.dtype == bool and mask.shape == (3, 1, 4)
    assert mask.sum(axis=(1, 2)).tolist() == [3, 1, 2]
    assert mask[1, 0].tolist() == [True, False, False, False]


def test_padding_is_right_when_the_batch_size_equals_the_length():
    # The trap a (batch, n) mask would hide: with batch == n it broadcasts as
    # (n_q, n_k) without an error. The (batch, 1, n) form cannot be misread.
    rng = np.random.default_rng(3)
    lengths = [3, 1, 2]
    x = rng.normal(size=(3, 3, 4))
    out, weights = scaled_dot_product_attention(x, x, x, key_padding_mask(lengths))
    for b, length in enumerate(lengths):
        alone, _ = scaled_dot_product_attention(x[b, :length], x[b, :length], x[b, :length])
        assert np.allclose(out[b, :length], alone)
        assert np.all(weights[b][:, length:] == 0.0)  # every query, padding rows too
        assert np.allclose(weights[b].sum(axis=-1), 1.0)  # padding queries read real keys


def test_key_padding_mask_broadcasts_over_queries_and_combines_with_causal():
    combined = combine_masks(causal_mask(3), key_padding_mask([2, 3]))
    assert combined.shape == (2, 3, 3)
    assert combined[0].astype(int).tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 0]]
    assert np.array_equal(combined[1], causal_mask(3))


@given(seed=seeds, n=st.integers(1, 6), batch=st.integers(1, 3))
def test_combine_is_logical_and(seed, n, batch):
    rng = np.random.default_rng(seed)
    a = rng.random((batch, n, n)) < 0.5
    b = rng.random((n, n)) < 0.5
    assert np.array_equal(combine_masks(a, b), a & b)


@given(seed=seeds, n=st.integers(1, 6))
def test_mask_after_softmax_equals_minus_inf_before(seed, n):
    scores = random_array(seed, (2, n, n), scale=3.0)
    mask = np.random.default_rng(seed).random((2, n, n)) < 0.6
    expected = softmax(np.where(mask, scores, -np.inf))
    assert np.allclose(mask_after_softmax(scores, mask), expected)


def test_zeroing_without_renormalising_breaks_row_sums():
    scores = random_array(0, (4, 4))
    weights = mask_after_softmax(scores, causal_mask(4), renormalise=False)
    sums = weights.sum(axis=-1)
    assert np.all(sums[:-1] < 1 - 1e-6) and np.isclose(sums[-1], 1.0)


def test_fully_masked_row_gives_zeros_not_nan():
    mask = np.array([[False, False], [True, False]])
    weights = mask_after_softmax(np.ones((2, 2)), mask)
    assert weights[0].tolist() == [0.0, 0.0] and weights[1].tolist() == [1.0, 0.0]


def test_padded_batch_matches_each_sentence_alone():
    rng = np.random.default_rng(1)
    lengths = [2, 5, 3]
    xs = [rng.normal(size=(length, 4)) for length in lengths]
    batch = np.zeros((3, 5, 4))
    for i, x in enumerate(xs):
        batch[i, : len(x)] = x
        batch[i, len(x) :] = 100.0  # pads hold garbage; the mask must hide it
    out, _ = scaled_dot_product_attention(batch, batch, batch, key_padding_mask(lengths))
    for i, x in enumerate(xs):
        alone, _ = scaled_dot_product_attention(x, x, x)
        assert np.allclose(out[i, : len(x)], alone)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: key_padding_mask([]), ValueError, "non-empty 1-D"),
        (lambda: key_padding_mask([2, 0]), ValueError, "at least 1"),
        (lambda: key_padding_mask([1.5]), TypeError, "must hold ints"),
        (lambda: key_padding_mask([3], n=2), ValueError, "shorter than the longest"),
        (lambda: key_padding_mask([3], n=4.0), TypeError, "n must be an int"),
        (lambda: combine_masks(), ValueError, "at least one mask"),
        (lambda: combine_masks(np.ones((2, 2))), TypeError, "mask 0 must be boolean"),
        (
            lambda: combine_masks(np.ones((2, 2), bool), np.ones((3, 3), bool)),
            ValueError,
            "do not broadcast",
        ),
        (
            lambda: mask_after_softmax(np.ones(3), np.ones(3, bool)),
            ValueError,
            "at least 2 dimensions",
        ),
        (lambda: mask_after_softmax(np.ones((2, 2)), np.ones((2, 2))), TypeError, "boolean"),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
