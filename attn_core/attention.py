"""Scaled dot-product attention (Vaswani et al., 2017) and Bahdanau's additive attention."""

from typing import Any

import numpy as np

from attn_core import _checks as check
from attn_core.softmax import _softmax

_SCORES = "the scores tanh(q @ w_q + k @ w_k) @ w_v_score"


def _attend(q, k, v, mask, scale: float, scores_name: str):
    """softmax(q k^T * scale, masked) and its weighted sum of v, for q, k, v of one float dtype."""
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is named just below
        scores = (q * q.dtype.type(scale)) @ np.swapaxes(k, -1, -2)  # (..., n_q, n_k)
    if check.might_overflow(q, k, scale):
        check.finite(scores, scores_name)
    return _weigh(scores, v, mask)


def _weigh(scores, v, mask):
    """(context, weights): the scores masked with -inf and softmaxed in place, weighing v."""
    if mask is not None:
        np.copyto(scores, -np.inf, where=np.logical_not(mask))
    weights = _softmax(scores)  # a fully masked row: zero weights, so a zero context
    return weights @ v, weights


def scaled_dot_product_attention(
    q: Any, k: Any, v: Any, mask: Any = None, *, scale: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Attention of Vaswani et al. (2017): ``softmax(q k^T * scale) v``.

    Parameters
    ----------
    q, k, v : array_like, shapes (..., n_q, d_k), (..., n_k, d_k), (..., n_k, d_v)
    mask : array_like of bool, optional
        Broadcastable to (..., n_q, n_k); True where query i may attend to key j.
    scale : float, optional
        Multiplies the scores; defaults to ``1 / sqrt(d_k)``.

    Returns
    -------
    context : ndarray, shape (..., n_q, d_v)
    weights : ndarray, shape (..., n_q, n_k)
        Rows sum to 1; a row with every key masked (or none) gets zeros, and a zero context.

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> scaled_dot_product_attention([[1.0, 0.0]], np.eye(2), [[10.0], [20.0]], scale=0.0)
    (array([[15.]]), array([[0.5, 0.5]]))
    """
    q, k, v, mask, scale, out = check.dot_product_inputs(q, k, v, mask, scale)
    context, weights = _attend(q, k, v, mask, scale, "the scores q @ k^T * scale")
    return context.astype(out, copy=False), weights.astype(out, copy=False)


def _features(q, k, w_q, w_k):
    """tanh(q_i W_q + k_j W_k) for every pair i, j: (..., n_q, n_k, d_a)."""
    with np.errstate(over="ignore"):  # overflow is named just below
        q_part, k_part = check.finite(q @ w_q, "q @ w_q"), check.finite(k @ w_k, "k @ w_k")
    return np.tanh(q_part[..., :, None, :] + k_part[..., None, :, :])


def _alignment_inputs(q, k, w_q, w_k, *others):
    """Checked weights, and q, k, w_q, w_k and ``others`` in one compute dtype, and the result's."""
    w_q, w_k = check.array(w_q, "w_q", 2), check.array(w_k, "w_k", 2)
    if w_q.ndim != 2 or w_q.shape[0] != q.shape[-1]:
        raise ValueError(f"w_q must have shape (d_q={q.shape[-1]}, d_a), got {w_q.shape}")
    if w_k.ndim != 2 or w_k.shape != (k.shape[-1], w_q.shape[1]):
        raise ValueError(
            f"w_k must have shape (d_k, d_a) = {(k.shape[-1], w_q.shape[1])}, got {w_k.shape}"
        )
    work, out = check.dtypes(q, k, w_q, w_k, *others)
    return [a.astype(work, copy=False) for a in (q, k, w_q, w_k, *others)], out


def alignment_features(q: Any, k: Any, w_q: Any, w_k: Any) -> np.ndarray:
    """``tanh(q_i W_q + k_j W_k)`` for every pair: the hidden layer of Bahdanau's alignment model.

    Parameters
    ----------
    q, k : array_like, shapes (..., n_q, d_q), (..., n_k, d_k)
    w_q, w_k : array_like, shapes (d_q, d_a), (d_k, d_a)

    Returns
    -------
    ndarray, shape (..., n_q, n_k, d_a)

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> alignment_features(np.zeros((2, 3)), np.zeros((4, 5)), np.eye(3), np.ones((5, 3))).shape
    (2, 4, 3)
    """
    q, k = check.array(q, "q", 2), check.array(k, "k", 2)
    check.batch(q=q.shape[:-2], k=k.shape[:-2])
    (q, k, w_q, w_k), out = _alignment_inputs(q, k, w_q, w_k)
    return _features(q, k, w_q, w_k).astype(out, copy=False)


def additive_attention(
    q: Any, k: Any, v: Any, w_q: Any, w_k: Any, w_v_score: Any, mask: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Bahdanau attention: ``score(q_i, k_j) = w_v_score . tanh(q_i W_q + k_j W_k)``.

    In Bahdanau et al. (2014) the query is the decoder's previous state
    ``s_{i-1}``; the keys and values are the encoder's annotations ``h_j``.

    Parameters
    ----------
    q, k, v : array_like, shapes (..., n_q, d_q), (..., n_k, d_k), (..., n_k, d_v)
    w_q, w_k, w_v_score : array_like, shapes (d_q, d_a), (d_k, d_a), (d_a,)
    mask : array_like of bool, optional
        As in :func:`scaled_dot_product_attention`.

    Returns
    -------
    context, weights : ndarray
        As in :func:`scaled_dot_product_attention`.

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> w = np.eye(2)
    >>> additive_attention(np.zeros((1, 2)), w, [[1.0], [3.0]], w, w, np.zeros(2))
    (array([[2.]]), array([[0.5, 0.5]]))
    """
    q, k, v, mask = check.qkv(q, k, v, mask)
    w_v_score = check.array(w_v_score, "w_v_score")
    (q, k, w_q, w_k, v, w_v_score), out = _alignment_inputs(q, k, w_q, w_k, v, w_v_score)
    if w_v_score.shape != (w_q.shape[1],):
        raise ValueError(
            f"w_v_score must have shape (d_a,) = {w_q.shape[1:]}, got {w_v_score.shape}"
        )
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is named just below
        scores = check.finite(_features(q, k, w_q, w_k) @ w_v_score, _SCORES)
    context, weights = _weigh(scores, v, mask)
    return context.astype(out, copy=False), weights.astype(out, copy=False)
