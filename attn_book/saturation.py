"""How the softmax saturates when scores grow: its Jacobian and chapter 3's measurements.

Vaswani et al. (2017, §3.2.1) divide the scores by ``sqrt(d_k)`` because, they
suspect, large dot products push the softmax "into regions where it has
extremely small gradients". This module measures that:

- :func:`softmax_jacobian`: the matrix of derivatives ``d a_i / d x_j`` of
  ``a = softmax(x)``;
- :func:`numerical_jacobian`: the same by central differences, for any
  function, to check a Jacobian written by hand;
- :func:`saturation_stats`: for random queries and keys of width ``d_k``, how
  peaked the weights are (largest weight, entropy) and how small the
  softmax's Jacobian is, for given scales of the scores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from attn_core import softmax
from attn_core._validation import check_int


def softmax_jacobian(x: Any) -> np.ndarray:
    """The Jacobian of the softmax at the logits ``x``: ``J[..., i, j] = d a_i / d x_j``.

    With ``a = softmax(x)``: ``d a_i / d x_j = a_i (1[i == j] - a_j)``, that is
    ``diag(a) - a a^T``.

    Parameters
    ----------
    x : array_like, shape (..., n)
        Logits; leading dimensions are a batch.

    Returns
    -------
    ndarray, shape (..., n, n), float64
        Symmetric; each row and column sums to 0 (adding a constant to every
        logit changes nothing).

    Raises
    ------
    TypeError, ValueError
        As :func:`attn_core.softmax` (non-numeric input, NaN, ``+inf``, a scalar).

    Examples
    --------
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    a = softmax(np.asarray(x, dtype=np.float64), axis=-1)
    n = a.shape[-1]
    return a[..., :, None] * np.eye(n) - a[..., :, None] * a[..., None, :]


def numerical_jacobian(
    function: Callable[[np.ndarray], Any], x: Any, eps: float = 1e-6
) -> np.ndarray:
    """The Jacobian of ``function`` at ``x`` by central differences.

    ``J[i, j] = (f(x + eps e_j)[i] - f(x - eps e_j)[i]) / (2 eps)``; the error
    is of order ``eps**2`` (curvature) plus ``1e-16 / eps`` (rounding).

    Parameters
    ----------
    function : callable
        Maps a 1-d float array of length n to an array_like of length m.
    x : array_like, shape (n,)
        Where to differentiate.
    eps : float, default 1e-6
        The step, positive.

    Returns
    -------
    ndarray, shape (m, n), float64

    Raises
    ------
    ValueError
        If ``x`` is not 1-d and non-empty, or ``eps`` is not positive.
    TypeError
        If ``function`` is not callable.

    Examples
    --------
    >>> numerical_jacobian(lambda v: v**2, [1.0, 3.0]).round(6)
    array([[2., 0.],
           [0., 6.]])
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a non-empty 1-d array, got shape {x.shape}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = eps
        up = np.asarray(function(x + step), dtype=np.float64)
        down = np.asarray(function(x - step), dtype=np.float64)
        columns.append((up - down) / (2 * eps))
    return np.stack(columns, axis=-1)


class Saturation(NamedTuple):
    """Averages over trials of one query against ``n_keys`` keys (see :func:`saturation_stats`)."""

    max_weight: float
    """Mean of the largest weight (``1 / n_keys`` for uniform weights, 1 for one-hot)."""
    entropy: float
    """Mean entropy of the weights in nats (``ln n_keys`` for uniform, 0 for one-hot)."""
    jacobian_norm: float
    """Mean Frobenius norm of the softmax's Jacobian (0 for one-hot weights)."""


def saturation_stats(
    d_k: int,
    scales: Sequence[float],
    rng: np.random.Generator,
    *,
    n_keys: int = 16,
    trials: int = 500,
) -> list[Saturation]:
    """How peaked ``softmax(scale * q . k)`` is for random unit-variance ``q`` and ``k``.

    Each trial draws one query and ``n_keys`` keys of width ``d_k`` with
    independent standard-normal components, so ``q . k`` has mean 0 and
    variance ``d_k`` (Vaswani et al. 2017, footnote 4), then measures the
    weights ``softmax(scale * q . k_j)`` for each scale, on the same draws.

    Parameters
    ----------
    d_k : int
        Width of the queries and keys, at least 1.
    scales : sequence of float
        What the scores are multiplied by, e.g. ``[1.0, 1 / sqrt(d_k)]``;
        each a finite positive number.
    rng : numpy.random.Generator
        The source of randomness (seeded by the caller).
    n_keys : int, default 16
        Keys per query, at least 2.
    trials : int, default 500
        Queries averaged over, at least 1.

    Returns
    -------
    list of Saturation
        One per scale: ``max_weight``, ``entropy`` and ``jacobian_norm``,
        each a mean over the trials.

    Raises
    ------
    TypeError, ValueError
        For a size that is not an int or too small, no scales or a scale
        that is not a finite positive number, or an ``rng`` that is not a
        Generator.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> [flat] = saturation_stats(4, [1e-9], rng)
    >>> round(flat.max_weight, 6), round(flat.entropy, 6) == round(float(np.log(16)), 6)
    (0.0625, True)
    """
    d_k = check_int(d_k, "d_k", minimum=1)
    n_keys = check_int(n_keys, "n_keys", minimum=2)
    trials = check_int(trials, "trials", minimum=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if isinstance(scales, (str, bytes)) or not isinstance(scales, Sequence) or not scales:
        raise ValueError(f"scales must be a non-empty sequence of numbers, got {scales!r}")
    for scale in scales:
        if (
            isinstance(scale, bool)
            or not isinstance(scale, (int, float, np.integer, np.floating))
            or not np.isfinite(scale)
            or scale <= 0
        ):
            raise ValueError(f"each of scales must be a finite positive number, got {scale!r}")
    q = rng.normal(size=(trials, 1, d_k))
    k = rng.normal(size=(trials, n_keys, d_k))
    dots = (q @ k.transpose(0, 2, 1))[:, 0]  # (trials, n_keys)
    results = []
    for scale in scales:
        scores = dots * float(scale)
        weights = softmax(scores, axis=-1)
        entropy = -(weights * np.log(np.clip(weights, 1e-300, None))).sum(axis=-1)
        jacobian_norm = np.linalg.norm(softmax_jacobian(scores), axis=(-2, -1))
        results.append(
            Saturation(
                float(weights.max(axis=-1).mean()),
                float(entropy.mean()),
                float(jacobian_norm.mean()),
            )
        )
    return results
