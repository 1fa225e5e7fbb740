"""Scaled dot-product attention and Bahdanau additive attention."""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_core._validation import (
    FloatArray,
    as_float_array,
    check_batch_broadcast,
    check_mask,
    result_dtype,
)
from attn_core.softmax import softmax


def _weights_from_scores(scores: FloatArray, mask: Any) -> FloatArray:
    """Mask scores with -inf, softmax them; fully masked rows become zeros."""
    if mask is not None:
        allowed = check_mask(mask, scores.shape)
        # scores is a fresh array made by the caller: mask it in place.
        np.copyto(scores, -np.inf, where=~allowed)
    return softmax(scores, axis=-1)


def _check_qkv(q: Any, k: Any, v: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
    dtype = result_dtype(q, k, v)
    q = as_float_array(q, "q", min_ndim=2, dtype=dtype)
    k = as_float_array(k, "k", min_ndim=2, dtype=dtype)
    v = as_float_array(v, "v", min_ndim=2, dtype=dtype)
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"v has n_k={v.shape[-2]} but k has n_k={k.shape[-2]}; got k {k.shape}, v {v.shape}"
        )
    check_batch_broadcast({"q": q.shape[:-2], "k": k.shape[:-2], "v": v.shape[:-2]})
    return q, k, v


def scaled_dot_product_attention(
    q: Any, k: Any, v: Any, mask: Any = None, *, scale: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """Attention of Vaswani et al. (2017): ``softmax(q k^T * scale) v``.

    Parameters
    ----------
    q : array_like, shape (..., n_q, d_k)
        Queries.
    k : array_like, shape (..., n_k, d_k)
        Keys.
    v : array_like, shape (..., n_k, d_v)
        Values.
    mask : array_like of bool, optional
        Broadcastable to (..., n_q, n_k); True where query i may attend to
        key j. Masked scores are set to -inf before the softmax. A 2-D mask
        is (n_q, n_k) and shared by every sequence of a batch; a padding
        mask keeps its batch axis apart from the query axis, (batch, 1, n_k),
        as :func:`attn_core.key_padding_mask` makes it.
    scale : float, optional
        Multiplies the scores; defaults to ``1 / sqrt(d_k)``.

    Returns
    -------
    context : ndarray, shape (..., n_q, d_v)
        Weighted sums of the values.
    weights : ndarray, shape (..., n_q, n_k)
        Attention weights; each row sums to 1, or is all zeros when every key
        of that row is masked (its context vector is then zero too), as in
        PyTorch 2.13's ``F.scaled_dot_product_attention``; a plain softmax and
        PyTorch 2.13's ``nn.MultiheadAttention`` give NaN there.

    Raises
    ------
    TypeError
        For non-numeric inputs or a non-boolean mask.
    ValueError
        For too few dimensions, mismatched d_k or n_k, batch dimensions that
        do not broadcast, a mask that does not broadcast, NaN or inf in an
        input, or a negative or non-finite scale (0 is allowed: uniform weights).

    Examples
    --------
    >>> q = np.array([[1.0, 0.0]])
    >>> k = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> v = np.array([[10.0], [20.0]])
    >>> context, weights = scaled_dot_product_attention(q, k, v, scale=0.0)
    >>> weights
    array([[0.5, 0.5]])
    >>> context
    array([[15.]])
    """
    q, k, v = _check_qkv(q, k, v)
    d_k = q.shape[-1]
    if k.shape[-1] != d_k:
        raise ValueError(
            f"k has d_k={k.shape[-1]} but q has d_k={d_k}; got q {q.shape}, k {k.shape}"
        )
    if scale is None:
        scale = 1.0 / np.sqrt(d_k)
    elif not np.isfinite(scale) or scale < 0:
        raise ValueError(f"scale must be a finite number >= 0, got {scale!r}")
    scores = q @ np.swapaxes(k, -1, -2)
    scores *= q.dtype.type(scale)  # in place: no second (..., n_q, n_k) array
    weights = _weights_from_scores(scores, mask)
    return weights @ v, weights


def alignment_features(q: Any, k: Any, w_q: Any, w_k: Any) -> FloatArray:
    """The hidden layer of Bahdanau's alignment model: ``tanh(q_i W_q + k_j W_k)`` for every pair.

    :func:`additive_attention` turns each feature vector into a score with
    ``w_v_score``; a hand-written backward pass needs the features themselves
    (the derivative of ``tanh`` is ``1 - features**2``), so they are a
    function of their own rather than a second copy of the formula.

    Parameters
    ----------
    q : array_like, shape (..., n_q, d_q)
        Queries (decoder states).
    k : array_like, shape (..., n_k, d_k)
        Keys (encoder annotations).
    w_q : array_like, shape (d_q, d_a)
    w_k : array_like, shape (d_k, d_a)

    Returns
    -------
    ndarray, shape (..., n_q, n_k, d_a)

    Raises
    ------
    TypeError, ValueError
        For non-numeric or non-finite inputs, or weights whose shapes do not
        match ``q``, ``k`` or each other.

    Examples
    --------
    >>> q, k = np.zeros((2, 3)), np.zeros((4, 5))
    >>> alignment_features(q, k, np.ones((3, 6)), np.ones((5, 6))).shape
    (2, 4, 6)
    """
    dtype = result_dtype(q, k)
    q = as_float_array(q, "q", min_ndim=2, dtype=dtype)
    k = as_float_array(k, "k", min_ndim=2, dtype=dtype)
    w_q = as_float_array(w_q, "w_q", min_ndim=2, dtype=dtype)
    w_k = as_float_array(w_k, "w_k", min_ndim=2, dtype=dtype)
    if w_q.ndim != 2 or w_q.shape[0] != q.shape[-1]:
        raise ValueError(f"w_q must have shape (d_q={q.shape[-1]}, d_a), got {w_q.shape}")
    if w_k.ndim != 2 or w_k.shape[0] != k.shape[-1]:
        raise ValueError(f"w_k must have shape (d_k={k.shape[-1]}, d_a), got {w_k.shape}")
    if w_k.shape[1] != w_q.shape[1]:
        raise ValueError(f"w_k has d_a={w_k.shape[1]} but w_q has d_a={w_q.shape[1]}")
    check_batch_broadcast({"q": q.shape[:-2], "k": k.shape[:-2]})
    # (..., n_q, 1, d_a) + (..., 1, n_k, d_a) -> (..., n_q, n_k, d_a)
    return np.tanh((q @ w_q)[..., :, None, :] + (k @ w_k)[..., None, :, :])


def additive_attention(
    q: Any,
    k: Any,
    v: Any,
    w_q: Any,
    w_k: Any,
    w_v_score: Any,
    mask: Any = None,
) -> tuple[FloatArray, FloatArray]:
    """Bahdanau additive attention: ``score(q_i, k_j) = w_v_score . tanh(q_i W_q + k_j W_k)``.

    In Bahdanau et al. (2014) the query ``q_i`` is the decoder's previous
    state ``s_{i-1}`` and the keys and values are the encoder annotations
    ``h_j``.

    Parameters
    ----------
    q : array_like, shape (..., n_q, d_q)
        Queries (decoder states).
    k : array_like, shape (..., n_k, d_k)
        Keys (encoder annotations).
    v : array_like, shape (..., n_k, d_v)
        Values (usually the same annotations as ``k``).
    w_q : array_like, shape (d_q, d_a)
        Projects queries into the alignment space of width ``d_a``.
    w_k : array_like, shape (d_k, d_a)
        Projects keys into the alignment space.
    w_v_score : array_like, shape (d_a,)
        Turns each ``tanh`` feature vector into one score.
    mask : array_like of bool, optional
        Broadcastable to (..., n_q, n_k); True = may attend.

    Returns
    -------
    context : ndarray, shape (..., n_q, d_v)
    weights : ndarray, shape (..., n_q, n_k)

    Raises
    ------
    TypeError, ValueError
        As for :func:`scaled_dot_product_attention`, plus weight matrices
        whose shapes do not match ``q``, ``k`` or each other.

    Examples
    --------
    >>> q = np.zeros((1, 2)); k = np.eye(2); v = np.array([[1.0], [3.0]])
    >>> w = np.eye(2)
    >>> context, weights = additive_attention(q, k, v, w, w, np.zeros(2))
    >>> weights
    array([[0.5, 0.5]])
    """
    q, k, v = _check_qkv(q, k, v)
    features = alignment_features(q, k, w_q, w_k)
    w_v_score = as_float_array(w_v_score, "w_v_score", min_ndim=1, dtype=q.dtype)
    if w_v_score.shape != (features.shape[-1],):
        raise ValueError(
            f"w_v_score must have shape (d_a,) = ({features.shape[-1]},), got {w_v_score.shape}"
        )
    scores = features @ w_v_score
    weights = _weights_from_scores(scores, mask)
    return weights @ v, weights
