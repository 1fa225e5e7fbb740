"""Multi-head attention with the head layout of PyTorch's nn.MultiheadAttention."""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_core._validation import FloatArray, as_float_array, check_int, result_dtype
from attn_core.attention import scaled_dot_product_attention


def split_heads(x: np.ndarray, num_heads: int) -> np.ndarray:
    """Reshape (..., n, d_model) into (..., num_heads, n, d_head).

    Head ``i`` takes features ``i*d_head:(i+1)*d_head``. The view keeps
    tokens apart: reshape to (..., n, h, d_head) first, then swap the n and
    h axes. A plain reshape to (..., h, n, d_head) would mix tokens.
    """
    *batch, n, d_model = x.shape
    d_head = d_model // num_heads
    return np.swapaxes(x.reshape(*batch, n, num_heads, d_head), -3, -2)


def merge_heads(x: np.ndarray) -> np.ndarray:
    """Inverse of :func:`split_heads`: (..., h, n, d_head) -> (..., n, h * d_head)."""
    *batch, h, n, d_head = x.shape
    return np.swapaxes(x, -3, -2).reshape(*batch, n, h * d_head)


def _check_heads(num_heads: Any, d_model: int) -> int:
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    if d_model % num_heads:
        divisors = [h for h in range(1, d_model + 1) if d_model % h == 0]
        raise ValueError(
            f"num_heads={num_heads} does not divide d_model={d_model}; choose one of {divisors}"
        )
    return int(num_heads)


def multi_head_attention(
    x: Any,
    w_q: Any,
    w_k: Any,
    w_v: Any,
    w_o: Any,
    num_heads: int,
    mask: Any = None,
) -> tuple[FloatArray, FloatArray]:
    """Multi-head self-attention: project, split into heads, attend, merge, project.

    Parameters
    ----------
    x : array_like, shape (..., n, d_model)
        Token vectors.
    w_q, w_k, w_v, w_o : array_like, shape (d_model, d_model)
        Projections, applied as ``x @ w``. Head ``i`` uses columns
        ``i*d_head:(i+1)*d_head`` of ``x @ w_q`` (and of ``w_k``, ``w_v``),
        where ``d_head = d_model / num_heads``.
    num_heads : int
        Number of heads ``h``; must divide ``d_model``.
    mask : array_like of bool, optional
        Broadcastable to (..., n, n), where ``...`` are the batch dimensions
        of ``x``; the same mask applies to every head. True = may attend.

    Returns
    -------
    out : ndarray, shape (..., n, d_model)
        The heads' context vectors, concatenated and projected by ``w_o``.
    weights : ndarray, shape (..., num_heads, n, n)
        Each head's attention weights.

    Raises
    ------
    TypeError
        Non-numeric arrays, a non-int ``num_heads`` or a non-boolean mask.
    ValueError
        ``x`` with fewer than 2 dimensions, a weight not of shape
        (d_model, d_model), ``num_heads < 1`` or not dividing ``d_model``,
        a mask that does not broadcast, NaN or inf in an input.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(5, 8))
    >>> w = [rng.normal(size=(8, 8)) for _ in range(4)]
    >>> out, weights = multi_head_attention(x, *w, num_heads=2)
    >>> out.shape, weights.shape
    ((5, 8), (2, 5, 5))
    """
    dtype = result_dtype(x, w_q, w_k, w_v, w_o)
    x = as_float_array(x, "x", min_ndim=2, dtype=dtype)
    d_model = x.shape[-1]
    weights_in = {}
    for name, w in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v), ("w_o", w_o)):
        w = as_float_array(w, name, min_ndim=2, dtype=dtype)
        if w.shape != (d_model, d_model):
            raise ValueError(
                f"{name} must have shape (d_model, d_model) = ({d_model}, {d_model}) "
                f"to match x {x.shape}, got {w.shape}"
            )
        weights_in[name] = w
    num_heads = _check_heads(num_heads, d_model)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.ndim >= 3:
            # A per-sequence mask (..., n, n) is shared by all heads: add the head axis
            # so it lines up with the scores (..., h, n, n).
            mask = mask[..., None, :, :]
    # (..., n, d_model) -> (..., h, n, d_head) for each of Q, K, V
    q = split_heads(x @ weights_in["w_q"], num_heads)
    k = split_heads(x @ weights_in["w_k"], num_heads)
    v = split_heads(x @ weights_in["w_v"], num_heads)
    context, weights = scaled_dot_product_attention(q, k, v, mask)
    # (..., h, n, d_head) -> (..., n, d_model), then the output projection W_o
    return merge_heads(context) @ weights_in["w_o"], weights
