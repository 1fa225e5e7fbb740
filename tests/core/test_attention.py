import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core import additive_attention, causal_mask, scaled_dot_product_attention
from tests.strategies import batch_shapes, random_array, seeds, sizes


def reference_sdpa(q, k, v, mask=None, scale=None):
    """A plain loop over queries, written independently of attn_core."""
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    context = np.zeros((q.shape[0], v.shape[1]))
    weights = np.zeros((q.shape[0], k.shape[0]))
    for i in range(q.shape[0]):
        allowed = [j for j in range(k.shape[0]) if mask is None or mask[i, j]]
        if not allowed:
            continue
        scores = np.array([q[i] @ k[j] * scale for j in allowed])
        e = np.exp(scores - scores.max())
        weights[i, allowed] = e / e.sum()
        context[i] = weights[i] @ v
    return context, weights


def reference_additive(q, k, v, w_q, w_k, w_v_score):
    scores = np.array([[w_v_score @ np.tanh(qi @ w_q + kj @ w_k) for kj in k] for qi in q])
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights = e / e.sum(axis=1, keepdims=True)
    return weights @ v, weights


@st.composite
def qkv_problem(draw):
    seed = draw(seeds)
    batch = draw(batch_shapes)
    n_q, n_k, d_k, d_v = (draw(sizes) for _ in range(4))
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(*batch, n_q, d_k))
    k = rng.normal(size=(*batch, n_k, d_k))
    v = rng.normal(size=(*batch, n_k, d_v))
    mask = rng.random((*batch, n_q, n_k)) < 0.6
    return q, k, v, mask


@given(qkv_problem())
def test_sdpa_matches_loop_reference_for_every_batch_item(problem):
    q, k, v, mask = problem
    context, weights = scaled_dot_product_attention(q, k, v, mask)
    assert context.shape == (*q.shape[:-1], v.shape[-1])
    assert weights.shape == (*q.shape[:-1], k.shape[-2])
    for index in np.ndindex(q.shape[:-2]):
        ref_c, ref_w = reference_sdpa(q[index], k[index], v[index], mask[index])
        assert np.allclose(weights[index], ref_w, atol=1e-12)
        assert np.allclose(context[index], ref_c, atol=1e-12)


@given(qkv_problem())
def test_rows_sum_to_one_masked_entries_are_exactly_zero(problem):
    q, k, v, mask = problem
    context, weights = scaled_dot_product_attention(q, k, v, mask)
    assert np.all(weights[~mask] == 0.0)
    has_key = mask.any(axis=-1)
    assert np.allclose(weights.sum(axis=-1)[has_key], 1.0)
    # A query with no visible key gets zero weights and a zero context vector.
    assert np.all(weights[~has_key] == 0.0)
    assert np.all(context[~has_key] == 0.0)
    assert np.isfinite(context).all()


@given(seed=seeds, n=st.integers(2, 7), d=sizes)
def test_self_attention_is_permutation_equivariant(seed, n, d):
    x = random_array(seed, (n, d))
    perm = np.random.default_rng(seed).permutation(n)
    context, weights = scaled_dot_product_attention(x, x, x)
    context_p, weights_p = scaled_dot_product_attention(x[perm], x[perm], x[perm])
    assert np.allclose(context_p, context[perm], atol=1e-12)
    assert np.allclose(weights_p, weights[perm][:, perm], atol=1e-12)


@given(seed=seeds, batch=batch_shapes, n=sizes, d=sizes)
def test_float32_in_float32_out(seed, batch, n, d):
    x = random_array(seed, (*batch, n, d), dtype=np.float32)
    context, weights = scaled_dot_product_attention(x, x, x, causal_mask(n))
    assert context.dtype == np.float32 and weights.dtype == np.float32
    mixed_context, _ = scaled_dot_product_attention(x, x, x.astype(np.float64))
    assert mixed_context.dtype == np.float64


def test_float16_stays_float16_and_masks_exactly():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 4)).astype(np.float16)
    context, weights = scaled_dot_product_attention(x, x, x, causal_mask(5))
    assert context.dtype == np.float16 and weights.dtype == np.float16
    assert np.all(weights[:, ~causal_mask(5)] == 0.0)
    reference, _ = scaled_dot_product_attention(*(x.astype(np.float64),) * 3, causal_mask(5))
    assert np.allclose(context, reference, atol=1e-2)  # float16 has about 3 decimals
    mixed, _ = scaled_dot_product_attention(x, x, x.astype(np.float32))
    assert mixed.dtype == np.float32


