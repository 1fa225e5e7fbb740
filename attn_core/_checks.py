"""Checks at attn_core's public edge: each error names the caller's argument and what it got."""

from typing import Any

import numpy as np


def integer(value: Any, name: str, minimum: int = 0) -> int:
    """``value`` as an int of at least ``minimum``; bools, floats and strings are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def real(value: Any, name: str) -> float:
    """``value`` as a finite float; bools, strings and complex numbers are refused."""
    real_types = (int, float, np.integer, np.floating)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, real_types):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def array(value: Any, name: str, ndim: int = 1, kinds: str = "iuf", finite: bool = True):
    """``value`` as an array of a dtype kind in ``kinds``, at least ``ndim``-D, finite if asked."""
    try:
        result = np.asarray(value)
    except ValueError:  # NumPy refuses ragged nested lists
        raise ValueError(f"{name} is ragged: its rows have different lengths") from None
    if result.dtype.kind not in kinds:
        got = type(value).__name__ if result.dtype == object else f"dtype {result.dtype}"
        wanted = "boolean (True = may attend)" if kinds == "b" else "a real numeric array"
        raise TypeError(f"{name} must be {wanted}, got {got}")
    if result.ndim < ndim:
        raise ValueError(f"{name} must have at least {ndim} dimensions, got shape {result.shape}")
    if finite and kinds != "b" and not np.isfinite(result).all():
        bad = "NaN" if np.isnan(result).any() else "inf"
        raise ValueError(f"{name} contains {bad}; attention inputs must be finite")
    return result


def batch(**shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape of the named shapes."""
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(f"shapes do not broadcast: {listed}") from None


def mask(value: Any, shape: tuple[int, ...], target: str) -> np.ndarray:
    """A boolean mask that broadcasts to ``shape`` (named ``target``) without growing it."""
    result = array(value, "mask", 0, kinds="b")
    try:
        fits = np.broadcast_shapes(result.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"mask has shape {result.shape}, which does not broadcast to {target}")
    return result


def dtypes(*arrays: np.ndarray) -> tuple[np.dtype, np.dtype]:
    """(compute dtype, result dtype): float16/float32 compute in float32, the rest in float64."""
    if all(a.dtype in (np.float16, np.float32) for a in arrays):
        return np.dtype(np.float32), np.result_type(*arrays)
    return np.dtype(np.float64), np.dtype(np.float64)


def qkv(q: Any, k: Any, v: Any, mask_: Any) -> tuple:
    """Checked q, k, v (v with k's n_k, batch dimensions that broadcast) and their scores' mask."""
    q, k, v = array(q, "q", 2), array(k, "k", 2), array(v, "v", 2)
    if v.shape[-2] != k.shape[-2]:
        raise ValueError(
            f"v has n_k={v.shape[-2]} but k has n_k={k.shape[-2]}; got k {k.shape}, v {v.shape}"
        )
    scores = (*batch(q=q.shape[:-2], k=k.shape[:-2], v=v.shape[:-2]), q.shape[-2], k.shape[-2])
    if mask_ is not None:
        mask_ = mask(mask_, scores, f"(..., n_q, n_k) = {scores} of q {q.shape} and k {k.shape}")
    return q, k, v, mask_


def dot_product_inputs(q: Any, k: Any, v: Any, mask_: Any, scale: Any) -> tuple:
    """Checked q, k, v in their compute dtype, mask, scale, and the result dtype."""
    q, k, v, mask_ = qkv(q, k, v, mask_)
    if k.shape[-1] != q.shape[-1]:
        raise ValueError(
            f"k has d_k={k.shape[-1]} but q has d_k={q.shape[-1]}; got q {q.shape}, k {k.shape}"
        )
    scale = 1 / np.sqrt(max(q.shape[-1], 1)) if scale is None else real(scale, "scale")
    work, out = dtypes(q, k, v)
    return (*(a.astype(work, copy=False) for a in (q, k, v)), mask_, scale, out)


def might_overflow(a: np.ndarray, b: np.ndarray, factor: float) -> bool:
    """Whether ``(a * factor) @ b^T`` may leave the float range (bound: d * max|a| * max|b|)."""
    largest = [max(float(x.max(initial=0)), -float(x.min(initial=0))) for x in (a, b)]
    return not a.shape[-1] * largest[0] * largest[1] * abs(factor) < np.finfo(a.dtype).max / 16


def finite(result: np.ndarray, what: str) -> np.ndarray:
    """``result``, or an error saying that computing ``what`` from finite inputs overflowed."""
    if not np.isfinite(result).all():
        raise ValueError(
            f"computing {what} overflows {result.dtype}: scale the inputs down or pass float64"
        )
    return result
