"""Exercises of chapter 4 (Multi-head attention).

- ``4.1`` (function): split the heads, ``my_split_heads(x, num_heads)``, for
  any leading batch axes. The test input labels every number with its token
  and feature, so a split that scrambles tokens is named as such ("row 1 of
  head 1 holds features of token 0") even when the shape is right.
- ``4.2`` (function): a causal multi-head attention built from attn_core's
  pieces (``split_heads``, ``scaled_dot_product_attention`` with
  ``causal_mask``, ``merge_heads``, ``W_o``), checked against
  :func:`attn_core.multi_head_attention` with the causal mask. A wrong output
  is compared with the typical mistakes (no mask, no ``W_o``, the plain
  reshape, the wrong scale), then run through a leakage test (does an earlier
  token's output change when only the last token changes?), then taken back
  through ``W_o`` to say which head differs first, and at which token.
- ``4.3`` (value): the parameters of PyTorch's ``nn.MultiheadAttention`` with
  its biases, for Vaswani et al.'s ``d_model = 512``, ``H = 8``.
- ``4.4`` (function): reorder the heads of a layer by moving blocks of its
  weight matrices; the new layer must give the same output, with the
  attention weights in the new head order.

Expected values come from attn_core and from the parameter shapes of
``nn.MultiheadAttention``'s source, never typed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from attn_book.exercises.calls import call, describe
from attn_book.exercises.compare import (
    as_array,
    expect_array,
    expect_finite,
    expect_number,
    expect_shape,
)
from attn_book.exercises.registry import exercise
from attn_book.exercises.verdict import Wrong
from attn_book.heads import random_projections
from attn_core import (
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    split_heads,
)

# ---------------------------------------------------------------- 4.1 split heads

#: (shape of x, num_heads) the reader's split is tried on: 2-D inputs, then a batch.
SPLIT_CASES: tuple[tuple[tuple[int, ...], int], ...] = (
    ((5, 8), 4),
    ((5, 8), 2),
    ((2, 4, 6), 3),
    ((4, 6), 1),
)
# Labels: x[b, i, f] = _BATCH * b + _TOKEN * i + f (token i < 100, feature f < 100).
_TOKEN, _BATCH = 100, 10_000


def labelled_input(shape: tuple[int, ...]) -> np.ndarray:
    """An array whose every number says where it came from: ``10000 b + 100 i + f``.

    ``b`` is the batch index (one leading axis at most), ``i`` the token and
    ``f`` the feature.

    Examples
    --------
    >>> labelled_input((2, 3))
    array([[  0.,   1.,   2.],
           [100., 101., 102.]])
    """
    grid = np.indices(shape)
    batch = grid[0] if len(shape) == 3 else 0
    return (_BATCH * batch + _TOKEN * grid[-2] + grid[-1]).astype(np.float64)


def _explain_split(got: np.ndarray, expected: np.ndarray, num_heads: int, where: str) -> None:
    """Raise Wrong naming the first entry of the reader's split that holds the wrong number."""
    index = tuple(int(i) for i in np.argwhere(got != expected)[0])
    *batch, head, row, _ = index
    value = got[index]
    d_head = expected.shape[-1]
    if float(value).is_integer() and value >= 0:
        value = int(value)
        b, token, feature = value // _BATCH, value % _BATCH // _TOKEN, value % _TOKEN
        if batch and b != batch[0]:
            raise Wrong(
                f"{where}, head {head + 1} of sequence {batch[0]} holds numbers of "
                f"sequence {b}: the split mixed the sequences of the batch"
            )
        if token != row:
            raise Wrong(
                f"{where}, row {row} of head {head + 1} holds features of token {token}, "
                f"not of token {row}: the shape is right but the split mixed tokens. "
                "A plain reshape to (..., H, n, d_head) does this; reshape to "
                "(..., n, H, d_head) first, then swap the token and head axes"
            )
        first = head * d_head
        raise Wrong(
            f"{where}, head {head + 1} holds feature {feature} of token {token}; head "
            f"{head + 1} takes the block of features {first} to {first + d_head - 1} "
            "of every token, side by side, not every H-th feature"
        )
    expect_array(got, expected, name=f"your split {where}")


