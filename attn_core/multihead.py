"""Multi-head attention with the head layout of PyTorch's nn.MultiheadAttention."""

from typing import Any

import numpy as np

from attn_core import _checks as check
from attn_core.attention import _attend

_W = ("w_q", "w_k", "w_v", "w_o")
_SCORES = "the scores (x @ w_q) @ (x @ w_k)^T / sqrt(d_head)"


def _split(x: np.ndarray, num_heads: int) -> np.ndarray:
    """(..., n, d_model) -> (..., h, n, d_head); head i takes features i*d_head:(i+1)*d_head."""
    *batch, n, d_model = x.shape
    # View as (..., n, h, d_head), then swap n and h: a plain reshape would mix tokens.
    return np.swapaxes(x.reshape(*batch, n, num_heads, d_model // num_heads), -3, -2)


def _merge(x: np.ndarray) -> np.ndarray:
    """(..., h, n, d_head) -> (..., n, h * d_head), the inverse of _split."""
    *batch, h, n, d_head = x.shape
    return np.swapaxes(x, -3, -2).reshape(*batch, n, h * d_head)


def multi_head_attention(
    x: Any, w_q: Any, w_k: Any, w_v: Any, w_o: Any, num_heads: int, mask: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Multi-head self-attention: project, split into heads, attend, merge, project.

    Parameters
    ----------
    x : array_like, shape (..., n, d_model)
    w_q, w_k, w_v, w_o : array_like, shape (d_model, d_model)
        Applied as ``x @ w``; head i uses columns ``i*d_head:(i+1)*d_head`` of
        ``x @ w_q``, ``x @ w_k`` and ``x @ w_v``, with ``d_head = d_model / num_heads``.
    num_heads : int
        At least 1, dividing d_model.
    mask : array_like of bool, optional
        Broadcastable to (..., n, n), shared by the heads; True = may attend.

    Returns
    -------
    out : ndarray, shape (..., n, d_model)
        The heads' contexts, concatenated and projected by ``w_o``.
    weights : ndarray, shape (..., num_heads, n, n)

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> x, w = np.ones((5, 8)), np.eye(8)
    >>> [a.shape for a in multi_head_attention(x, w, w, w, w, num_heads=2)]
    [(5, 8), (2, 5, 5)]
    """
    x = check.array(x, "x", 2)
    *batch, n, d_model = x.shape
    ws = {name: check.array(w, name, 2) for name, w in zip(_W, (w_q, w_k, w_v, w_o), strict=True)}
    for name, w in ws.items():
        if w.shape != (d_model, d_model):
            raise ValueError(
                f"{name} has shape {w.shape}; x {x.shape} needs ({d_model}, {d_model})"
            )
    h = _heads(num_heads, x.shape)
    if mask is not None:
        mask = check.mask(mask, (*batch, n, n), f"(..., n, n) = {(*batch, n, n)} of x {x.shape}")
        mask = mask[..., None, :, :] if mask.ndim > 2 else mask  # one mask for every head
    work, out = check.dtypes(x, *ws.values())
    x, w_q, w_k, w_v, w_o = (a.astype(work, copy=False) for a in (x, *ws.values()))
    # (..., n, d_model) -> (..., h, n, d_head) for each of Q, K, V
    with np.errstate(over="ignore"):  # overflow is named just below
        q, k, v = (
            _split(check.finite(x @ w, f"x @ {name}"), h)
            for name, w in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v))
        )
    context, weights = _attend(q, k, v, mask, 1 / np.sqrt(d_model // h), _SCORES)
    # (..., h, n, d_head) -> (..., n, d_model), then the output projection W_o
    with np.errstate(over="ignore"):  # overflow, in float16 too, is named just below
        result = (_merge(context) @ w_o).astype(out, copy=False)
    check.finite(result, "the output merge_heads(context) @ w_o")
    return result, weights.astype(out, copy=False)


def _heads(num_heads: Any, x_shape: tuple[int, ...]) -> int:
    """``num_heads`` checked: an int of at least 1 that divides d_model, the last size of x."""
    num_heads, d_model = check.integer(num_heads, "num_heads", minimum=1), x_shape[-1]
    if d_model == 0 or d_model % num_heads:
        divisors = [h for h in range(1, d_model + 1) if d_model % h == 0]
        raise ValueError(
            f"num_heads={num_heads} does not divide d_model={d_model} of x {x_shape}; "
            f"choose one of {divisors}"
        )
    return num_heads


def split_heads(x: Any, num_heads: int) -> np.ndarray:
    """Reshape (..., n, d_model) into (..., num_heads, n, d_head): head i gets features i*d_head:.

    Parameters
    ----------
    x : array_like, shape (..., n, d_model)
    num_heads : int
        At least 1, dividing d_model.

    Returns
    -------
    ndarray, shape (..., num_heads, n, d_model // num_heads)
        A view of ``x`` where NumPy can make one; tokens are never mixed.

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> split_heads(np.arange(8).reshape(2, 4), 2)[1]  # head 1: features 2, 3 of each token
    array([[2, 3],
           [6, 7]])
    """
    x = check.array(x, "x", 2, finite=False)
    return _split(x, _heads(num_heads, x.shape))


def merge_heads(x: Any) -> np.ndarray:
    """(..., h, n, d_head) -> (..., n, h * d_head), the inverse of :func:`split_heads`.

    Parameters
    ----------
    x : array_like, shape (..., h, n, d_head)

    Returns
    -------
    ndarray, shape (..., n, h * d_head)

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> merge_heads(np.zeros((2, 5, 4))).shape
    (5, 8)
    """
    return _merge(check.array(x, "x", 3, finite=False))
