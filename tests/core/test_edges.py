"""Bad input at attn_core's edge: a ValueError or TypeError that names what the caller passed.

The tests check the error type and that the message names the argument (and
never an internal one); the wording is free.
"""

import re

import numpy as np
import pytest

import attn_core as ac

rng = np.random.default_rng(0)
Q, K, V = rng.normal(size=(3, 8)), rng.normal(size=(4, 8)), rng.normal(size=(4, 5))
X, W = rng.normal(size=(2, 5, 8)), rng.normal(size=(8, 8))
A = np.ones((8, 4))  # additive attention's w_q and w_k
BIG32, W16 = np.full((2, 8), 1e20, np.float32), W.astype(np.float16)
F32 = [np.ones((2, 8), np.float32)] * 3


def mha(**change):
    args = {"x": X, "w_q": W, "w_k": W, "w_v": W, "w_o": W, "num_heads": 2} | change
    return lambda: ac.multi_head_attention(**args)


CASES = [
    # (call, error, the name the message must carry, names it must not carry)
    (lambda: ac.scaled_dot_product_attention(Q[0], K, V), ValueError, "q", ()),
    (lambda: ac.scaled_dot_product_attention(Q, K[:, :6], V), ValueError, "k", ()),
    (lambda: ac.scaled_dot_product_attention(Q, K, V[:3]), ValueError, "v", ()),
    (
        lambda: ac.scaled_dot_product_attention(Q, np.where(K > 1, np.nan, K), V),
        ValueError,
        "k",
        (),
    ),
    (
        lambda: ac.scaled_dot_product_attention(Q, K, np.where(V > 1, np.inf, V)),
        ValueError,
        "v",
        (),
    ),
    (lambda: ac.scaled_dot_product_attention(Q.astype(str), K, V), TypeError, "q", ()),
    (lambda: ac.scaled_dot_product_attention(None, K, V), TypeError, "q", ()),
    (lambda: ac.scaled_dot_product_attention([[1.0, 2.0], [3.0]], K, V), ValueError, "q", ()),
    (
        lambda: ac.scaled_dot_product_attention(np.stack([Q, Q]), np.stack([K] * 3), V),
        ValueError,
        "k",
        (),
    ),
    (lambda: ac.scaled_dot_product_attention(Q, K, V, np.ones((3, 4))), TypeError, "mask", ()),
    (
        lambda: ac.scaled_dot_product_attention(Q, K, V, np.ones((3, 3), bool)),
        ValueError,
        "mask",
        (),
    ),
    (
        lambda: ac.scaled_dot_product_attention(Q, K, V, [[True], [True, False]]),
        ValueError,
        "mask",
        (),
    ),
    (lambda: ac.scaled_dot_product_attention(Q, K, V, scale="0.5"), TypeError, "scale", ()),
    (lambda: ac.scaled_dot_product_attention(Q, K, V, scale=1j), TypeError, "scale", ()),
    (lambda: ac.scaled_dot_product_attention(Q, K, V, scale=True), TypeError, "scale", ()),
    (lambda: ac.scaled_dot_product_attention(Q, K, V, scale=np.nan), ValueError, "scale", ()),
    # Finite inputs whose scores overflow: the message names q and k, never an x.
    (lambda: ac.scaled_dot_product_attention(BIG32, BIG32, BIG32), ValueError, "q", ("x",)),
    (lambda: ac.tiled_attention(BIG32, BIG32, BIG32), ValueError, "k", ("x",)),
    (lambda: ac.tiled_attention(Q, K, V, causal=1), TypeError, "causal", ()),
    (lambda: ac.tiled_attention(Q, K, V, block_size=0), ValueError, "block_size", ()),
    (lambda: ac.tiled_attention(Q, K, V, block_size=2.0), TypeError, "block_size", ()),
    (lambda: ac.additive_attention(Q, K, V, np.ones((7, 4)), A, np.ones(4)), ValueError, "w_q", ()),
    (lambda: ac.additive_attention(Q, K, V, A, np.ones((5, 4)), np.ones(4)), ValueError, "w_k", ()),
    (lambda: ac.additive_attention(Q, K, V, A, np.ones((8, 3)), np.ones(4)), ValueError, "w_k", ()),
    (lambda: ac.additive_attention(Q, K, V, A, A, np.ones(5)), ValueError, "w_v_score", ()),
    (lambda: ac.additive_attention(Q, K, V, A, A, [1, np.nan, 0, 0]), ValueError, "w_v_score", ()),
    (lambda: ac.additive_attention(Q, K, V[:2], A, A, np.ones(4)), ValueError, "v", ()),
    (lambda: ac.alignment_features(Q, K, A, None), TypeError, "w_k", ()),
    # Finite inputs whose projections or scores overflow float32: named too.
    (
        lambda: ac.additive_attention(*(BIG32,) * 3, *(BIG32.T,) * 2, np.ones(2, np.float32)),
        ValueError,
        "w_q",
        (),
    ),
    (
        lambda: ac.additive_attention(*F32, *(F32[0].T,) * 2, np.full(2, 3e38, np.float32)),
        ValueError,
        "w_v_score",
        (),
    ),
    (mha(num_heads=3), ValueError, "num_heads", ()),
    (mha(num_heads=0), ValueError, "num_heads", ()),
    (mha(num_heads=True), TypeError, "num_heads", ()),
    (mha(num_heads=2.0), TypeError, "num_heads", ()),
    (mha(x=np.ones(8)), ValueError, "x", ()),
    (mha(x=np.ones((5, 0)), w_q=np.ones((0, 0))), ValueError, "w_k", ()),
    (lambda: ac.split_heads(np.ones((5, 0)), 1), ValueError, "x", ()),
    (mha(w_k=np.ones((8, 4))), ValueError, "w_k", ()),
    (mha(w_o=np.full((8, 8), np.nan)), ValueError, "w_o", ()),
    (mha(mask=np.ones((5, 5))), TypeError, "mask", ()),
    # The mask is named in the caller's shapes, not the heads' internal (2, 1, 5, 5).
    (mha(mask=np.ones((2, 4, 4), bool)), ValueError, "mask", (r"\(2, 1, 5, 5\)",)),
    # float16 in, float16 out: an output beyond float16's range is named, not returned as inf.
    (
        mha(x=X.astype(np.float16), w_q=W16, w_k=W16, w_v=W16, w_o=W16 * 1e4),
        ValueError,
        "w_o",
        ("v",),
    ),
    (lambda: ac.split_heads(np.ones((5, 8)), 3), ValueError, "num_heads", ()),
    (lambda: ac.split_heads(np.ones((5, 8)), 0), ValueError, "num_heads", ()),
    (lambda: ac.split_heads([1.0, 2.0], 1), ValueError, "x", ()),
    (lambda: ac.merge_heads(None), TypeError, "x", ()),
    (lambda: ac.merge_heads(np.ones((5, 8))), ValueError, "x", ()),
    (lambda: ac.softmax([1.0, np.nan]), ValueError, "x", ()),
    (lambda: ac.softmax([1.0, np.inf]), ValueError, "x", ()),
    (lambda: ac.softmax(3.0), ValueError, "x", ()),
    (lambda: ac.softmax(["a"]), TypeError, "x", ()),
    (lambda: ac.softmax([[1.0], [2.0, 3.0]]), ValueError, "x", ()),
    (lambda: ac.softmax([1.0], axis=None), TypeError, "axis", ()),
    (lambda: ac.softmax([1.0], axis=1.5), TypeError, "axis", ()),
    (lambda: ac.softmax([[1.0]], axis=2), ValueError, "axis", ()),
    (lambda: ac.causal_mask(-1), ValueError, "n", ()),
    (lambda: ac.causal_mask(2.0), TypeError, "n", ()),
    (lambda: ac.causal_mask(True), TypeError, "n", ()),
    (lambda: ac.key_padding_mask([2, -1]), ValueError, "lengths", ()),
    (lambda: ac.key_padding_mask([1.5]), TypeError, "lengths", ()),
    (lambda: ac.key_padding_mask([3], n=2), ValueError, "n", ()),
    (lambda: ac.key_padding_mask([3], n="4"), TypeError, "n", ()),
    (lambda: ac.combine_masks(), ValueError, "mask", ()),
    (lambda: ac.combine_masks(np.ones((2, 2))), TypeError, "mask 1", ()),
    (
        lambda: ac.combine_masks(np.ones((2, 2), bool), np.ones((3, 3), bool)),
        ValueError,
        "mask 2",
        (),
    ),
    (lambda: ac.mask_after_softmax(np.ones(3), np.ones(3, bool)), ValueError, "scores", ()),
    (lambda: ac.mask_after_softmax(np.ones((2, 2)), np.ones((2, 2))), TypeError, "mask", ()),
    (lambda: ac.mask_after_softmax(np.ones((2, 2)), np.ones((3, 2), bool)), ValueError, "mask", ()),
    (lambda: ac.sinusoidal_encoding(-1, 4), ValueError, "n", ()),
    (lambda: ac.sinusoidal_encoding(3, 5), ValueError, "d_model", ()),
    (lambda: ac.sinusoidal_encoding(3, "4"), TypeError, "d_model", ()),
    (lambda: ac.sinusoidal_encoding(3, 4, base="x"), TypeError, "base", ()),
    (lambda: ac.sinusoidal_encoding(3, 4, base=1.0), ValueError, "base", ()),
]


@pytest.mark.parametrize("call, error, name, not_named", CASES)
def test_bad_input_raises_an_error_naming_the_argument(call, error, name, not_named):
    with pytest.raises(error) as info:
        call()
    assert re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", str(info.value)), str(info.value)
    for other in not_named:
        assert not re.search(rf"(?<![\w.]){other}(?!\w)", str(info.value)), str(info.value)
