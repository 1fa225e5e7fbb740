"""Masks: causal, padding, their combination, and masking weights after the softmax.

Masks follow the attn_core convention (PyTorch's): boolean, True = this
query may attend to this key. A mask always acts on the ``(n_q, n_k)``
attention weights, never on the context vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from attn_core._validation import FloatArray, as_float_array, check_int, check_mask
from attn_core.softmax import softmax


def causal_mask(n: int) -> np.ndarray:
    """Boolean (n, n) mask that lets query i see keys 0..i only.

    Parameters
    ----------
    n : int
        Sequence length, at least 1.

    Returns
    -------
    ndarray of bool, shape (n, n)
        True on and below the diagonal (may attend), False above it.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n < 1``.

    Examples
    --------
    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    return np.tril(np.ones((check_int(n, "n", minimum=1),) * 2, dtype=bool))


def _check_lengths(lengths: Any, n: int | None) -> tuple[np.ndarray, int]:
    array = np.asarray(lengths)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"lengths must be a non-empty 1-D sequence, got shape {array.shape}")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"lengths must hold ints, got dtype {array.dtype}")
    if np.any(array < 1):
        raise ValueError(f"every length must be at least 1, got {array.tolist()}")
    longest = int(array.max())
    if n is None:
        n = longest
    elif check_int(n, "n") < longest:
        raise ValueError(f"n={n} is shorter than the longest sequence (length {longest})")
    return array.astype(int), int(n)


def key_padding_mask(lengths: Sequence[int], n: int | None = None) -> np.ndarray:
    """Attention mask that hides padding keys: shape (batch, 1, n).

    Every query (row) may attend to the real keys of its own sequence. The
    middle axis of size 1 broadcasts over the queries, so the result combines
    with a causal ``(n, n)`` mask by :func:`combine_masks`. Padding *query*
    rows are left allowed on real keys: their outputs are ignored later
    (PyTorch's ``key_padding_mask``, whose True means the opposite: ignore).

    This is the only padding mask attn_core makes. A (batch, n) array of
    real positions would broadcast against the scores as (n_q, n_k): when
    batch happens to equal n, every query would read another sequence's
    padding row, with no error. The middle axis makes that impossible.

    Parameters
    ----------
    lengths : sequence of int
        True length of each sequence.
    n : int, optional
        Padded length; defaults to the longest length.

    Returns
    -------
    ndarray of bool, shape (batch, 1, n)

    Raises
    ------
    TypeError
        If ``lengths`` does not hold ints or ``n`` is not an int.
    ValueError
        If ``lengths`` is empty or not 1-D, a length is below 1, or ``n`` is
        shorter than the longest sequence.

    Examples
    --------
    >>> key_padding_mask([3, 1]).astype(int)
    array([[[1, 1, 1]],
    <BLANKLINE>
           [[1, 0, 0]]])
    """
    lengths_array, n = _check_lengths(lengths, n)
    return (np.arange(n)[None, :] < lengths_array[:, None])[:, None, :]


def combine_masks(*masks: Any) -> np.ndarray:
    """Logical AND of masks: a key is allowed only if every mask allows it.

    Parameters
    ----------
    *masks : array_like of bool
        At least one; they must broadcast together, e.g. a causal ``(n, n)``
        mask and a ``(batch, 1, n)`` key padding mask give ``(batch, n, n)``.

    Returns
    -------
    ndarray of bool
        The broadcast AND of all masks.

    Raises
    ------
    TypeError
        If a mask is not boolean.
    ValueError
        If no mask is given or the shapes do not broadcast.

    Examples
    --------
    >>> from attn_core import causal_mask
    >>> combine_masks(causal_mask(3), key_padding_mask([2], n=3))[0].astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 0]])
    """
    if not masks:
        raise ValueError("combine_masks needs at least one mask")
    arrays = []
    for index, mask in enumerate(masks):
        array = np.asarray(mask)
        if array.dtype != bool:
            raise TypeError(
                f"mask {index} must be boolean (True = may attend), got dtype {array.dtype}"
            )
        arrays.append(array)
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        listed = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(f"mask shapes do not broadcast together: {listed}") from None
    result = np.ones(shape, dtype=bool)
    for array in arrays:
        result = result & array
    return result


def mask_after_softmax(scores: Any, mask: Any, *, renormalise: bool = True) -> FloatArray:
    """The second way to mask: softmax first, then zero masked weights.

    With ``renormalise=True`` each row is divided by its new sum, which gives
    exactly the weights of masking the scores with ``-inf`` before the
    softmax. With ``renormalise=False`` the rows no longer sum to 1 (the
    mistake this function lets a reader see). A row with every key masked
    becomes all zeros either way.

    Parameters
    ----------
    scores : array_like, shape (..., n_q, n_k)
        Scaled scores.
    mask : array_like of bool
        Broadcastable to ``scores``; True = may attend.
    renormalise : bool, default True
        Divide each row by its sum after zeroing.

    Returns
    -------
    ndarray, shape (..., n_q, n_k)

    Raises
    ------
    TypeError
        For non-numeric scores or a non-boolean mask.
    ValueError
        For scores with fewer than 2 dimensions, NaN or inf, or a mask that
        does not broadcast.

    Examples
    --------
    >>> mask_after_softmax(np.zeros((1, 3)), np.array([[True, True, False]]))
    array([[0.5, 0.5, 0. ]])
    """
    scores = as_float_array(scores, "scores", min_ndim=2)
    allowed = check_mask(mask, scores.shape)
    weights = np.where(allowed, softmax(scores, axis=-1), 0.0)
    if not renormalise:
        return weights
    totals = weights.sum(axis=-1, keepdims=True)
    return weights / np.where(totals == 0.0, 1.0, totals)
