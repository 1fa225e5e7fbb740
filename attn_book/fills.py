"""Fill values for masked scores (chapter 5, section 5.3): what other code writes, what fails.

:func:`attn_core.scaled_dot_product_attention` *replaces* masked scores with
``-inf`` and gives a row with no allowed key zeros. :func:`fill_scores` writes
another fill, replacing or added, in float64 or float16; :func:`textbook_softmax`
is the softmax without that guard.
"""

from __future__ import annotations

import numpy as np

#: How a fill is applied to the masked scores.
HOW: tuple[str, ...] = ("replace", "add")
#: The precisions offered: name -> NumPy dtype.
PRECISIONS: dict[str, type[np.floating]] = {"float64": np.float64, "float16": np.float16}


def fill_scores(
    scores: np.ndarray,
    allowed: np.ndarray,
    fill: float,
    *,
    how: str = "replace",
    precision: str = "float64",
) -> np.ndarray:
    """The scores with the masked entries filled, computed in ``precision``.

    Parameters
    ----------
    scores : array_like, shape (..., n_k)
    allowed : array_like of bool
        Broadcastable to ``scores``; True = may attend.
    fill : float
        E.g. ``-np.inf``, ``-1e9`` or ``-1e4``.
    how : {"replace", "add"}
        Masked scores become ``fill``, or ``fill`` is added to them (an additive mask).
    precision : {"float64", "float16"}
        The dtype scores and fill are converted to first: ``-1e9`` is ``-inf`` in float16.

    Returns
    -------
    ndarray, shaped like ``scores``, in ``precision``

    Examples
    --------
    >>> fill_scores([1.0, 2.0], [True, False], -1e4, how="add").tolist()
    [1.0, -9998.0]
    """
    dtype = PRECISIONS[precision]
    with np.errstate(over="ignore"):  # a fill beyond float16's range is the point
        values, fill_value = np.asarray(scores, dtype=dtype), dtype(fill)
    masked = ~np.asarray(allowed)
    if how == "replace":
        return np.where(masked, fill_value, values)
    return values + np.where(masked, fill_value, dtype(0))


def textbook_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Subtract the maximum, exponentiate, normalise: NaN for a slice that is all ``-inf``.

    Parameters
    ----------
    x : ndarray of float
        Logits; ``-inf`` allowed.
    axis : int, default -1

    Returns
    -------
    ndarray, in the dtype of ``x``
    """
    with np.errstate(invalid="ignore"):  # exp(-inf - (-inf)) is the NaN shown
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
