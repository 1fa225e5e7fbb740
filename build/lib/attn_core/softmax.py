"""A numerically stable softmax that turns fully masked rows into zeros."""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_core._validation import FloatArray, result_dtype


def softmax(x: Any, axis: int = -1) -> FloatArray:
    """Softmax along ``axis``, stable for large logits and safe for masked rows.

    The maximum of each slice is subtracted before exponentiating, so logits
    of 1e4 do not overflow. ``-inf`` entries (masked scores) get weight 0; a
    slice that is entirely ``-inf`` gets all zeros instead of the NaN that
    ``exp(-inf - (-inf))`` would give.

    Parameters
    ----------
    x : array_like
        Logits. May contain ``-inf``; NaN and ``+inf`` are rejected.
    axis : int, default -1
        The axis that sums to 1.

    Returns
    -------
    ndarray
        Same shape as ``x``; float16 and float32 input keep their dtype,
        anything else gives float64.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array.
    ValueError
        If ``x`` contains NaN or ``+inf``, or ``axis`` is out of range.

    Examples
    --------
    >>> softmax([1.0, 1.0])
    array([0.5, 0.5])
    >>> softmax([-np.inf, -np.inf])
    array([0., 0.])
    """
    logits = np.asarray(x)
    if logits.dtype == bool or not (
        np.issubdtype(logits.dtype, np.integer) or np.issubdtype(logits.dtype, np.floating)
    ):
        raise TypeError(f"x must be a real numeric array, got dtype {logits.dtype}")
    logits = logits.astype(result_dtype(logits), copy=False)
    if logits.ndim == 0:
        raise ValueError("x must have at least 1 dimension, got a scalar")
    if not -logits.ndim <= axis < logits.ndim:
        raise ValueError(f"axis={axis} is out of range for x with shape {logits.shape}")
    row_max = np.max(logits, axis=axis, keepdims=True)
    # max propagates NaN and a slice holding +inf has max +inf, so checking the
    # row maxima finds both without two more passes over the whole array.
    if np.isnan(row_max).any() or np.isposinf(row_max).any():
        raise ValueError("x contains NaN or +inf; only -inf (a masked logit) is allowed")
    # A fully masked slice has max -inf; shifting by 0 keeps it at -inf -> exp 0.
    row_max = np.where(np.isneginf(row_max), 0.0, row_max)
    # One buffer for the shift, exp and division: the score matrix can be large.
    exps = np.subtract(logits, row_max, dtype=logits.dtype)
    np.exp(exps, out=exps)
    totals = np.sum(exps, axis=axis, keepdims=True)
    # Where the total is 0 every entry is 0 as well; divide by 1 to keep zeros.
    totals[totals == 0.0] = 1.0
    exps /= totals
    return exps