def test_integer_inputs_compute_in_float64():
    q = np.array([[1, 0]])
    context, weights = scaled_dot_product_attention(q, q, q)
    assert context.dtype == np.float64 and weights.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logits_of_1e4_do_not_overflow(dtype):
    q = np.array([[100.0, 0.0]], dtype=dtype)
    k = np.array([[100.0, 0.0], [-100.0, 0.0]], dtype=dtype)  # scores +-1e4
    v = np.array([[1.0], [2.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise"):
        context, weights = scaled_dot_product_attention(q, k, v, scale=1.0)
    assert np.array_equal(weights, np.array([[1.0, 0.0]], dtype=dtype))
    assert context[0, 0] == 1.0


def test_fully_masked_row_gives_zeros_and_no_nan():
    x = np.arange(6.0).reshape(3, 2)
    mask = np.array([[False, False, False], [True, False, False], [True, True, True]])
    context, weights = scaled_dot_product_attention(x, x, x, mask)
    assert np.array_equal(weights[0], [0.0, 0.0, 0.0])
    assert np.array_equal(context[0], [0.0, 0.0])
    assert weights[1, 0] == 1.0
    assert not np.isnan(context).any()


def test_mask_broadcasts_over_batch_and_queries():
    x = random_array(1, (2, 3, 4))
    padding = np.array([True, True, False])  # (n_k,) broadcasts to (2, 3, 3)
    _, weights = scaled_dot_product_attention(x, x, x, padding)
    assert np.all(weights[..., 2] == 0.0)
    assert np.allclose(weights.sum(-1), 1.0)


def test_scale_is_applied_and_defaults_to_inverse_sqrt_dk():
    rng = np.random.default_rng(3)
    q, k, v = rng.normal(size=(2, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    _, default = scaled_dot_product_attention(q, k, v)
    _, explicit = scaled_dot_product_attention(q, k, v, scale=0.5)
    assert np.allclose(default, explicit)  # 1/sqrt(4) = 0.5
    _, unscaled = scaled_dot_product_attention(q, k, v, scale=1.0)
    assert not np.allclose(default, unscaled)
    _, uniform = scaled_dot_product_attention(q, k, v, scale=0.0)
    assert np.allclose(uniform, 1 / 5)


def test_batched_keys_broadcast_against_shared_queries():
    rng = np.random.default_rng(0)
    q = rng.normal(size=(3, 4))
    k = rng.normal(size=(2, 5, 4))
    v = rng.normal(size=(2, 5, 2))
    context, _ = scaled_dot_product_attention(q, k, v)
    assert context.shape == (2, 3, 2)
    assert np.allclose(context[1], scaled_dot_product_attention(q, k[1], v[1])[0])


@given(seed=seeds, n_q=sizes, n_k=sizes, d=sizes, d_a=sizes, d_v=sizes)
def test_additive_attention_matches_loop_reference(seed, n_q, n_k, d, d_a, d_v):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(size=(n_q, d)), rng.normal(size=(n_k, d + 1))
    v = rng.normal(size=(n_k, d_v))
    w_q, w_k = rng.normal(size=(d, d_a)), rng.normal(size=(d + 1, d_a))
    w_v_score = rng.normal(size=d_a)
    context, weights = additive_attention(q, k, v, w_q, w_k, w_v_score)
    ref_c, ref_w = reference_additive(q, k, v, w_q, w_k, w_v_score)
    assert np.allclose(weights, ref_w, atol=1e-12)
    assert np.allclose(context, ref_c, atol=1e-12)


def test_additive_attention_batch_mask_and_dtype():
    rng = np.random.default_rng(5)
    q = rng.normal(size=(2, 3, 4)).astype(np.float32)
    k = rng.normal(size=(2, 5, 4)).astype(np.float32)
    w = rng.normal(size=(4, 6)).astype(np.float32)
    w_v_score = rng.normal(size=6).astype(np.float32)
    mask = np.array([True, True, True, False, False])
    context, weights = additive_attention(q, k, k, w, w, w_v_score, mask)
    assert context.dtype == np.float32 and context.shape == (2, 3, 4)
    assert np.all(weights[..., 3:] == 0.0)
    assert np.allclose(weights.sum(-1), 1.0, atol=1e-6)
    single, _ = additive_attention(q[1], k[1], k[1], w, w, w_v_score, mask)
    assert np.allclose(context[1], single, atol=1e-6)


def test_causal_mask_values():
    assert np.array_equal(causal_mask(1), [[True]])
    m = causal_mask(4)
    assert m.dtype == bool
    assert np.array_equal(m, np.arange(4)[:, None] >= np.arange(4)[None, :])


@pytest.mark.parametrize(
    "n, error",
    [(0, ValueError), (-2, ValueError), (2.0, TypeError), ("3", TypeError), (True, TypeError)],
)
def test_causal_mask_rejects_bad_n(n, error):
    with pytest.raises(error, match="n must"):
        causal_mask(n)


def _ok():
    rng = np.random.default_rng(0)
    return rng.normal(size=(3, 8)), rng.normal(size=(4, 8)), rng.normal(size=(4, 5))


@pytest.mark.parametrize(
    "change, error, pattern",
    [
        (lambda q, k, v: (q[0], k, v), ValueError, r"q must have at least 2 dimensions.*\(8,\)"),
        (lambda q, k, v: (q, k[:, :6], v), ValueError, r"k has d_k=6 but q has d_k=8"),
        (lambda q, k, v: (q, k, v[:3]), ValueError, r"v has n_k=3 but k has n_k=4"),
        (lambda q, k, v: (q, np.where(k > 1, np.nan, k), v), ValueError, r"k contains NaN"),
        (lambda q, k, v: (q, k, np.where(v > 1, np.inf, v)), ValueError, r"v contains inf"),
        (lambda q, k, v: (q.astype(str), k, v), TypeError, r"q must be a real numeric array"),
        (
            lambda q, k, v: (np.stack([q, q]), np.stack([k, k, k]), np.stack([v, v, v])),
            ValueError,
            r"batch dimensions do not broadcast: q \(2,\), k \(3,\)",
        ),
    ],
)
def test_sdpa_bad_input_names_the_argument(change, error, pattern):
    q, k, v = change(*_ok())
    with pytest.raises(error, match=pattern):
        scaled_dot_product_attention(q, k, v)


def test_sdpa_bad_mask():
    q, k, v = _ok()
    with pytest.raises(TypeError, match=r"mask must be a boolean array.*int64"):
        scaled_dot_product_attention(q, k, v, np.ones((3, 4), dtype=np.int64))
    with pytest.raises(ValueError, match=r"mask has shape \(3, 3\).*\(3, 4\)"):
        scaled_dot_product_attention(q, k, v, np.ones((3, 3), dtype=bool))


@pytest.mark.parametrize("scale", [-1.0, np.nan, np.inf])
def test_sdpa_bad_scale(scale):
    with pytest.raises(ValueError, match="scale must be"):
        scaled_dot_product_attention(*_ok(), scale=scale)


def test_additive_bad_weights():
    q, k, v = _ok()
    w = np.ones((8, 4))
    with pytest.raises(ValueError, match=r"w_q must have shape \(d_q=8, d_a\), got \(7, 4\)"):
        additive_attention(q, k, v, np.ones((7, 4)), w, np.ones(4))
    with pytest.raises(ValueError, match=r"w_k must have shape \(d_k=8, d_a\)"):
        additive_attention(q, k, v, w, np.ones((5, 4)), np.ones(4))
    with pytest.raises(ValueError, match=r"w_k has d_a=3 but w_q has d_a=4"):
        additive_attention(q, k, v, w, np.ones((8, 3)), np.ones(4))
    with pytest.raises(ValueError, match=r"w_v_score must have shape \(d_a,\) = \(4,\)"):
        additive_attention(q, k, v, w, w, np.ones(5))
    with pytest.raises(ValueError, match="w_v_score contains NaN"):
        additive_attention(q, k, v, w, w, np.array([1.0, np.nan, 0, 0]))
