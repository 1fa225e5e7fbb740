"""Input checks shared by every attention function.

Each helper raises ``ValueError`` (or ``TypeError`` for a wrong type) with a
message that names the argument and what it got, so a learner sees
"k has d_k=6 but q has d_k=8" rather than a traceback from inside NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.floating]


#: Floating types that keep their precision; anything else computes in float64.
LOW_PRECISION = (np.dtype(np.float16), np.dtype(np.float32))


def result_dtype(*arrays: Any) -> np.dtype:
    """The dtype attention computes in (the contract).

    float16 and float32 inputs keep their precision (the wider of the two
    when they are mixed); anything else (float64, integers, lists) computes
    in float64.

    Examples
    --------
    >>> result_dtype(np.zeros(2, np.float16), np.zeros(2, np.float32))
    dtype('float32')
    >>> result_dtype(np.zeros(2, np.float32), [1.0])
    dtype('float64')
    """
    dtypes = [np.asarray(a).dtype for a in arrays]
    if dtypes and all(d in LOW_PRECISION for d in dtypes):
        return np.result_type(*dtypes)
    return np.dtype(np.float64)


def check_int(value: Any, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise naming ``name`` and what it got.

    Python and NumPy integers are accepted; ``bool`` is not (``True`` is an
    int to Python, but never a meaningful size).

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If it is below ``minimum`` or above ``maximum``.

    Examples
    --------
    >>> check_int(3, "n", minimum=1)
    3
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return int(value)


def as_float_array(value: Any, name: str, min_ndim: int = 1, dtype: Any = None) -> FloatArray:
    """Convert ``value`` to a finite floating array of at least ``min_ndim`` dims.

    Parameters
    ----------
    value : array_like
        The input to check.
    name : str
        The argument name used in error messages.
    min_ndim : int
        Smallest number of dimensions accepted.
    dtype : numpy dtype, optional
        Target dtype; by default float16 and float32 stay as they are and
        anything else becomes float64.

    Raises
    ------
    TypeError
        If ``value`` is not numeric (strings, objects, booleans, complex).
    ValueError
        If it has too few dimensions or contains NaN or inf.
    """
    array = np.asarray(value)
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    if array.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimensions, got shape {array.shape}"
        )
    if dtype is None:
        dtype = result_dtype(array)
    array = array.astype(dtype, copy=False)
    if not np.all(np.isfinite(array)):
        bad = "NaN" if np.isnan(array).any() else "inf"
        raise ValueError(f"{name} contains {bad}; attention inputs must be finite")
    return array


def check_mask(mask: Any, target_shape: tuple[int, ...], name: str = "mask") -> np.ndarray:
    """Return ``mask`` broadcast to ``target_shape``, checking it is boolean.

    Parameters
    ----------
    mask : array_like of bool
        True where a query may attend to a key (the PyTorch convention).
    target_shape : tuple of int
        The shape of the score matrix, ``(..., n_q, n_k)``.
    name : str
        Argument name for error messages.

    Raises
    ------
    TypeError
        If the mask is not boolean.
    ValueError
        If it does not broadcast to ``target_shape``.
    """
    mask_array = np.asarray(mask)
    if mask_array.dtype != bool:
        raise TypeError(
            f"{name} must be a boolean array (True = may attend), got dtype {mask_array.dtype}"
        )
    try:
        return np.broadcast_to(mask_array, target_shape)
    except ValueError:
        raise ValueError(
            f"{name} has shape {mask_array.shape}, which does not broadcast to the "
            f"scores' shape {target_shape} (..., n_q, n_k)"
        ) from None


def check_batch_broadcast(shapes: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    """Return the broadcast batch shape of several arrays, naming them on failure."""
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(f"batch dimensions do not broadcast: {listed}") from None
