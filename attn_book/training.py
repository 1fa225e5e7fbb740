"""What the book's models train with: the cross-entropy loss, the softmax's backward pass, Adam.

Parameters and gradients are dicts of arrays with the same keys, the form
every ``loss_and_grad`` of the book returns::

    optimizer = Adam(learning_rate=0.01)
    for source, target in batches:
        loss, grads = loss_and_grad(params, source, target)
        optimizer.step(params, grads)  # updates params in place
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from attn_core import softmax


def log_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log(softmax(logits))`` along ``axis``, without overflow or ``log(0)``."""
    logits = np.asarray(logits, dtype=float)
    top = logits.max(axis=axis, keepdims=True)
    return logits - top - np.log(np.exp(logits - top).sum(axis=axis, keepdims=True))


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of integer targets under ``softmax(logits)``, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (..., V)
        Unnormalised scores over ``V`` classes.
    targets : ndarray of int, shape (...)
        The right class of each row.

    Returns
    -------
    loss : float
        ``-mean(log p(target))``, in nats (natural logarithm) per target.
    d_logits : ndarray, shape (..., V)
        ``(softmax(logits) - one_hot(targets)) / targets.size``.

    Examples
    --------
    >>> loss, d_logits = softmax_cross_entropy(np.zeros((1, 4)), np.array([2]))
    >>> round(loss, 4), d_logits  # uniform over 4 classes: ln 4 nats
    (1.3863, array([[ 0.25,  0.25, -0.75,  0.25]]))
    """
    targets = np.asarray(targets)
    one_hot = np.eye(logits.shape[-1])[targets]
    loss = float(-np.sum(log_softmax(logits) * one_hot) / targets.size)
    return loss, (softmax(logits) - one_hot) / targets.size


def softmax_backward(weights: np.ndarray, d_weights: np.ndarray) -> np.ndarray:
    """The gradient on the scores of ``weights = softmax(scores)`` (last axis), given ``d_weights``.

    ``d_scores = weights * (d_weights - sum(d_weights * weights))``, the sum along
    the last axis: the softmax's Jacobian ``diag(a) - a a^T`` applied without forming it.
    """
    return weights * (d_weights - (d_weights * weights).sum(axis=-1, keepdims=True))


class Adam:
    """The Adam optimiser (Kingma and Ba 2015, Algorithm 1) over a dict of parameter arrays.

    For every parameter ``w`` with gradient ``g``, step ``t`` (from 1) does::

        m = beta1 m + (1 - beta1) g          v = beta2 v + (1 - beta2) g^2
        w -= learning_rate * m_hat / (sqrt(v_hat) + eps)

    with ``m_hat = m / (1 - beta1^t)``, ``v_hat = v / (1 - beta2^t)`` and both
    moments starting at zero.

    Parameters
    ----------
    learning_rate : float
    beta1, beta2 : float
        Decay rates of the two moment estimates.
    eps : float
        Keeps the division finite.
    """

    def __init__(
        self,
        learning_rate: float = 1e-3,
        *,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.steps = 0
        self._first: dict[str, np.ndarray] = {}
        self._second: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Update every float array of ``params`` in place, from ``grads`` (the same keys)."""
        self.steps += 1
        beta1, beta2 = self.beta1, self.beta2
        for name, value in params.items():
            g = grads[name]
            first = self._first.get(name, 0.0)
            second = self._second.get(name, 0.0)
            first = self._first[name] = beta1 * first + (1 - beta1) * g
            second = self._second[name] = beta2 * second + (1 - beta2) * g * g
            m_hat = first / (1 - beta1**self.steps)
            v_hat = second / (1 - beta2**self.steps)
            value -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
