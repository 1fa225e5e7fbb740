"""Masks, boolean with True = this query may attend to this key, and masking after the softmax."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from attn_core import _checks as check
from attn_core.softmax import _softmax


def causal_mask(n: int) -> np.ndarray:
    """The (n, n) mask that lets query i see keys 0..i: True on and below the diagonal.

    Parameters
    ----------
    n : int
        Sequence length, at least 0.

    Returns
    -------
    ndarray of bool, shape (n, n)

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    return np.tri(check.integer(n, "n"), dtype=bool)


def key_padding_mask(lengths: Sequence[int], n: int | None = None) -> np.ndarray:
    """The (batch, 1, n) mask of each sequence's real keys, for a padded batch.

    The axis of size 1 broadcasts over the queries: padding query rows still
    read the real keys (their outputs are discarded), as with PyTorch's
    ``key_padding_mask``, whose True means the opposite. A (batch, n) mask
    would be misread as (n_q, n_k) when batch equals n.

    Parameters
    ----------
    lengths : sequence of int
        The real length of each sequence, at least 0.
    n : int, optional
        The padded length; defaults to the longest length.

    Returns
    -------
    ndarray of bool, shape (batch, 1, n)

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> key_padding_mask([3, 1]).astype(int)
    array([[[1, 1, 1]],
    <BLANKLINE>
           [[1, 0, 0]]])
    """
    lengths = check.array(lengths, "lengths")  # [] gives float64, and no length
    if lengths.ndim != 1 or (lengths.size and lengths.dtype.kind == "f"):
        raise TypeError(f"lengths must be a 1-D sequence of ints, got {lengths.tolist()!r}")
    if np.any(lengths < 0):
        raise ValueError(f"lengths must be at least 0, got {lengths.tolist()}")
    longest = int(lengths.max(initial=0))
    n = longest if n is None else check.integer(n, "n", minimum=longest)
    return (np.arange(n) < lengths[:, None])[:, None, :]


def combine_masks(*masks: Any) -> np.ndarray:
    """Logical AND of masks that broadcast, e.g. causal (n, n) and padding (batch, 1, n).

    Parameters
    ----------
    *masks : array_like of bool
        At least one.

    Returns
    -------
    ndarray of bool, the broadcast shape

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> combine_masks(causal_mask(3), key_padding_mask([2], n=3))[0].astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 0]])
    """
    if not masks:
        raise ValueError("combine_masks needs at least one mask")
    arrays = {f"mask {i + 1}": check.array(m, f"mask {i + 1}", 0, "b") for i, m in enumerate(masks)}
    result = np.ones(check.batch(**{name: a.shape for name, a in arrays.items()}), bool)
    for array in arrays.values():
        result &= array
    return result


def mask_after_softmax(scores: Any, mask: Any, *, renormalise: bool = True) -> np.ndarray:
    """The softmax of the scores, then the masked weights set to zero and the rows renormalised.

    Renormalised, this gives exactly the weights of ``-inf`` before the
    softmax; not renormalised, the rows no longer sum to 1. A fully masked
    row is zeros either way.

    Parameters
    ----------
    scores : array_like, shape (..., n_q, n_k)
    mask : array_like of bool, broadcastable to ``scores``
    renormalise : bool, default True

    Returns
    -------
    ndarray, shape (..., n_q, n_k)

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> mask_after_softmax(np.zeros((1, 3)), [[True, True, False]])
    array([[0.5, 0.5, 0. ]])
    """
    scores = check.array(scores, "scores", 2)
    mask = check.mask(mask, scores.shape, f"scores {scores.shape}")
    if not isinstance(renormalise, (bool, np.bool_)):
        raise TypeError(f"renormalise must be True or False, got {renormalise!r}")
    work, out = check.dtypes(scores)
    weights = _softmax(scores.astype(work))
    weights[np.broadcast_to(np.logical_not(mask), weights.shape)] = 0.0
    if renormalise:
        total = weights.sum(axis=-1, keepdims=True)
        weights /= np.where(total == 0.0, 1.0, total)
    return weights.astype(out, copy=False)
