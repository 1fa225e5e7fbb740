"""Chapter 4's exercises: split the heads, causal multi-head attention, a count, reordered heads."""

from __future__ import annotations

import numpy as np

from attn_book.exercises.core import (
    Wrong,
    compare,
    function_exercise,
    register,
    run,
    value_exercise,
)
from attn_core import (
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    split_heads,
)


def labelled_input(shape):
    """Numbers that say where they come from: 10000 * sequence + 100 * token + feature."""
    grid = np.indices(shape)
    return (10_000 * (grid[0] if len(shape) == 3 else 0) + 100 * grid[-2] + grid[-1]) * 1.0


def _explain_split(got, expected, label, args) -> None:
    """Name the token (or sequence) that the first wrong entry comes from."""
    if np.shape(got) != expected.shape:
        return
    at = tuple(int(i) for i in np.argwhere(np.asarray(got) != expected)[0])
    *batch, head, row, _ = at
    value = float(np.asarray(got)[at])
    if not (value >= 0 and value.is_integer()):
        return
    sequence, token = int(value) // 10_000, int(value) % 10_000 // 100
    where = f"{label}, row {row} of head {head + 1} (index {head})"
    if batch and sequence != batch[0]:
        raise Wrong(f"{where} of sequence {batch[0]} holds a number of sequence {sequence}")
    if token != row:
        raise Wrong(
            f"{where} holds a feature of token {token}: the split mixed tokens; reshape to "
            "(..., n, H, d_head) first, then swap the token and head axes"
        )
    raise Wrong(f"{where} holds feature {int(value) % 100}: a head takes neighbouring features")


