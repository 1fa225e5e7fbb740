"""What every model of the book trains with: the cross-entropy loss and the Adam optimiser.

Parameters and gradients are dicts of NumPy arrays with the same keys, the
form every ``loss_and_grad`` of the book returns::

    optimizer = Adam(learning_rate=0.01)
    for source, target in batches:
        loss, grads = loss_and_grad(params, source, target)
        optimizer.step(params, grads)  # updates params in place
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from attn_core import softmax


def log_softmax(logits: Any, axis: int = -1) -> np.ndarray:
    """``log(softmax(logits))`` along ``axis``, computed without overflow or ``log(0)``.

    Parameters
    ----------
    logits : array_like
        Finite scores.
    axis : int, default -1
        The axis the probabilities sum over.

    Returns
    -------
    ndarray
        Same shape as ``logits``.

    Examples
    --------
    >>> np.exp(log_softmax([0.0, 0.0]))
    array([0.5, 0.5])
    >>> log_softmax([0.0, 1000.0]).round(3)
    array([-1000.,     0.])
    """
    logits = np.asarray(logits, dtype=float)
    top = logits.max(axis=axis, keepdims=True)
    return logits - top - np.log(np.exp(logits - top).sum(axis=axis, keepdims=True))


def softmax_cross_entropy(logits: Any, targets: Any) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of integer targets under ``softmax(logits)``, and its gradient.

    Parameters
    ----------
    logits : array_like, shape (..., V)
        Unnormalised scores over ``V`` classes.
    targets : array_like of int, shape (...)
        The right class of each row, in ``0 .. V - 1``.

    Returns
    -------
    loss : float
        ``-mean(log p(target))`` in nats per target.
    d_logits : ndarray, shape (..., V)
        Gradient of ``loss`` with respect to ``logits``:
        ``(softmax(logits) - one_hot(targets)) / targets.size``.

    Raises
    ------
    ValueError
        If the shapes disagree or a target is out of range.

    Examples
    --------
    >>> loss, d_logits = softmax_cross_entropy(np.zeros((1, 4)), [2])
    >>> bool(np.isclose(loss, np.log(4)))
    True
    >>> d_logits
    array([[ 0.25,  0.25, -0.75,  0.25]])
    """
    logits, targets = np.asarray(logits, dtype=float), np.asarray(targets)
    if logits.ndim < 1 or targets.shape != logits.shape[:-1]:
        raise ValueError(
            f"targets must have shape logits.shape[:-1]; got logits {logits.shape}, "
            f"targets {targets.shape}"
        )
    classes = logits.shape[-1]
    if not np.issubdtype(targets.dtype, np.integer) or (
        targets.size and (targets.min() < 0 or targets.max() >= classes)
    ):
        raise ValueError(f"targets must be integers in 0..{classes - 1}")
    one_hot = np.eye(classes)[targets]
    loss = float(-np.sum(log_softmax(logits) * one_hot) / targets.size)
    return loss, (softmax(logits) - one_hot) / targets.size


class Adam:
    """The Adam optimiser (Kingma and Ba 2015) over a dict of parameter arrays.

    For every parameter ``w`` with gradient ``g``, step ``t`` (from 1) does::

        m = beta1 m + (1 - beta1) g          v = beta2 v + (1 - beta2) g^2
        w -= learning_rate * m_hat / (sqrt(v_hat) + eps)

    with the bias-corrected ``m_hat = m / (1 - beta1^t)`` and
    ``v_hat = v / (1 - beta2^t)``. The moments start at zero, one pair per
    parameter name.

    Parameters
    ----------
    learning_rate : float, default 1e-3
        Step size, > 0.
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the moment estimates, in [0, 1).
    eps : float, default 1e-8
        Keeps the division finite, > 0.

    Raises
    ------
    ValueError
        For a setting outside its range.

    Examples
    --------
    >>> params = {"w": np.array([1.0, -1.0])}
    >>> optimizer = Adam(learning_rate=0.1)
    >>> optimizer.step(params, {"w": np.array([2.0, -3.0])})
    >>> params["w"]  # the first step moves each entry by learning_rate against its sign
    array([ 0.9, -0.9])
    >>> optimizer.steps
    1
    """

    def __init__(
        self,
        learning_rate: float = 1e-3,
        *,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        if not (np.isfinite(learning_rate) and learning_rate > 0):
            raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{name} must lie in [0, 1), got {beta!r}")
        if not (np.isfinite(eps) and eps > 0):
            raise ValueError(f"eps must be a finite number > 0, got {eps!r}")
        self.learning_rate = float(learning_rate)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.steps = 0
        self._first: dict[str, np.ndarray] = {}
        self._second: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place by one Adam step.

        Parameters
        ----------
        params : dict of str to ndarray
            Float arrays, changed in place (copy them first to keep the originals).
        grads : mapping of str to ndarray
            The gradient of the loss for each parameter: the same keys and shapes.

        Raises
        ------
        ValueError
            If the keys or a shape differ, or a parameter is not a float array.
        """
        if set(grads) != set(params):
            raise ValueError(
                f"grads must have the keys of params; missing {sorted(set(params) - set(grads))}, "
                f"unexpected {sorted(set(grads) - set(params))}"
            )
        for name, value in params.items():
            if not (isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating)):
                raise ValueError(f"params[{name!r}] must be a float ndarray to update in place")
            if np.shape(grads[name]) != value.shape:
                raise ValueError(
                    f"grads[{name!r}] has shape {np.shape(grads[name])}, "
                    f"params[{name!r}] {value.shape}"
                )
        self.steps += 1
        step = self.steps
        beta1, beta2 = self.beta1, self.beta2
        for name, value in params.items():
            g = grads[name]
            if name not in self._first:
                self._first[name], self._second[name] = np.zeros_like(value), np.zeros_like(value)
            first = self._first[name] = beta1 * self._first[name] + (1 - beta1) * g
            second = self._second[name] = beta2 * self._second[name] + (1 - beta2) * g * g
            m_hat = first / (1 - beta1**step)
            v_hat = second / (1 - beta2**step)
            value -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
