"""Attention as a dictionary lookup (chapter 2): the soft lookup, the hard one, how spread it is.

The soft-lookup view (:mod:`attn_book.views.lookup`) shows what these compute;
its browser tests compare the page's numbers with them.
"""

from __future__ import annotations

import numpy as np

from attn_core import scaled_dot_product_attention


def soft_lookup(
    query: np.ndarray, keys: np.ndarray, values: np.ndarray, temperature: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Attention as a soft lookup: ``weights = softmax(keys @ query / temperature)``.

    Parameters
    ----------
    query : ndarray, shape (d,) or (..., m, d)
    keys : ndarray, shape (n, d)
    values : ndarray, shape (n, d_v)
    temperature : float
        Divides the scores before the softmax: small approaches
        :func:`hard_lookup`, large spreads the weight evenly.

    Returns
    -------
    answer : ndarray, shape (d_v,) or (..., m, d_v)
        ``weights @ values``.
    weights : ndarray, shape (n,) or (..., m, n)

    Examples
    --------
    >>> soft_lookup(np.array([1.0, 1.0]), np.eye(2), np.array([[10.0], [20.0]]))
    (array([15.]), array([0.5, 0.5]))
    """
    queries = np.asarray(query, dtype=float)
    single = queries.ndim == 1
    answer, weights = scaled_dot_product_attention(
        queries[None] if single else queries, keys, values, scale=1.0 / temperature
    )
    return (answer[0], weights[0]) if single else (answer, weights)


def hard_lookup(
    query: np.ndarray, keys: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The value of the key with the largest dot product, unchanged (the first on a tie).

    Shapes as :func:`soft_lookup`; the weights are one-hot.

    Examples
    --------
    >>> hard_lookup(np.array([0.2, 0.9]), np.eye(2), np.array([[10.0], [20.0]]))
    (array([20.]), array([0., 1.]))
    """
    keys, values = np.asarray(keys, dtype=float), np.asarray(values, dtype=float)
    best = np.argmax(np.asarray(query, dtype=float) @ keys.T, axis=-1)
    return values[best], np.eye(len(keys))[best]


def effective_inputs(weights: np.ndarray) -> np.ndarray | float:
    """The effective number of inputs ``1 / sum(w**2)`` along the last axis.

    1 when all the weight sits on one input, ``m`` when it is spread evenly
    over ``m``; a float for one weight vector, an array for several.

    Examples
    --------
    >>> effective_inputs([0.5, 0.5, 0.0])
    2.0
    """
    result = 1.0 / np.sum(np.square(weights), axis=-1)
    return float(result) if np.ndim(result) == 0 else result
