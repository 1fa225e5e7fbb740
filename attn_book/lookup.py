"""Attention as a dictionary lookup: the soft lookup, its hard counterpart, and how spread it is.

Chapter 2 compares a Python ``dict`` with attention. Both take a query and
hold keys and values; they differ in what they return:

- :func:`hard_lookup` compares the query with every key by a dot product and
  returns the value of the best-aligned key, unchanged (an ``argmax``, a
  one-hot weight vector);
- :func:`soft_lookup` turns the same scores into weights with a softmax
  (``softmax(scores / temperature)``, computed by
  :func:`attn_core.scaled_dot_product_attention` with ``scale = 1 /
  temperature``) and returns the weighted mix of all the values.

:func:`effective_inputs` summarises a weight vector by one number: 1 when all
the weight sits on one key, ``m`` when it is spread evenly over ``m`` keys.

The kernel-free explorer of the chapter (:mod:`attn_book.explorer.lookup`)
computes the same three things in the browser; its tests compare them with
these functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_core import scaled_dot_product_attention
from attn_core._validation import as_float_array


def _check_lookup(query: Any, keys: Any, values: Any) -> tuple[np.ndarray, ...]:
    query = as_float_array(query, "query", min_ndim=1)
    keys = as_float_array(keys, "keys", min_ndim=2)
    values = as_float_array(values, "values", min_ndim=2)
    if keys.ndim != 2 or values.ndim != 2:
        raise ValueError(
            f"keys and values must be 2-D, (n, d) and (n, d_v), got keys {keys.shape}, "
            f"values {values.shape}"
        )
    if query.shape[-1] != keys.shape[1]:
        raise ValueError(
            f"query has d={query.shape[-1]} but keys have d={keys.shape[1]}; "
            f"got query {query.shape}, keys {keys.shape}"
        )
    if values.shape[0] != keys.shape[0]:
        raise ValueError(
            f"values has {values.shape[0]} rows but keys has {keys.shape[0]}: one value per key"
        )
    return query, keys, values


def soft_lookup(
    query: Any, keys: Any, values: Any, temperature: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Attention as a soft lookup: ``weights = softmax(keys @ query / temperature)``.

    Parameters
    ----------
    query : array_like, shape (d,) or (..., m, d)
        One query, or several.
    keys : array_like, shape (n, d)
        One key per row.
    values : array_like, shape (n, d_v)
        The value stored under each key.
    temperature : float, default 1.0
        Divides the scores before the softmax (> 0). Small temperatures
        approach :func:`hard_lookup`; large ones spread the weight evenly.

    Returns
    -------
    answer : ndarray, shape (d_v,) or (..., m, d_v)
        The weighted mix of the values, ``weights @ values``.
    weights : ndarray, shape (n,) or (..., m, n)
        One weight per key, non-negative and summing to 1.

    Raises
    ------
    TypeError
        For non-numeric input or a temperature that is not a real number.
    ValueError
        For mismatched shapes, NaN or inf, or a temperature that is not a
        finite number > 0.

    Examples
    --------
    >>> keys = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> values = np.array([[10.0], [20.0]])
    >>> answer, weights = soft_lookup(np.array([1.0, 1.0]), keys, values)
    >>> weights, answer
    (array([0.5, 0.5]), array([15.]))
    """
    query, keys, values = _check_lookup(query, keys, values)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.number)):
        raise TypeError(f"temperature must be a real number, got {temperature!r}")
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}")
    single = query.ndim == 1
    queries = query[None] if single else query
    answer, weights = scaled_dot_product_attention(
        queries, keys, values, scale=1.0 / float(temperature)
    )
    return (answer[0], weights[0]) if single else (answer, weights)


def hard_lookup(query: Any, keys: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
    """The hard lookup: the value of the key with the largest dot product, unchanged.

    Parameters
    ----------
    query : array_like, shape (d,) or (..., m, d)
    keys : array_like, shape (n, d)
    values : array_like, shape (n, d_v)

    Returns
    -------
    answer : ndarray, shape (d_v,) or (..., m, d_v)
        ``values[j]`` for the best-aligned key ``j`` (the first one on a tie).
    weights : ndarray, shape (n,) or (..., m, n)
        One-hot: 1 for that key, 0 for every other.

    Raises
    ------
    TypeError, ValueError
        As for :func:`soft_lookup`.

    Examples
    --------
    >>> keys = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> values = np.array([[10.0], [20.0]])
    >>> hard_lookup(np.array([0.2, 0.9]), keys, values)
    (array([20.]), array([0., 1.]))
    """
    query, keys, values = _check_lookup(query, keys, values)
    best = np.argmax(query @ keys.T, axis=-1)
    weights = np.eye(keys.shape[0])[best]
    return values[best], weights


def effective_inputs(weights: Any, axis: int = -1) -> np.ndarray | float:
    """The effective number of inputs a weight vector uses: ``1 / sum(w**2)``.

    It is 1 when all the weight sits on one input and ``m`` when the weight
    is spread evenly over ``m`` inputs.

    Parameters
    ----------
    weights : array_like
        Non-negative weights summing to 1 along ``axis``.
    axis : int, default -1

    Returns
    -------
    float or ndarray
        A float for a single weight vector, an array for several.

    Raises
    ------
    TypeError, ValueError
        For non-numeric input, NaN or inf, negative weights or weights that
        do not sum to 1.

    Examples
    --------
    >>> effective_inputs([1.0, 0.0, 0.0])
    1.0
    >>> effective_inputs([0.5, 0.5, 0.0])
    2.0
    """
    w = as_float_array(weights, "weights", min_ndim=1)
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    if not np.allclose(w.sum(axis=axis), 1.0, atol=1e-6):
        raise ValueError(f"weights must sum to 1 along axis {axis}, got sums {w.sum(axis=axis)}")
    result = 1.0 / np.sum(w**2, axis=axis)
    return float(result) if np.ndim(result) == 0 else result
