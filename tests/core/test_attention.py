"""scaled_dot_product_attention and additive_attention: a loop reference, float16, empty inputs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core import (
    additive_attention,
    alignment_features,
    causal_mask,
    scaled_dot_product_attention,
)
from tests.strategies import batch_shapes, random_array, seeds, sizes


def reference_sdpa(q, k, v, mask=None, scale=None):
    """A plain loop over queries, written independently of attn_core."""
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    context, weights = np.zeros((len(q), v.shape[1])), np.zeros((len(q), len(k)))
    for i in range(len(q)):
        allowed = [j for j in range(len(k)) if mask is None or mask[i, j]]
        if allowed:
            e = np.exp([q[i] @ k[j] * scale for j in allowed])
            weights[i, allowed] = e / e.sum()
            context[i] = weights[i] @ v
    return context, weights


@st.composite
def qkv_problem(draw):
    rng = np.random.default_rng(draw(seeds))
    batch, (n_q, n_k, d_k, d_v) = draw(batch_shapes), (draw(sizes) for _ in range(4))
    q, k = rng.normal(size=(*batch, n_q, d_k)), rng.normal(size=(*batch, n_k, d_k))
    v, mask = rng.normal(size=(*batch, n_k, d_v)), rng.random((*batch, n_q, n_k)) < 0.6
    return q, k, v, mask


@given(qkv_problem())
def test_sdpa_matches_the_loop_reference_and_fully_masked_rows_are_zero(problem):
    q, k, v, mask = problem
    context, weights = scaled_dot_product_attention(q, k, v, mask)
    for index in np.ndindex(q.shape[:-2]):
        ref_c, ref_w = reference_sdpa(q[index], k[index], v[index], mask[index])
        np.testing.assert_allclose(weights[index], ref_w, rtol=0, atol=1e-12)
        np.testing.assert_allclose(context[index], ref_c, rtol=0, atol=1e-12)
    assert np.all(weights[~mask] == 0.0)
    assert np.all(context[~mask.any(-1)] == 0.0)  # no visible key: zeros, never NaN


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logits_of_1e4_do_not_overflow(dtype):
    q, k = np.array([[100.0, 0.0]], dtype), np.array([[100.0, 0.0], [-100.0, 0.0]], dtype)
    with np.errstate(over="raise", invalid="raise"):
        context, weights = scaled_dot_product_attention(
            q, k, np.array([[1.0], [2.0]], dtype), scale=1.0
        )
    assert weights.tolist() == [[1.0, 0.0]] and context.tolist() == [[1.0]]


def test_scale_defaults_to_inverse_sqrt_dk_and_any_finite_real_works():
    rng = np.random.default_rng(3)
    q, k, v = rng.normal(size=(2, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(
        scaled_dot_product_attention(q, k, v)[1], reference_sdpa(q, k, v, scale=0.5)[1]
    )
    np.testing.assert_allclose(scaled_dot_product_attention(q, k, v, scale=0)[1], 1 / 5)
    for scale in (-2, np.float32(0.25)):  # PyTorch accepts a negative scale too
        np.testing.assert_allclose(
            scaled_dot_product_attention(q, k, v, scale=scale)[0],
            reference_sdpa(q, k, v, scale=float(scale))[0],
        )


def test_batches_and_masks_broadcast():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 2))
    context, weights = scaled_dot_product_attention(q, k, v, [True, True, True, True, False])
    assert context.shape == (2, 3, 2) and np.all(weights[..., 4] == 0)
    mask = np.broadcast_to(np.arange(5) < 4, (3, 5))
    np.testing.assert_allclose(context[1], reference_sdpa(q, k[1], v[1], mask)[0])


def test_dtypes_float32_stays_float16_returns_float16_others_float64():
    x32 = random_array(0, (2, 3, 4), np.float32)
    for inputs, dtype in [
        ((x32,) * 3, np.float32),
        ((x32.astype(np.float16),) * 3, np.float16),
        ((x32.astype(np.float16), x32, x32), np.float32),
        ((x32, x32, x32.astype(np.float64)), np.float64),
        (([[1, 0]],) * 3, np.float64),
    ]:
        context, weights = scaled_dot_product_attention(*inputs)
        assert context.dtype == dtype and weights.dtype == dtype


def test_float16_scores_do_not_overflow_into_a_mask():
    # Issue 21: q @ k^T = -65536 overflowed float16 to -inf and read as a mask.
    q, k = np.full((1, 4), 128, np.float16), np.full((2, 4), -128, np.float16)
    context, weights = scaled_dot_product_attention(q, k, np.eye(2, dtype=np.float16))
    assert weights.dtype == np.float16 and weights.tolist() == [[0.5, 0.5]]  # PyTorch's answer
    assert context.tolist() == [[0.5, 0.5]]


@pytest.mark.parametrize("d_k", [16, 32, 64])
def test_float16_context_is_within_2e_3_of_float32(d_k):
    rng = np.random.default_rng(d_k)
    q, k, v = (rng.normal(scale=4, size=(2, 50, d_k)).astype(np.float16) for _ in range(3))
    mask = causal_mask(50)
    context = scaled_dot_product_attention(q, k, v, mask)[0]
    reference = scaled_dot_product_attention(
        q.astype(np.float32), k.astype(np.float32), v.astype(np.float32), mask
    )[0]
    assert np.abs(context - reference).max() <= 2e-3 * np.abs(reference).max()
    weights = scaled_dot_product_attention(q, k, v, mask)[1]
    assert np.all((weights > 0).any(-1))  # only a fully masked row gets zero weights


def test_empty_key_sets_give_zeros_as_pytorch():
    context, weights = scaled_dot_product_attention(
        np.ones((3, 4)), np.ones((0, 4)), np.ones((0, 2))
    )
    assert context.tolist() == np.zeros((3, 2)).tolist() and weights.shape == (3, 0)
    context, weights = scaled_dot_product_attention(
        np.ones((0, 4)), np.ones((3, 4)), np.ones((3, 2))
    )
    assert context.shape == (0, 2) and weights.shape == (0, 3)
    # d_k = 0: every score is 0, so the weights are uniform (PyTorch 2.13 gives the mean of v).
    context, _ = scaled_dot_product_attention(
        np.ones((2, 0)), np.ones((4, 0)), np.arange(4.0)[:, None]
    )
    assert context.tolist() == [[1.5], [1.5]]
    w = np.ones((2, 3))
    context, weights = additive_attention(
        np.ones((3, 2)), np.ones((0, 2)), np.ones((0, 5)), w, w, np.ones(3)
    )
    assert context.tolist() == np.zeros((3, 5)).tolist() and weights.shape == (3, 0)


def reference_additive(q, k, v, w_q, w_k, w_v_score):
    scores = np.array([[w_v_score @ np.tanh(qi @ w_q + kj @ w_k) for kj in k] for qi in q])
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)) @ v, e / e.sum(axis=1, keepdims=True)


@given(seed=seeds, n_q=sizes, n_k=sizes, d=sizes, d_a=sizes, d_v=sizes)
def test_additive_attention_matches_the_loop_reference(seed, n_q, n_k, d, d_a, d_v):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(n_q, d)), rng.normal(size=(n_k, d + 1)), rng.normal(size=(n_k, d_v))
    w_q, w_k, w_v_score = (
        rng.normal(size=(d, d_a)),
        rng.normal(size=(d + 1, d_a)),
        rng.normal(size=d_a),
    )
    context, weights = additive_attention(q, k, v, w_q, w_k, w_v_score)
    ref_c, ref_w = reference_additive(q, k, v, w_q, w_k, w_v_score)
    np.testing.assert_allclose(weights, ref_w, atol=1e-12)
    np.testing.assert_allclose(context, ref_c, atol=1e-12)
    assert alignment_features(q, k, w_q, w_k).shape == (n_q, n_k, d_a)


def test_additive_attention_batches_masks_and_float16_with_float64_weights():
    rng = np.random.default_rng(5)
    q, k = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    w, w_v_score = rng.normal(size=(4, 6)), rng.normal(size=6)
    mask = np.array([True, True, True, False, False])
    context, weights = additive_attention(q, k, k, w, w, w_v_score, mask)
    assert np.all(weights[..., 3:] == 0.0)
    np.testing.assert_allclose(
        context[1], reference_additive(q[1], k[1, :3], k[1, :3], w, w, w_v_score)[0]
    )
    # Issue 21: float64 weights of 1e5 were cast to float16 (inf). Now all compute in float64.
    half = [a.astype(np.float16) for a in (q, k)]
    big = w * 1e5
    context, _ = additive_attention(*half, half[1], big, big, w_v_score)
    expected, _ = additive_attention(
        *(a.astype(np.float64) for a in (*half, half[1])), big, big, w_v_score
    )
    assert context.dtype == np.float64 and np.allclose(context, expected, rtol=1e-12)