function_exercise(
    "4.1",
    "Split the heads",
    "x.reshape(*x.shape[:-1], num_heads, -1) is (..., n, H, d_head); then swap the token and "
    "head axes with np.swapaxes(..., -3, -2).",
    split_heads,
    [
        (f"for x of shape {shape} and num_heads={heads}", (labelled_input(shape), heads))
        for shape, heads in (((5, 8), 4), ((5, 8), 2), ((2, 4, 6), 3), ((4, 6), 1))
    ],
    [
        (
            lambda x, h: x.reshape(*x.shape[:-1], h, x.shape[-1] // h),
            "this is the view (..., n, H, d_head): swap the token and head axes",
        ),
        (
            lambda x, h: x.reshape(len(x), h, -1).transpose(1, 0, 2),
            "split a batch too: count the axes from the end (axes -3 and -2)",
        ),
    ],
    explain=_explain_split,
    explained=[
        (lambda x, h: x.reshape(*x.shape[:-2], h, x.shape[-2], -1), "the split mixed tokens"),
        (
            lambda x, h: np.swapaxes(x.reshape(*x.shape[:-1], -1, h), -1, -2).swapaxes(-3, -2),
            "a head takes neighbouring features",
        ),
        (lambda x, h: split_heads(x[::-1] if x.ndim == 3 else x, h), "a number of sequence"),
    ],
)


def causal_multi_head(x, w_q, w_k, w_v, w_o, num_heads):
    """4.2: multi-head attention with the causal mask, the output only."""
    return multi_head_attention(x, w_q, w_k, w_v, w_o, num_heads, causal_mask(len(x)))[0]


def _layer(n: int, d_model: int, num_heads: int, seed: int) -> tuple[str, tuple]:
    """Random tokens and weights, W_q and W_k doubled so that the heads' weights are not flat."""
    rng = np.random.default_rng(seed)
    w = rng.normal(scale=d_model**-0.5, size=(4, d_model, d_model)) * [[[2]], [[2]], [[1]], [[1]]]
    return f"for x of shape {(n, d_model)} and num_heads={num_heads}", (
        rng.normal(size=(n, d_model)),
        *w,
        num_heads,
    )


def _variant(x, w_q, w_k, w_v, w_o, h, mask=True, split=split_heads, merge=merge_heads, scale=None):
    """Multi-head attention with one piece replaced by a typical mistake."""
    q, k, v = (split(x @ w, h) for w in (w_q, w_k, w_v))
    mask = causal_mask(len(x)) if mask is True else mask
    return merge(scaled_dot_product_attention(q, k, v, mask, scale=scale)[0]) @ w_o


def _plain_split(t, h):
    """A reshape to (H, n, d_head) that keeps the shape and mixes the tokens."""
    return t.reshape(h, len(t), -1)


def _plain_merge(c):
    """A reshape of (H, n, d_head) to (n, d_model) that mixes the tokens."""
    return c.reshape(len(c[0]), -1)


def _last_head_off(x, w_q, w_k, w_v, w_o, h):
    """The last head's values doubled: only that head's context vectors are off."""
    w_v = w_v * np.repeat([1] * (h - 1) + [2], len(w_v) // h)
    return _variant(x, w_q, w_k, w_v, w_o, h)


def _explain_heads(got, expected, label, args) -> None:
    """Take the output back through W_o and name the first head whose context differs."""
    x, w_q, w_k, w_v, w_o, h = args
    if np.shape(got) != expected.shape:
        return
    mine = np.asarray(got, dtype=float) @ np.linalg.inv(w_o)
    right = _variant(x, w_q, w_k, w_v, np.eye(len(w_o)), h)
    for head, cols in enumerate(np.split(np.arange(len(w_o)), h)):
        off = ~np.isclose(mine[:, cols], right[:, cols], 1e-4, 1e-4).all(axis=-1)
        if off.any():
            raise Wrong(
                f"{label}, taken back through w_o, the context vectors of head {head + 1} "
                f"(features {cols[0]} to {cols[-1]}) differ first at token {np.argmax(off)}"
            )


function_exercise(
    "4.2",
    "Causal multi-head attention from the pieces",
    "Project, split each with split_heads, one scaled_dot_product_attention(q, k, v, "
    "mask=causal_mask(n)) for all heads, then merge_heads(context) @ w_o.",
    causal_multi_head,
    [_layer(6, 8, 2, 0), _layer(5, 8, 4, 1), _layer(4, 6, 1, 2)],
    [
        (lambda *a: _variant(*a, mask=None), "there is no causal mask: pass causal_mask(n)"),
        (
            lambda *a: _variant(*a, mask=causal_mask(len(a[0])).T),
            "your mask lets tokens see the tokens after them, not before",
        ),
        (lambda *a: _variant(*a[:4], np.eye(len(a[4])), a[5]), "multiply concat(heads) by w_o"),
        (
            lambda *a: _variant(*a, split=_plain_split, merge=_plain_merge),
            "your split mixed tokens: a plain reshape to (H, n, d_head); use split_heads",
        ),
        (lambda *a: _variant(*a, merge=_plain_merge), "your merge mixed tokens: use merge_heads"),
        (
            lambda *a: _variant(*a, scale=len(a[0][0]) ** -0.5),
            "you divided by sqrt(d_model); each head divides by sqrt(d_head)",
        ),
        (lambda *a: multi_head_attention(*a, causal_mask(len(a[0]))), "return the output only"),
    ],
    explain=_explain_heads,
    explained=[(_last_head_off, "taken back through w_o, the context vectors of head")],
)

# nn.MultiheadAttention(512, 8) holds in_proj_weight (3d, d), in_proj_bias (3d,),
# out_proj.weight (d, d) and out_proj.bias (d,): no shape depends on the heads.
_D = 512

value_exercise(
    "4.3",
    "Parameters of nn.MultiheadAttention",
    "Four projections, each a d_model x d_model weight and (bias=True) a bias with one entry "
    "per output feature.",
    4 * _D * _D + 4 * _D,
    [
        (4 * _D * _D, "that is W_q, W_k, W_v and W_o without biases; bias=True adds one to each"),
        (4 * _D * _D + _D, "you counted only out_proj's bias; W_q, W_k, W_v have biases too"),
        (4 * _D * _D + 4 * _D // 8, "a bias has d_model entries, one per output feature"),
    ],
)


def permute_heads(w_q, w_k, w_v, w_o, num_heads, order):
    """4.4: the weights of a layer whose head i is the old head order[i]."""
    perm = np.concatenate([np.split(np.arange(len(w_q)), num_heads)[i] for i in order])
    return w_q[:, perm], w_k[:, perm], w_v[:, perm], w_o[perm]


_ORDERS = [
    (f"for num_heads={h} and order={order}", (*_layer(5, d, h, seed)[1][1:5], h, order))
    for d, h, order, seed in ((8, 4, [2, 0, 3, 1], 3), (6, 2, [1, 0], 4), (6, 3, [1, 2, 0], 5))
]


def _judge_permute(answer) -> None:
    """Run both layers: the same output, and the heads' weights in the new order."""
    for label, args in _ORDERS:
        new = run(answer, label, *args)
        compare(new, args[:4], label, parts=("w_q", "w_k", "w_v", "w_o"), values=False)
        x, h, order = np.random.default_rng(0).normal(size=(5, len(args[0]))), args[4], args[5]
        out, before = multi_head_attention(x, *args[:5])
        new_out, after = multi_head_attention(x, *(np.asarray(w, float) for w in new), h)
        for i, j in enumerate(order):
            same = [k for k in range(h) if np.allclose(after[i], before[k], 1e-4, 1e-4)]
            if j not in same:
                raise Wrong(
                    f"{label}, new head {i + 1} should be old head {j + 1} (order[{i}] = {j}), "
                    + (f"but it is old head {same[0] + 1}" if same else "but it is no old head")
                )
        if not np.allclose(new_out, out, 1e-4, 1e-4):
            raise Wrong(f"{label}, the output changed: move w_v's columns and w_o's rows too")


register(
    "4.4",
    "Reorder the heads",
    "perm: the feature indices of old head order[0], then of order[1], ...; return "
    "w_q[:, perm], w_k[:, perm], w_v[:, perm] and w_o[perm] (w_o's rows meet the heads).",
    _judge_permute,
    permute_heads,
    [
        (lambda *a: (*permute_heads(*a)[:3], a[3]), "the output changed"),
        (lambda *a: permute_heads(*a[:-1], list(np.argsort(a[-1]))), "but it is old head"),
        (lambda *a: a[:4], "but it is old head 1"),
        (lambda *a: permute_heads(*a)[0], "return w_q, w_k, w_v, w_o"),
    ],
    _ORDERS,
)
