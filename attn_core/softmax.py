"""Softmax: stable for large logits, zeros (not NaN) for a slice that is all -inf."""

from typing import Any

import numpy as np

from attn_core import _checks as check


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, in place on a float32 or float64 array the caller owns."""
    if x.shape[axis] == 0:
        return x
    top = x.max(axis=axis, keepdims=True)
    top[np.isneginf(top)] = 0.0  # an all -inf slice: exp(-inf - 0) = 0, not NaN
    x -= top  # the largest logit becomes 0, so exp cannot overflow
    np.exp(x, out=x)
    total = x.sum(axis=axis, keepdims=True)
    total[total == 0.0] = 1.0  # an all-zero slice stays zero
    x /= total
    return x


def softmax(x: Any, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, stable for logits of 1e4; a slice that is all ``-inf`` gives zeros.

    Parameters
    ----------
    x : array_like
        Logits; ``-inf`` (a masked logit) gets weight 0.
    axis : int, default -1

    Returns
    -------
    ndarray
        The shape of ``x``; float16 is computed in float32 and returned as
        float16, float32 stays float32, anything else gives float64.

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> softmax([[1.0, 1.0], [-np.inf, -np.inf]])
    array([[0.5, 0.5],
           [0. , 0. ]])
    """
    logits = check.array(x, "x", finite=False)
    if np.isnan(logits).any() or (logits == np.inf).any():
        raise ValueError("x contains NaN or +inf; only -inf (a masked logit) is allowed")
    axis = check.integer(axis, "axis", minimum=-logits.ndim)
    if axis >= logits.ndim:
        raise ValueError(f"axis={axis} is out of range for x of shape {logits.shape}")
    work, out = check.dtypes(logits)
    return _softmax(logits.astype(work), axis).astype(out, copy=False)
