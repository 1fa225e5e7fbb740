"""tiled_attention equals scaled_dot_product_attention, in O(n) memory, skipping causal blocks."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core import causal_mask, scaled_dot_product_attention, tiled_attention
from tests.strategies import batch_shapes, seeds


def naive(q, k, v, causal=False, scale=None):
    mask = np.tri(q.shape[-2], k.shape[-2], dtype=bool) if causal else None
    return scaled_dot_product_attention(q, k, v, mask, scale=scale)[0]


@given(
    seed=seeds,
    batch=batch_shapes,
    sizes=st.tuples(*(st.integers(1, 40),) * 2, st.integers(1, 9), st.integers(1, 5)),
    block=st.integers(1, 48),
    causal=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_equals_sdpa_for_any_shape_block_and_mask(seed, batch, sizes, block, causal, dtype):
    (n_q, n_k, d, d_v), rng = sizes, np.random.default_rng(seed)
    q, k = rng.normal(size=(*batch, n_q, d)), rng.normal(scale=3, size=(*batch, n_k, d))
    v = rng.normal(size=(*batch, n_k, d_v))
    q, k, v = (a.astype(dtype) for a in (q, k, v))
    tiled = tiled_attention(q, k, v, causal=causal, block_size=block)
    assert tiled.dtype == dtype
    np.testing.assert_allclose(
        tiled, naive(q, k, v, causal), rtol=0, atol=1e-12 if dtype == np.float64 else 1e-5
    )


def test_causal_is_aligned_at_the_top_left_as_pytorch():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(2, 4)), rng.normal(size=(5, 4)), np.eye(5)
    context = tiled_attention(q, k, v, causal=True, block_size=2)
    assert np.all(context[0, 1:] == 0) and np.all(context[1, 2:] == 0)  # query i sees keys 0..i
    np.testing.assert_allclose(context.sum(-1), 1.0)


def test_large_scores_shared_batch_scale_and_float16():
    rng = np.random.default_rng(1)
    q, k, v = (
        rng.normal(size=(40, 8)) * 30,
        rng.normal(size=(3, 40, 8)) * 30,
        rng.normal(size=(3, 40, 2)),
    )
    np.testing.assert_allclose(
        tiled_attention(q, k, v, causal=True, block_size=7), naive(q, k, v, True), atol=1e-12
    )
    np.testing.assert_allclose(
        tiled_attention(q, k, v, scale=-0.1, block_size=16), naive(q, k, v, scale=-0.1), atol=1e-12
    )
    q16, k16, v16 = (rng.normal(scale=4, size=(2, 60, 32)).astype(np.float16) for _ in range(3))
    context = tiled_attention(q16, k16, v16, causal=True, block_size=16)
    reference = naive(*(a.astype(np.float32) for a in (q16, k16, v16)), True)
    assert context.dtype == np.float16
    assert np.abs(context - reference).max() <= 2e-3 * np.abs(reference).max()


def test_empty_inputs():
    assert (
        tiled_attention(np.ones((3, 4)), np.ones((0, 4)), np.ones((0, 2))).tolist()
        == np.zeros((3, 2)).tolist()
    )
    assert tiled_attention(
        np.ones((0, 4)), np.ones((5, 4)), np.ones((5, 2)), causal=True
    ).shape == (0, 2)


def peak_bytes(n, block):
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(n, 16)) for _ in range(3))
    tracemalloc.start()
    tiled_attention(q, k, v, causal=True, block_size=block)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_grows_with_n_times_block_not_n_squared():
    small, large = peak_bytes(1024, 64), peak_bytes(4096, 64)
    assert large < 4 * 1.5 * small  # linear in n: 4x the tokens, about 4x the memory
    assert large < 4096**2 * 8 / 20  # far below one float64 score matrix (128 MiB)


@pytest.mark.parametrize("dtype, big", [(np.float32, 1e20), (np.float64, 1e155)])
def test_causal_never_computes_the_blocks_above_the_diagonal(dtype, big):
    # The scores of queries 0..3 with keys 4..7, and only those, overflow: all above the diagonal.
    rng = np.random.default_rng(2)
    q, k, v = (rng.normal(size=(8, 8)) for _ in range(3))
    q[:4] *= big
    k[4:] *= big
    q_, k_, v_ = (a.astype(dtype) for a in (q, k, v))
    with pytest.raises(ValueError, match=r"\bq\b"):  # computing those scores is an error ...
        tiled_attention(q_, k_, v_, block_size=4)
    with pytest.raises(ValueError, match=r"\bk\b"):
        scaled_dot_product_attention(q_, k_, v_, causal_mask(8))
    context = tiled_attention(q_, k_, v_, causal=True, block_size=4)  # ... so they were skipped
    expected = np.vstack([naive(q[i : i + 1], k[: i + 1], v[: i + 1]) for i in range(8)])
    np.testing.assert_allclose(context, expected, rtol=1e-5, atol=1e-6)
