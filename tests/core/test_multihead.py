"""multi_head_attention against a per-head loop (PyTorch's layout), split_heads and merge_heads."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from attn_core import causal_mask, merge_heads, multi_head_attention, split_heads
from tests.strategies import batch_shapes, seeds


def reference_mha(x, w_q, w_k, w_v, w_o, h, mask=None):
    """A loop over heads, each with its slice of columns, as nn.MultiheadAttention lays them out."""
    d_head = x.shape[1] // h
    heads, all_weights = [], []
    for i in range(h):
        cols = slice(i * d_head, (i + 1) * d_head)
        scores = (x @ w_q[:, cols]) @ (x @ w_k[:, cols]).T / np.sqrt(d_head)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        all_weights.append(e / e.sum(axis=1, keepdims=True))
        heads.append(all_weights[-1] @ (x @ w_v[:, cols]))
    return np.concatenate(heads, axis=1) @ w_o, np.stack(all_weights)


@st.composite
def mha_problem(draw):
    rng = np.random.default_rng(draw(seeds))
    h = draw(st.sampled_from([1, 2, 3, 4]))
    d_model, n = h * draw(st.integers(1, 3)), draw(st.integers(1, 6))
    x = rng.normal(size=(*draw(batch_shapes), n, d_model))
    return x, [rng.normal(size=(d_model, d_model)) / np.sqrt(d_model) for _ in range(4)], h


@given(mha_problem(), st.booleans())
def test_matches_the_per_head_loop(problem, causal):
    x, ws, h = problem
    n = x.shape[-2]
    mask = causal_mask(n) if causal else None
    out, weights = multi_head_attention(x, *ws, num_heads=h, mask=mask)
    assert out.shape == x.shape and weights.shape == (*x.shape[:-2], h, n, n)
    for index in np.ndindex(x.shape[:-2]):
        ref_out, ref_w = reference_mha(x[index], *ws, h, mask)
        np.testing.assert_allclose(out[index], ref_out, atol=1e-12)
        np.testing.assert_allclose(weights[index], ref_w, atol=1e-12)


@given(mha_problem())
def test_permuting_tokens_permutes_outputs(problem):
    x, ws, h = problem
    perm = np.random.default_rng(x.shape[-2]).permutation(x.shape[-2])
    out, weights = multi_head_attention(x, *ws, num_heads=h)
    out_p, weights_p = multi_head_attention(x[..., perm, :], *ws, num_heads=h)
    np.testing.assert_allclose(out_p, out[..., perm, :], atol=1e-12)
    np.testing.assert_allclose(weights_p, weights[..., perm, :][..., perm], atol=1e-12)


def test_a_padding_mask_per_sequence_is_shared_by_the_heads():
    rng = np.random.default_rng(1)
    x, ws = rng.normal(size=(2, 4, 6)), rng.normal(size=(4, 6, 6))
    keep = np.array([[True, True, True, True], [True, True, False, False]])[:, None, :]
    out, weights = multi_head_attention(x, *ws, num_heads=3, mask=keep)
    assert np.all(weights[1, :, :, 2:] == 0.0)
    np.testing.assert_allclose(out[1, :2], multi_head_attention(x[1, :2], *ws, num_heads=3)[0])


def test_float16_computes_in_float32():
    # Issue 21: x @ w and the scores were formed in float16, and 8 * 16 * 8 * 16 * 8 overflowed.
    x = np.full((3, 8), 16, np.float16)
    ws = [np.eye(8, dtype=np.float16) * s for s in (8, -8, 1, 1)]
    out, weights = multi_head_attention(x, *ws, num_heads=2)
    expected, expected_w = reference_mha(
        x.astype(np.float64), *(w.astype(np.float64) for w in ws), 2
    )
    assert out.dtype == weights.dtype == np.float16
    np.testing.assert_allclose(weights, expected_w, rtol=2e-3)
    np.testing.assert_allclose(out, expected, rtol=2e-3)


def test_empty_sequences_give_empty_outputs():
    out, weights = multi_head_attention(
        np.zeros((0, 8)), *np.eye(8)[None].repeat(4, 0), num_heads=2
    )
    assert out.shape == (0, 8) and weights.shape == (2, 0, 0)


def test_split_and_merge_heads_are_inverse_and_keep_tokens_apart():
    x = np.arange(2 * 3 * 8).reshape(2, 3, 8)
    heads = split_heads(x, 4)
    assert heads.shape == (2, 4, 3, 2) and heads.dtype == x.dtype
    assert np.array_equal(heads[0, 1, 2], x[0, 2, 2:4])  # head 1 of token 2
    assert np.array_equal(merge_heads(heads), x)
    assert not np.array_equal(x.reshape(2, 4, 3, 2), heads)  # same shape, tokens scrambled
    assert np.array_equal(split_heads(x.tolist(), 4), heads)  # lists are arrays too
