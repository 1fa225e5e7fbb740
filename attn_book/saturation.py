"""How the softmax saturates as scores grow (chapter 3): its Jacobian, and the measurement.

Vaswani et al. (2017, §3.2.1) scale the scores by ``1 / sqrt(d_k)`` because,
they suspect, large dot products push the softmax "into regions where it has
extremely small gradients"; :func:`saturation_stats` measures that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from attn_core import softmax


def softmax_jacobian(x: np.ndarray) -> np.ndarray:
    """The softmax's Jacobian ``J[..., i, j] = d a_i / d x_j = a_i (1[i == j] - a_j)``.

    Parameters
    ----------
    x : array_like, shape (..., n)
        Logits; leading dimensions are a batch.

    Returns
    -------
    ndarray, shape (..., n, n)
        ``diag(a) - a a^T`` with ``a = softmax(x)``.

    Examples
    --------
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    a = softmax(np.asarray(x, dtype=float))
    return a[..., :, None] * np.eye(a.shape[-1]) - a[..., :, None] * a[..., None, :]


def numerical_jacobian(
    function: Callable[[np.ndarray], np.ndarray], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """The Jacobian of ``function`` at ``x`` by central differences.

    ``function`` maps a 1-d array of length n to one of length m; column
    ``j`` of the (m, n) result is ``(f(x + eps e_j) - f(x - eps e_j)) / (2 eps)``,
    with an error of order ``eps**2`` plus ``1e-16 / eps``.
    """
    x = np.asarray(x, dtype=float)
    steps = eps * np.eye(x.size)
    return np.stack(
        [(np.asarray(function(x + s)) - np.asarray(function(x - s))) / (2 * eps) for s in steps],
        axis=-1,
    )


class Saturation(NamedTuple):
    """Means over the trials: largest weight, entropy (nats), Frobenius norm of the Jacobian."""

    max_weight: float
    entropy: float
    jacobian_norm: float


def saturation_stats(
    d_k: int,
    scales: Sequence[float],
    rng: np.random.Generator,
    *,
    n_keys: int = 16,
    trials: int = 500,
) -> list[Saturation]:
    """How peaked ``softmax(scale * q . k_j)`` is for random unit-variance ``q`` and ``k_j``.

    ``q . k`` then has mean 0 and variance ``d_k`` (Vaswani et al. 2017,
    footnote 4). Every scale sees the same draws.

    Parameters
    ----------
    d_k : int
        Width of the query and keys.
    scales : sequence of float
        What the scores are multiplied by, e.g. ``[1.0, 1 / sqrt(d_k)]``.
    rng : numpy.random.Generator
    n_keys : int
        Keys per query.
    trials : int
        Queries averaged over.

    Returns
    -------
    list of Saturation
        One per scale. Uniform weights have a largest weight of ``1 / n_keys``
        and an entropy of ``ln n_keys``; one-hot weights 1, 0 and a zero Jacobian.
    """
    q = rng.normal(size=(trials, 1, d_k))
    k = rng.normal(size=(trials, n_keys, d_k))
    dots = (q @ k.transpose(0, 2, 1))[:, 0]  # (trials, n_keys)
    results = []
    for scale in scales:
        weights = softmax(dots * scale)
        entropy = -(weights * np.log(np.clip(weights, 1e-300, None))).sum(axis=-1)
        jacobian_norm = np.linalg.norm(softmax_jacobian(dots * scale), axis=(-2, -1))
        results.append(
            Saturation(
                float(weights.max(axis=-1).mean()),
                float(entropy.mean()),
                float(jacobian_norm.mean()),
            )
        )
    return results
