"""Fill values for masked scores: how a mask is written into the scores, and what can go wrong.

:func:`attn_core.scaled_dot_product_attention` *replaces* masked scores with
``-inf`` and uses a softmax that turns a row with no allowed key into zeros.
Chapter 5 (section 5.3) and its widget (:func:`attn_book.widgets.masking.fill_value_widget`)
compare that with the alternatives found in other code:

- :func:`fill_scores`: replace the masked scores with a fill value, or *add*
  the fill to them, in float64 or float16 (where ``-1e9`` overflows to
  ``-inf``);
- :func:`textbook_softmax`: the three-line softmax (subtract the row's
  maximum, exponentiate, normalise), which gives NaN for a row that is all
  ``-inf``, where :func:`attn_core.softmax` gives zeros.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_core._validation import check_mask

#: How a fill is applied to the masked scores.
HOW: tuple[str, ...] = ("replace", "add")
#: The precisions offered: name -> NumPy dtype.
PRECISIONS: dict[str, type[np.floating]] = {"float64": np.float64, "float16": np.float16}


def fill_scores(
    scores: Any, allowed: Any, fill: float, *, how: str = "replace", precision: str = "float64"
) -> np.ndarray:
    """The scores with the masked entries filled, computed in ``precision``.

    Parameters
    ----------
    scores : array_like, shape (..., n_k)
        Scores (finite numbers).
    allowed : array_like of bool
        Broadcastable to ``scores``; True = may attend, False = masked.
    fill : float
        The fill value, e.g. ``-np.inf``, ``-1e9`` or ``-1e4``.
    how : {"replace", "add"}
        ``"replace"``: masked scores become ``fill``; ``"add"``: ``fill``
        is added to them (an additive mask).
    precision : {"float64", "float16"}
        The dtype the scores and the fill are converted to first. A fill
        beyond float16's range (about 65504) becomes ``-inf`` there.

    Returns
    -------
    ndarray
        Same shape as ``scores``, in ``precision``.

    Raises
    ------
    TypeError
        For a non-boolean mask.
    ValueError
        For an unknown ``how`` or ``precision``, a fill that is NaN or
        positive, scores that are not finite in ``precision``, or a mask
        that does not broadcast.

    Examples
    --------
    >>> fill_scores([1.0, 2.0], [True, False], -1e4).tolist()
    [1.0, -10000.0]
    >>> fill_scores([1.0, 2.0], [True, False], -1e4, how="add").tolist()
    [1.0, -9998.0]
    >>> fill_scores([1.0, 2.0], [True, False], -1e9, precision="float16").tolist()
    [1.0, -inf]
    """
    if how not in HOW:
        raise ValueError(f"how must be one of {list(HOW)}, got {how!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {list(PRECISIONS)}, got {precision!r}")
    if not isinstance(fill, (int, float, np.integer, np.floating)) or not fill <= 0:
        raise ValueError(f"fill must be a number <= 0 (or -inf), got {fill!r}")
    dtype = PRECISIONS[precision]
    with np.errstate(over="ignore"):  # a fill or score beyond float16's range is the point
        values = np.asarray(scores, dtype=np.float64).astype(dtype)
        fill_value = dtype(fill)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"scores must be finite in {precision}, got {np.asarray(scores)}")
    masked = ~check_mask(allowed, values.shape, name="allowed")
    if how == "replace":
        return np.where(masked, fill_value, values)
    return values + np.where(masked, fill_value, dtype(0))


def textbook_softmax(x: Any, axis: int = -1) -> np.ndarray:
    """The textbook softmax: subtract the maximum, exponentiate, normalise. No guard.

    A slice that is entirely ``-inf`` computes ``exp(-inf - (-inf))``, which
    is NaN (NumPy's warning about it is silenced): the NaN the guard in
    :func:`attn_core.softmax` avoids.

    Parameters
    ----------
    x : array_like
        Logits; ``-inf`` allowed.
    axis : int, default -1

    Returns
    -------
    ndarray
        In the dtype of ``x`` (float64 for integers).

    Examples
    --------
    >>> textbook_softmax(np.array([0.0, 0.0]))
    array([0.5, 0.5])
    >>> textbook_softmax(np.array([-np.inf, -np.inf]))
    array([nan, nan])
    """
    logits = np.asarray(x)
    if not np.issubdtype(logits.dtype, np.floating):
        logits = logits.astype(np.float64)
    with np.errstate(invalid="ignore"):
        e = np.exp(logits - logits.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