@exercise(
    "4.1",
    title="Split the heads",
    kind="function",
    hint="Cut each token's row into H slices with x.reshape(*x.shape[:-1], num_heads, -1), "
    "which gives (..., n, H, d_head), then swap the token and head axes with "
    "np.swapaxes(..., -3, -2).",
    solution=split_heads,
    wrong_answers=[
        (
            lambda x, h: x.reshape(*x.shape[:-2], h, x.shape[-2], x.shape[-1] // h),
            "the split mixed tokens",
        ),
        (
            lambda x, h: x.reshape(*x.shape[:-1], h, x.shape[-1] // h),
            "swap the token and head axes",
        ),
        (
            lambda x, h: x.reshape(x.shape[0], h, -1).transpose(1, 0, 2),
            "must also split a batch",
        ),
        (
            lambda x, h: np.swapaxes(np.swapaxes(x.reshape(*x.shape[:-1], -1, h), -1, -2), -3, -2),
            "not every H-th feature",
        ),
        (lambda x, h: split_heads(x, h).tolist(), "not a NumPy array"),
    ],
)
def check_split_heads(function: Any) -> str:
    """``function(x, num_heads)`` must equal :func:`attn_core.split_heads` on labelled inputs."""
    for shape, num_heads in SPLIT_CASES:
        x = labelled_input(shape)
        where = f"for x of shape {shape} and num_heads={num_heads}"
        name = f"your split {where}"
        got = as_array(call(function, x, num_heads), name=name)
        expected = split_heads(x, num_heads)
        *batch, n, d_model = shape
        view_shape = (*batch, n, num_heads, d_model // num_heads)
        if got.shape == view_shape != expected.shape:
            raise Wrong(
                f"{name} has shape {got.shape}, the view (..., n, H, d_head): swap the token "
                f"and head axes to get (..., H, n, d_head) = {expected.shape}"
            )
        if batch and got.shape != expected.shape:
            raise Wrong(
                f"{name} has shape {got.shape}, expected {expected.shape}: your function must "
                "also split a batch of sequences, so count the axes from the end "
                "(x.shape[:-1], axes -3 and -2)"
            )
        expect_shape(got, expected.shape, name=name)
        expect_finite(got, name=name)
        if not np.array_equal(got, expected):
            _explain_split(got, expected, num_heads, where)
    return "every row of every head holds one token's own block of features, batches included"


# ---------------------------------------------------------------- 4.2 causal multi-head

#: (n, d_model, num_heads, seed) of the test layers of exercise 4.2.
CAUSAL_CASES: tuple[tuple[int, int, int, int], ...] = ((6, 8, 2, 0), (5, 8, 4, 1), (4, 6, 1, 2))
_ATOL = 1e-6


def causal_case(
    n: int, d_model: int, seed: int
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Seeded token vectors ``x`` (n, d_model) and weights ``(w_q, w_k, w_v, w_o)``.

    The weights are :func:`attn_book.heads.random_projections`, scaled up so
    that the heads' weights are far from uniform (then a mistake shows).
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d_model))
    w_q, w_k, w_v, w_o = random_projections(d_model, seed=seed + 100)
    return x, (2.0 * w_q, 2.0 * w_k, w_v, w_o)


def _plain_reshape_heads(a: np.ndarray, num_heads: int) -> np.ndarray:
    n, d_model = a.shape
    return a.reshape(num_heads, n, d_model // num_heads)


def _variant(
    x: np.ndarray,
    weights: tuple[np.ndarray, ...],
    num_heads: int,
    *,
    mask: np.ndarray | None,
    split: Callable[[np.ndarray, int], np.ndarray] = split_heads,
    plain_merge: bool = False,
    scale: float | None = None,
    w_o: np.ndarray | None = None,
) -> np.ndarray:
    """Multi-head attention with one piece swapped for a typical mistake."""
    w_q, w_k, w_v, default_w_o = weights
    q, k, v = (split(x @ w, num_heads) for w in (w_q, w_k, w_v))
    context, _ = scaled_dot_product_attention(q, k, v, mask, scale=scale)
    if plain_merge or split is _plain_reshape_heads:
        merged = context.reshape(x.shape)
    else:
        merged = merge_heads(context)
    return merged @ (default_w_o if w_o is None else w_o)


def _mistakes(
    x: np.ndarray, weights: tuple[np.ndarray, ...], num_heads: int
) -> list[tuple[np.ndarray, str]]:
    """The outputs of typical mistakes, each with what to tell the reader."""
    n, d_model = x.shape
    mask = causal_mask(n)
    w_o = weights[3]
    return [
        (
            _variant(x, weights, num_heads, mask=None),
            "your output is multi-head attention without the causal mask: every token also "
            "sees the tokens after it. Pass mask=causal_mask(n) to scaled_dot_product_attention",
        ),
        (
            _variant(x, weights, num_heads, mask=mask.T),
            "your mask lets each token see itself and the tokens after it, not before it: "
            "causal_mask(n) is True on and below the diagonal (key j <= query i)",
        ),
        (
            _variant(x, weights, num_heads, mask=mask, w_o=np.eye(d_model)),
            "your output is concat(heads), the merged heads before the output projection: "
            "multiply it by w_o",
        ),
        (
            _variant(x, weights, num_heads, mask=mask, w_o=w_o.T),
            "you multiplied by w_o.T; the output is merge_heads(context) @ w_o",
        ),
        (
            _variant(x, weights, num_heads, mask=mask, split=_plain_reshape_heads),
            "your split mixed tokens: a plain reshape to (H, n, d_head) gives the right "
            "shape, but each head's rows are no longer the tokens. Use split_heads",
        ),
        (
            _variant(x, weights, num_heads, mask=mask, plain_merge=True),
            "your merge mixed tokens: context.reshape(n, d_model) reads the (H, n, d_head) "
            "context in memory order, head after head; swap the head and token axes back "
            "first (merge_heads does)",
        ),
        (
            _variant(x, weights, num_heads, mask=mask, scale=1 / math.sqrt(d_model)),
            "your scores are divided by sqrt(d_model); each head divides by sqrt(d_k) of one "
            "head, d_k = d_head (scaled_dot_product_attention does it when you leave scale out)",
        ),
    ]


def _explain_causal(
    function: Any,
    got: np.ndarray,
    x: np.ndarray,
    weights: tuple[np.ndarray, ...],
    num_heads: int,
    where: str,
) -> None:
    """Raise Wrong saying what differs from causal multi-head attention."""
    n, d_model = x.shape
    for output, message in _mistakes(x, weights, num_heads):
        if np.allclose(got, output, atol=_ATOL, rtol=_ATOL):
            raise Wrong(f"{where}, {message}")
    # Leakage: change only the last token; no earlier token's output may change.
    x_changed = x.copy()
    x_changed[-1] += np.random.default_rng(7).normal(size=d_model)
    changed = as_array(call(function, x_changed, *weights, num_heads), name=f"your output {where}")
    if changed.shape == got.shape:
        moved = np.abs(changed[:-1] - got[:-1]).max(axis=-1) > _ATOL
        if moved.any():
            token = int(np.argmax(moved))
            raise Wrong(
                f"{where}, the output of token {token} changes when only token {n - 1}, the "
                "last, changes: the future leaks into the past. Mask the scores with "
                "causal_mask(n)"
            )
    # Back through W_o: which head's context vectors differ, and where first?
    w_o = weights[3]
    mask = causal_mask(n)
    concat, _ = multi_head_attention(x, *weights[:3], np.eye(d_model), num_heads, mask)
    got_concat = got @ np.linalg.inv(w_o)
    d_head = d_model // num_heads
    wrong_heads = [
        i
        for i in range(num_heads)
        if not np.allclose(
            got_concat[:, i * d_head : (i + 1) * d_head],
            concat[:, i * d_head : (i + 1) * d_head],
            atol=1e-5,
            rtol=1e-5,
        )
    ]
    if wrong_heads:
        i = wrong_heads[0]
        cols = slice(i * d_head, (i + 1) * d_head)
        token = int(np.argmax(np.abs(got_concat[:, cols] - concat[:, cols]).max(axis=-1) > 1e-5))
        right = [str(h + 1) for h in range(num_heads) if h not in wrong_heads]
        heads_right = (
            f" (head{'s' if len(right) > 1 else ''} {', '.join(right)} "
            f"{'are' if len(right) > 1 else 'is'} right)"
            if right
            else ""
        )
        raise Wrong(
            f"{where}, taken back through W_o, the context vectors of head {i + 1} "
            f"(features {cols.start} to {cols.stop - 1} of concat(heads)) differ first at "
            f"token {token}{heads_right}"
        )
    expect_array(got, _variant(x, weights, num_heads, mask=mask), name=f"your output {where}")


def _causal_solution(
    x: np.ndarray,
    w_q: np.ndarray,
    w_k: np.ndarray,
    w_v: np.ndarray,
    w_o: np.ndarray,
    num_heads: int,
) -> np.ndarray:
    return multi_head_attention(x, w_q, w_k, w_v, w_o, num_heads, causal_mask(x.shape[-2]))[0]


@exercise(
    "4.2",
    title="Causal multi-head attention from the pieces",
    kind="function",
    hint="Project (x @ w_q, ...), split each with split_heads(..., num_heads), call "
    "scaled_dot_product_attention(q, k, v, mask=causal_mask(n)) once for all heads, "
    "then merge_heads(context) @ w_o.",
    solution=_causal_solution,
    wrong_answers=[
        (lambda x, wq, wk, wv, wo, h: multi_head_attention(x, wq, wk, wv, wo, h)[0], "without"),
        (
            lambda x, wq, wk, wv, wo, h: multi_head_attention(
                x, wq, wk, wv, np.eye(len(wo)), h, causal_mask(len(x))
            )[0],
            "multiply it by w_o",
        ),
        (
            lambda x, wq, wk, wv, wo, h: _variant(
                x, (wq, wk, wv, wo), h, mask=causal_mask(len(x)), split=_plain_reshape_heads
            ),
            "mixed tokens",
        ),
        (
            lambda x, wq, wk, wv, wo, h: _variant(
                x, (wq, wk, wv, wo), h, mask=causal_mask(len(x)), plain_merge=True
            ),
            "your merge mixed tokens",
        ),
        (
            lambda x, wq, wk, wv, wo, h: _variant(
                x, (wq, wk, wv, wo), h, mask=causal_mask(len(x)), scale=1 / math.sqrt(len(wo))
            ),
            "sqrt(d_model)",
        ),
        (
            lambda x, wq, wk, wv, wo, h: multi_head_attention(
                x, wq, wk, wv, wo, h, causal_mask(len(x))
            ),
            "return only the output",
        ),
        (
            # Head 1 attends without the mask, the other heads with it.
            lambda x, wq, wk, wv, wo, h: (
                merge_heads(
                    np.concatenate(
                        [
                            scaled_dot_product_attention(
                                *(split_heads(x @ w, h)[:1] for w in (wq, wk, wv))
                            )[0],
                            scaled_dot_product_attention(
                                *(split_heads(x @ w, h)[1:] for w in (wq, wk, wv)),
                                causal_mask(len(x)),
                            )[0],
                        ]
                    )
                )
                @ wo
            ),
            "the output of token 0 changes",
        ),
    ],
)
def check_causal_multi_head(function: Any) -> str:
    """``function(x, w_q, w_k, w_v, w_o, num_heads)`` must equal causal multi-head attention."""
    for n, d_model, num_heads, seed in CAUSAL_CASES:
        x, weights = causal_case(n, d_model, seed)
        where = f"for x of shape {x.shape} and num_heads={num_heads}"
        result = call(function, x, *weights, num_heads)
        if isinstance(result, tuple) and len(result) == 2:
            raise Wrong(
                f"{where}, your function returned {describe(result)} (the output and the "
                "weights?): return only the output, an (n, d_model) array"
            )
        name = f"your output {where}"
        got = as_array(result, name=name)
        d_head = d_model // num_heads
        if got.shape == (num_heads, n, d_head) != (n, d_model):
            raise Wrong(
                f"{name} has shape {got.shape}, one context vector per head and token "
                "(H, n, d_head): merge the heads with merge_heads, then multiply by w_o"
            )
        expect_shape(got, (n, d_model), name=name)
        expect_finite(got, name=name, axes=("token", "feature"))
        if not np.allclose(got, _causal_solution(x, *weights, num_heads), atol=_ATOL, rtol=_ATOL):
            _explain_causal(function, got, x, weights, num_heads, where)
    cases = ", ".join(str(h) for *_, h, _ in CAUSAL_CASES)
    return f"your layer equals causal multi-head attention for num_heads = {cases}"


# ---------------------------------------------------------------- 4.3 PyTorch's count

#: Vaswani et al. (2017), sections 3.1 and 3.2.2: d_model = 512, h = 8 heads.
PAPER_D_MODEL, PAPER_HEADS = 512, 8


def pytorch_mha_parameter_shapes(embed_dim: int) -> dict[str, tuple[int, ...]]:
    """The learned parameters of ``torch.nn.MultiheadAttention(embed_dim, num_heads)``.

    With its defaults (``bias=True``, ``add_bias_kv=False``, ``kdim = vdim =
    embed_dim``), as its ``__init__`` creates them: W_q, W_k, W_v stacked in
    ``in_proj_weight``, their biases in ``in_proj_bias``, and ``out_proj``, a
    linear layer with weight and bias. ``num_heads`` does not appear: the
    heads' matrices sit side by side in these.

    Examples
    --------
    >>> pytorch_mha_parameter_shapes(4)["in_proj_weight"]
    (12, 4)
    """
    d = embed_dim
    return {
        "in_proj_weight": (3 * d, d),
        "in_proj_bias": (3 * d,),
        "out_proj.weight": (d, d),
        "out_proj.bias": (d,),
    }


def pytorch_mha_parameter_count(embed_dim: int) -> int:
    """How many numbers :func:`pytorch_mha_parameter_shapes` hold together."""
    return sum(math.prod(shape) for shape in pytorch_mha_parameter_shapes(embed_dim).values())


_D = PAPER_D_MODEL
_NO_BIAS = 4 * _D * _D
_BIAS_MISTAKES = {
    _NO_BIAS: "that is W_q, W_k, W_v and W_o without biases; with bias=True, its default, "
    "nn.MultiheadAttention also learns a bias vector for each projection",
    _NO_BIAS + _D: "you counted the bias of out_proj (W_o) only; the input projection "
    "(W_q, W_k, W_v) has biases too",
    _NO_BIAS + 3 * _D: "you counted the input projection's biases (in_proj_bias) but not "
    "out_proj's",
    _NO_BIAS + 4 * (_D // PAPER_HEADS): "a bias has one entry per output feature of its "
    "projection, d_model of them, not d_head: the heads' biases sit side by side too",
    _NO_BIAS + 4 * _D * PAPER_HEADS: "you counted each bias once per head; the heads share "
    "one bias vector of d_model entries per projection, each head using its block",
    3 * _D * _D + 3 * _D: "you left out out_proj, W_o and its bias",
}


@exercise(
    "4.3",
    title="Parameters of nn.MultiheadAttention",
    kind="value",
    hint="List the four projections; each has a d_model x d_model weight and, with "
    "bias=True, a bias with one entry per output feature.",
    solution=pytorch_mha_parameter_count(PAPER_D_MODEL),
    wrong_answers=[
        (_NO_BIAS, "without biases"),
        (_NO_BIAS + _D, "out_proj (W_o) only"),
        (_NO_BIAS + 4 * (_D // PAPER_HEADS), "not d_head"),
        (pytorch_mha_parameter_count(PAPER_D_MODEL) - 1, "too small"),
        (str(pytorch_mha_parameter_count(PAPER_D_MODEL)), "drop the quotes"),
    ],
)
def check_pytorch_count(answer: Any) -> str:
    """The parameters of nn.MultiheadAttention(512, 8) with its default biases."""
    number = isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(
        answer, (bool, np.bool_)
    )
    if number and float(answer).is_integer() and int(answer) in _BIAS_MISTAKES:
        raise Wrong(f"{int(answer):,}: {_BIAS_MISTAKES[int(answer)]}")
    expect_number(
        answer,
        pytorch_mha_parameter_count(PAPER_D_MODEL),
        integer=True,
        rtol=0.0,
        name="your count",
    )
    shapes = pytorch_mha_parameter_shapes(PAPER_D_MODEL)
    parts = " + ".join(f"{name} {math.prod(s):,}" for name, s in shapes.items())
    return f"{parts}; 4 d_model^2 + 4 d_model for any number of heads"


# ---------------------------------------------------------------- 4.4 reorder heads

#: (d_model, num_heads, order, seed) of exercise 4.4.
PERMUTE_CASES: tuple[tuple[int, int, tuple[int, ...], int], ...] = (
    (8, 4, (2, 0, 3, 1), 0),
    (6, 2, (1, 0), 1),
    (6, 3, (1, 2, 0), 2),
)


def _permute_solution(
    w_q: np.ndarray,
    w_k: np.ndarray,
    w_v: np.ndarray,
    w_o: np.ndarray,
    num_heads: int,
    order: list[int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    d_head = w_q.shape[0] // num_heads
    perm = np.concatenate([np.arange(i * d_head, (i + 1) * d_head) for i in order])
    return w_q[:, perm], w_k[:, perm], w_v[:, perm], w_o[perm]


def _permute_only_inputs(wq, wk, wv, wo, h, order):
    return (*_permute_solution(wq, wk, wv, wo, h, order)[:3], wo)


def _permute_w_o_columns(wq, wk, wv, wo, h, order):
    new = _permute_solution(wq, wk, wv, wo.T, h, order)
    return (*new[:3], new[3].T)


def _permute_inverse(wq, wk, wv, wo, h, order):
    return _permute_solution(wq, wk, wv, wo, h, list(np.argsort(order)))


@exercise(
    "4.4",
    title="Reorder the heads",
    kind="function",
    hint="Build perm, the feature indices of old head order[0], then of old head "
    "order[1], ...; return w_q[:, perm], w_k[:, perm], w_v[:, perm] and w_o[perm] "
    "(W_o's rows meet the heads' features).",
    solution=_permute_solution,
    wrong_answers=[
        (_permute_only_inputs, "the output changed"),
        (_permute_w_o_columns, "the output changed"),
        (_permute_inverse, "but it is old head"),
        (lambda wq, wk, wv, wo, h, order: (wq, wk, wv, wo), "but it is old head 1"),
        (lambda wq, wk, wv, wo, h, order: wq, "a tuple of the four matrices"),
    ],
)
def check_permute_heads(function: Any) -> str:
    """New head i must be old head order[i], with the same output."""
    for d_model, num_heads, order, seed in PERMUTE_CASES:
        x = np.random.default_rng(seed).normal(size=(5, d_model))
        weights = random_projections(d_model, seed=seed + 200)
        weights = (2.0 * weights[0], 2.0 * weights[1], weights[2], weights[3])
        where = f"for num_heads={num_heads} and order={list(order)}"
        result = call(function, *weights, num_heads, list(order))
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            raise Wrong(
                f"{where}, your function returned {describe(result)}; return a tuple of the "
                "four matrices (w_q, w_k, w_v, w_o)"
            )
        new = []
        for label, matrix in zip(("w_q", "w_k", "w_v", "w_o"), result, strict=True):
            got = as_array(matrix, name=f"your new {label} {where}")
            expect_shape(got, (d_model, d_model), name=f"your new {label} {where}")
            expect_finite(got, name=f"your new {label} {where}")
            new.append(got)
        out, weights_old = multi_head_attention(x, *weights, num_heads)
        out_new, weights_new = multi_head_attention(x, *new, num_heads)
        for i in range(num_heads):
            if np.allclose(weights_new[i], weights_old[order[i]], atol=_ATOL):
                continue
            same = [
                j
                for j in range(num_heads)
                if np.allclose(weights_new[i], weights_old[j], atol=_ATOL)
            ]
            if same:
                raise Wrong(
                    f"{where}, new head {i + 1} should be old head {order[i] + 1} "
                    f"(order[{i}] = {order[i]}), but it is old head {same[0] + 1}"
                )
            raise Wrong(
                f"{where}, the attention weights of new head {i + 1} match no old head: move "
                "whole blocks of d_head columns of W_q and W_k, the same way for both"
            )
        if not np.allclose(out_new, out, atol=_ATOL, rtol=_ATOL):
            raise Wrong(
                f"{where}, the heads come out in the new order but the output changed: "
                "move W_v's column blocks and W_o's row blocks (the rows that meet each "
                "head's features) in the same order as W_q's columns"
            )
    return "the output is unchanged and the heads come out in the new order: heads have no order"
