"""softmax, the masks, mask_after_softmax and sinusoidal_encoding."""

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
    sinusoidal_encoding,
    softmax,
)
from tests.strategies import batch_shapes, random_array, seeds, sizes


@given(seed=seeds, batch=batch_shapes, n=sizes)
def test_softmax_matches_the_definition(seed, batch, n):
    x = random_array(seed, (*batch, n), scale=3.0)
    expected = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(softmax(x), expected, rtol=1e-12)
    np.testing.assert_allclose(softmax(x + 1000.0), expected, rtol=1e-12)  # shift invariance
    np.testing.assert_allclose(softmax(np.swapaxes(x, 0, -1), axis=0), np.swapaxes(expected, 0, -1))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_softmax_of_large_logits_and_masked_slices(dtype):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = softmax(np.array([[1e4, 0.0, -1e4], [-np.inf, -np.inf, -np.inf]], dtype))
    assert y.dtype == dtype and y.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_softmax_dtypes_and_edges():
    assert softmax(np.ones(3, np.int64)).dtype == np.float64
    assert softmax([]).shape == (0,)  # as torch.softmax(torch.tensor([]), -1)
    # float16's sum of 70000 ones overflows float16 (65504): computed in float32 instead.
    y = softmax(np.zeros(70000, np.float16))
    assert y.dtype == np.float16 and np.all(y == np.float16(1 / 70000))


def test_causal_and_padding_masks():
    assert np.array_equal(causal_mask(4), np.arange(4)[:, None] >= np.arange(4))
    assert causal_mask(0).shape == (0, 0)
    mask = key_padding_mask([3, 0, 2], n=4)
    assert mask.shape == (3, 1, 4) and mask.sum(axis=(1, 2)).tolist() == [3, 0, 2]
    assert key_padding_mask([]).shape == (0, 1, 0)
    combined = combine_masks(causal_mask(3), key_padding_mask([2, 3]))
    assert combined[0].astype(int).tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 0]]
    assert np.array_equal(combined[1], causal_mask(3))


def test_padding_is_right_when_the_batch_size_equals_the_length():
    # A (batch, n) mask would broadcast as (n_q, n_k) when batch == n; (batch, 1, n) cannot.
    lengths, x = [3, 1, 2], random_array(3, (3, 3, 4))
    x[0, 2:], x[1, 1:] = 100.0, 100.0  # pads hold garbage; the mask must hide it
    out, weights = scaled_dot_product_attention(x, x, x, key_padding_mask(lengths))
    for b, n in enumerate(lengths):
        alone, _ = scaled_dot_product_attention(x[b, :n], x[b, :n], x[b, :n])
        np.testing.assert_allclose(out[b, :n], alone)
        assert np.all(weights[b][:, n:] == 0.0)  # every query, padding rows too
        np.testing.assert_allclose(weights[b].sum(-1), 1.0)  # padding queries read real keys


@given(seed=seeds, n=st.integers(1, 6), batch=st.integers(1, 3))
def test_combine_is_logical_and(seed, n, batch):
    rng = np.random.default_rng(seed)
    a, b = rng.random((batch, n, n)) < 0.5, rng.random((n, n)) < 0.5
    assert np.array_equal(combine_masks(a, b), a & b)


@given(seed=seeds, n=st.integers(1, 6))
def test_mask_after_softmax_equals_minus_inf_before(seed, n):
    scores = random_array(seed, (2, n, n), scale=3.0)
    mask = np.random.default_rng(seed).random((2, n, n)) < 0.6
    np.testing.assert_allclose(
        mask_after_softmax(scores, mask), softmax(np.where(mask, scores, -np.inf))
    )
    sums = mask_after_softmax(scores, mask, renormalise=False).sum(-1)
    assert np.all(sums <= 1 + 1e-12) and np.all(sums[~mask.any(-1)] == 0.0)


def test_sinusoidal_encoding_is_the_paper_formula():
    pe = sinusoidal_encoding(7, 6)
    pos, i = np.arange(7)[:, None], np.arange(3)
    np.testing.assert_allclose(pe[:, 0::2], np.sin(pos / 10000 ** (2 * i / 6)))
    np.testing.assert_allclose(pe[:, 1::2], np.cos(pos / 10000 ** (2 * i / 6)))
    assert sinusoidal_encoding(0, 4).shape == (0, 4)
    # PE[pos + k] is a fixed linear function of PE[pos] (the paper's motivation, section 3.5).
    pe = sinusoidal_encoding(20, 8)
    solution, *_ = np.linalg.lstsq(pe[:-3], pe[3:], rcond=None)
    np.testing.assert_allclose(pe[:-3] @ solution, pe[3:], atol=1e-9)
