import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attn_core import causal_mask, merge_heads, multi_head_attention, split_heads
from tests.strategies import batch_shapes, seeds


def reference_mha(x, w_q, w_k, w_v, w_o, h, mask=None):
    """Per-head loop over column slices, as PyTorch's nn.MultiheadAttention lays heads out."""
    n, d_model = x.shape
    d_head = d_model // h
    heads, all_weights = [], []
    for i in range(h):
        cols = slice(i * d_head, (i + 1) * d_head)
        q, k, v = x @ w_q[:, cols], x @ w_k[:, cols], x @ w_v[:, cols]
        scores = q @ k.T / np.sqrt(d_head)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        weights = e / e.sum(axis=1, keepdims=True)
        heads.append(weights @ v)
        all_weights.append(weights)
    return np.concatenate(heads, axis=1) @ w_o, np.stack(all_weights)


@st.composite
def mha_problem(draw):
    seed = draw(seeds)
    h = draw(st.sampled_from([1, 2, 3, 4]))
    d_model = h * draw(st.integers(1, 3))
    n = draw(st.integers(1, 6))
    batch = draw(batch_shapes)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*batch, n, d_model))
    ws = [rng.normal(size=(d_model, d_model)) / np.sqrt(d_model) for _ in range(4)]
    return x, ws, h


@given(mha_problem(), st.booleans())
def test_matches_per_head_loop(problem, causal):
    x, ws, h = problem
    n = x.shape[-2]
    mask = causal_mask(n) if causal else None
    out, weights = multi_head_attention(x, *ws, num_heads=h, mask=mask)
    assert out.shape == x.shape
    assert weights.shape == (*x.shape[:-2], h, n, n)
    for index in np.ndindex(x.shape[:-2]):
        ref_out, ref_w = reference_mha(x[index], *ws, h, mask)
        assert np.allclose(out[index], ref_out, atol=1e-12)
        assert np.allclose(weights[index], ref_w, atol=1e-12)
    assert np.allclose(weights.sum(-1), 1.0)
    if causal:
        assert np.all(weights[..., ~causal_mask(n)] == 0.0)


@given(mha_problem())
def test_permuting_tokens_permutes_outputs(problem):
    x, ws, h = problem
    n = x.shape[-2]
    perm = np.random.default_rng(n).permutation(n)
    out, weights = multi_head_attention(x, *ws, num_heads=h)
    out_p, weights_p = multi_head_attention(x[..., perm, :], *ws, num_heads=h)
    assert np.allclose(out_p, out[..., perm, :], atol=1e-12)
    assert np.allclose(weights_p, weights[..., perm, :][..., perm], atol=1e-12)


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 8)).astype(np.float32)
    ws = [rng.normal(size=(8, 8)).astype(np.float32) for _ in range(4)]
    out, weights = multi_head_attention(x, *ws, num_heads=4)
    assert out.dtype == np.float32 and weights.dtype == np.float32


def test_per_sequence_padding_mask_is_shared_by_heads():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 6))
    ws = [rng.normal(size=(6, 6)) for _ in range(4)]
    keep = np.array([[True, True, True, True], [True, True, False, False]])
    mask = keep[:, None, :]  # (batch, 1, n_k): padded keys hidden from every query
    out, weights = multi_head_attention(x, *ws, num_heads=3, mask=mask)
    assert np.all(weights[1, :, :, 2:] == 0.0)
    short, _ = multi_head_attention(x[1, :2], *ws, num_heads=3)
    assert np.allclose(out[1, :2], short, atol=1e-12)


def test_split_and_merge_heads_are_inverse_and_keep_tokens_apart():
    x = np.arange(2 * 3 * 8).reshape(2, 3, 8)
    heads = split_heads(x, 4)
    assert heads.shape == (2, 4, 3, 2)
    assert np.array_equal(heads[0, 1, 2], x[0, 2, 2:4])  # head 1 of token 2
    assert np.array_equal(merge_heads(heads), x)
    wrong = x.reshape(2, 4, 3, 2)  # same shape, tokens scrambled
    assert not np.array_equal(wrong, heads)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (
            {"num_heads": 3},
            ValueError,
            r"num_heads=3 does not divide d_model=8; choose one of "
            r"\[1, 2, 4, 8\]",
        ),
        ({"num_heads": 0}, ValueError, r"num_heads must be at least 1, got 0"),
        ({"num_heads": 2.0}, TypeError, r"num_heads must be an int, got float"),
        ({"x": np.ones(8)}, ValueError, r"x must have at least 2 dimensions, got shape \(8,\)"),
        (
            {"w_k": np.ones((8, 4))},
            ValueError,
            r"w_k must have shape \(d_model, d_model\) = \(8, 8\) "
            r"to match x \(5, 8\), got \(8, 4\)",
        ),
        ({"w_o": np.full((8, 8), np.nan)}, ValueError, r"w_o contains NaN"),
        ({"mask": np.ones((5, 5))}, TypeError, r"mask must be a boolean array"),
        ({"mask": np.ones((4, 4), dtype=bool)}, ValueError, r"mask has shape \(4, 4\)"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, pattern):
    rng = np.random.default_rng(0)
    args = {"x": rng.normal(size=(5, 8)), "num_heads": 2}
    args.update({name: rng.normal(size=(8, 8)) for name in ("w_q", "w_k", "w_v", "w_o")})
    args.update(kwargs)
    with pytest.raises(error, match=pattern):
        multi_head_attention(**args)
