"""A plain tanh RNN, its backward pass, and the Jacobians that show its gradients vanish.

The recurrence, with row vectors as everywhere in the book::

    h_t = tanh(x_t W_x + h_{t-1} W_h + b),    h_0 = 0.

This is the book's one tanh RNN: :func:`rnn_step` is the step,
:func:`rnn_step_backward` the chain rule through it. :func:`rnn_forward` runs
the step over sequences (one RNN, or several with weights of their own, such
as the two directions of the encoder in :mod:`attn_book.seq2seq`) and
:func:`rnn_backward` is backpropagation through time. The decoder of
:mod:`attn_book.seq2seq` and the cost measurement of :mod:`attn_book.cost`
call the same functions.

:func:`input_jacobians` returns every ``d h_n / d x_t`` of one sequence by
the chain rule, walking back from step ``n`` (with ``D_k = diag(1 - h_k^2)``)::

    d h_n / d x_t = (D_n W_h^T) (D_{n-1} W_h^T) ... (D_{t+1} W_h^T) D_t W_x^T,

so each step back multiplies by ``W_h`` and by the tanh slope (at most 1).
When those factors shrink vectors, the gradient decays geometrically with the
distance ``n - t`` (Bengio et al. 1994; Pascanu et al. 2013). The gated unit
of :mod:`attn_book.gru` decays far more slowly when its update gates are near 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from attn_core._validation import check_int

Params = dict[str, np.ndarray]


def init_rnn(
    seed: int, input_size: int, hidden_size: int, *, recurrent_scale: float = 1.0
) -> Params:
    """Random RNN weights with a recurrent matrix of chosen size.

    ``W_h`` is a random orthogonal matrix times ``recurrent_scale``, so every
    singular value of ``W_h`` equals ``recurrent_scale``: the factor by which
    one step of the linear part stretches any vector.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    input_size, hidden_size : int
        Widths of ``x_t`` and ``h_t``, at least 1.
    recurrent_scale : float
        Singular value of ``W_h`` (>= 0).

    Returns
    -------
    dict
        ``w_x`` (input_size, hidden_size), ``w_h`` (hidden_size, hidden_size),
        ``b`` (hidden_size,), all float64; ``b`` is zero.

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If a size is below 1 or ``recurrent_scale`` is negative or not finite.

    Examples
    --------
    >>> p = init_rnn(0, 3, 4, recurrent_scale=0.5)
    >>> np.allclose(np.linalg.svd(p["w_h"], compute_uv=False), 0.5)
    True
    """
    input_size = check_int(input_size, "input_size", minimum=1)
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
    if not np.isfinite(recurrent_scale) or recurrent_scale < 0:
        raise ValueError(f"recurrent_scale must be finite and >= 0, got {recurrent_scale!r}")
    rng = np.random.default_rng(seed)
    orthogonal = random_orthogonal(rng, hidden_size)
    return {
        "w_x": rng.normal(0.0, 1.0 / np.sqrt(input_size), size=(input_size, hidden_size)),
        "w_h": recurrent_scale * orthogonal,
        "b": np.zeros(hidden_size),
    }


def random_orthogonal(rng: np.random.Generator, size: int) -> np.ndarray:
    """A uniformly random orthogonal ``size`` x ``size`` matrix.

    The QR decomposition of a Gaussian matrix, with the signs of R's diagonal
    moved into Q (without that step Q would not be uniformly distributed).

    Examples
    --------
    >>> q = random_orthogonal(np.random.default_rng(0), 3)
    >>> np.allclose(q @ q.T, np.eye(3))
    True
    """
    q, r = np.linalg.qr(rng.normal(size=(size, size)))
    return q * np.sign(np.diag(r))


def _check_inputs(params: Params, x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    stacked = np.ndim(params["w_h"]) == 3
    if x.ndim < (3 if stacked else 2):
        expected = "(K, ..., n, input_size)" if stacked else "(..., n, input_size)"
        raise ValueError(f"x must have shape {expected}, got {x.shape}")
    if x.shape[-1] != params["w_x"].shape[-2]:
        raise ValueError(
            f"x has input_size={x.shape[-1]} but w_x expects {params['w_x'].shape[-2]}"
        )
    if stacked and x.shape[0] != params["w_h"].shape[0]:
        raise ValueError(
            f"x has {x.shape[0]} stacked sequences on its first axis but the weights "
            f"stack {params['w_h'].shape[0]} RNNs"
        )
    if x.shape[-2] < 1:
        raise ValueError(f"x must hold at least one time step, got shape {x.shape}")
    return x


def _stack(params: Params, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Weights and arrays with a leading stack axis K (K = 1 for a single RNN)."""
    w_x, w_h, b = params["w_x"], params["w_h"], params["b"]
    if w_h.ndim == 3:
        return (w_x, w_h, b, *arrays)
    return (w_x[None], w_h[None], b[None], *(a[None] for a in arrays))


def rnn_step(h: np.ndarray, inputs: np.ndarray, w_h: np.ndarray) -> np.ndarray:
    """One step of the recurrence: ``tanh(inputs + h W_h)``.

    ``inputs`` is everything that does not depend on the previous state
    (``x_t W_x + b`` for a plain RNN), so the same step serves the encoder and
    a decoder whose input also carries a context vector.

    Parameters
    ----------
    h : ndarray, shape (..., hidden)
        The previous state ``h_{t-1}``.
    inputs : ndarray, shape (..., hidden)
        The input projection at step ``t``.
    w_h : ndarray, shape (hidden, hidden)
        The recurrent weights; (K, hidden, hidden) for ``K`` stacked RNNs,
        with ``h`` and ``inputs`` of shape (K, batch, hidden).

    Returns
    -------
    ndarray, shape (..., hidden)
        The new state ``h_t``.

    Examples
    --------
    >>> rnn_step(np.zeros(2), np.array([0.0, 100.0]), np.eye(2))
    array([0., 1.])
    """
    return np.tanh(inputs + h @ w_h)


def rnn_step_backward(
    d_h: np.ndarray, h: np.ndarray, w_h: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Chain rule through one :func:`rnn_step`, from the gradient on its output ``h_t``.

    With ``h_t = tanh(a_t)`` and ``a_t = inputs + h_{t-1} W_h``:
    ``d a_t = d h_t * (1 - h_t^2)`` and ``d h_{t-1} = d a_t W_h^T``. The
    gradient of ``W_h`` is ``h_{t-1}^T d a_t`` (summed over the batch), left to
    the caller, who knows what to sum over.

    Parameters
    ----------
    d_h : ndarray, shape (..., hidden)
        Gradient of the loss (or of an output) with respect to ``h_t``.
    h : ndarray, shape (..., hidden)
        ``h_t`` itself, as the forward pass returned it.
    w_h : ndarray
        The recurrent weights, as for :func:`rnn_step`.

    Returns
    -------
    d_inputs : ndarray, shape (..., hidden)
        Gradient with respect to the step's ``inputs`` (the pre-activation).
    d_h_prev : ndarray, shape (..., hidden)
        Gradient with respect to ``h_{t-1}`` through this step.

    Examples
    --------
    >>> d_inputs, d_prev = rnn_step_backward(np.ones(2), np.zeros(2), 2 * np.eye(2))
    >>> d_prev
    array([2., 2.])
    """
    d_inputs = d_h * (1.0 - h**2)
    return d_inputs, d_inputs @ np.swapaxes(w_h, -1, -2)


def rnn_forward(params: Params, x: Any) -> np.ndarray:
    """Run the RNN over a batch of sequences and return every hidden state.

    Parameters
    ----------
    params : dict
        From :func:`init_rnn`: ``w_x`` (input_size, hidden), ``w_h``
        (hidden, hidden), ``b`` (hidden,). With a leading axis ``K`` on all
        three (``w_x`` (K, input_size, hidden), ``w_h`` (K, hidden, hidden),
        ``b`` (K, hidden)) they are ``K`` RNNs with weights of their own, run
        together: RNN ``k`` reads ``x[k]`` (the two directions of a
        bidirectional encoder are ``K = 2``).
    x : array_like, shape (..., n, input_size), or (K, ..., n, input_size) for stacked weights
        Input vectors; the other leading dimensions are a batch.

    Returns
    -------
    ndarray, shape (..., n, hidden)
        ``h_1 .. h_n`` (with the leading ``K`` for stacked weights); the last
        one is what a fixed-size encoder hands on.

    Raises
    ------
    ValueError
        If ``x`` has too few dimensions, no time steps, the wrong width, or a
        first axis that does not match the number of stacked RNNs.

    Examples
    --------
    >>> p = init_rnn(0, 2, 3)
    >>> rnn_forward(p, np.zeros((5, 4, 2))).shape
    (5, 4, 3)
    >>> both = {name: np.stack([w, w]) for name, w in p.items()}
    >>> rnn_forward(both, np.zeros((2, 5, 4, 2))).shape
    (2, 5, 4, 3)
    """
    x = _check_inputs(params, x)
    w_x, w_h, b, xs = _stack(params, x)
    k, n, hidden = xs.shape[0], xs.shape[-2], w_h.shape[-1]
    xs = xs.reshape(k, -1, n, xs.shape[-1])  # (K, batch, n, input_size)
    inputs = xs @ w_x[:, None] + b[:, None, None]  # every time step at once
    # Time first, so each step reads and writes one contiguous block; one RNN
    # drops the stack axis and runs on plain matrix products.
    inputs = np.moveaxis(inputs, 2, 0)  # (n, K, batch, hidden)
    if k == 1:
        inputs, w_h = inputs[:, 0], w_h[0]
    inputs = np.ascontiguousarray(inputs)
    h = np.zeros(inputs.shape[1:])
    states = np.empty_like(inputs)
    for t in range(n):
        h = rnn_step(h, inputs[t], w_h)
        states[t] = h
    states = np.moveaxis(states.reshape(n, k, -1, hidden), 0, 2)  # (K, batch, n, hidden)
    return np.ascontiguousarray(states).reshape(x.shape[:-1] + (hidden,))


def rnn_backward(
    params: Params, x: Any, states: np.ndarray, d_states: np.ndarray
) -> tuple[Params, np.ndarray]:
    """Backpropagation through time for :func:`rnn_forward`.

    Parameters
    ----------
    params : dict
        The weights :func:`rnn_forward` ran with (single or stacked).
    x : array_like
        Its input.
    states : ndarray
        Its output, ``h_1 .. h_n``.
    d_states : ndarray, same shape as ``states``
        Gradient of the loss with respect to each state (from whatever reads
        the states; zero where nothing does).

    Returns
    -------
    grads : dict
        ``w_x``, ``w_h``, ``b``, each the shape of the parameter.
    d_x : ndarray, same shape as ``x``
        Gradient with respect to the inputs.

    Raises
    ------
    ValueError
        If ``states`` or ``d_states`` do not have the shape of the forward
        pass's output.
    """
    x = _check_inputs(params, x)
    w_x, w_h, b, xs, hs, d_hs = _stack(params, x, np.asarray(states), np.asarray(d_states))
    expected = x.shape[:-1] + (params["w_h"].shape[-1],)
    if np.shape(states) != expected or np.shape(d_states) != expected:
        raise ValueError(
            f"states and d_states must have shape {expected}, got "
            f"{np.shape(states)} and {np.shape(d_states)}"
        )
    k, n, hidden = xs.shape[0], xs.shape[-2], w_h.shape[-1]
    xs = xs.reshape(k, -1, n, xs.shape[-1])
    hs, d_hs = hs.reshape(k, -1, n, hidden), d_hs.reshape(k, -1, n, hidden)
    d_w_h = np.zeros_like(w_h)
    d_inputs = np.empty_like(hs)
    carry = np.zeros_like(hs[:, :, 0])  # gradient reaching h_t from step t + 1
    for t in range(n - 1, -1, -1):
        d_inputs[:, :, t], carry = rnn_step_backward(d_hs[:, :, t] + carry, hs[:, :, t], w_h)
        if t > 0:  # h_0 = 0 adds nothing to W_h's gradient
            d_w_h += np.swapaxes(hs[:, :, t - 1], -1, -2) @ d_inputs[:, :, t]
    # inputs = x @ w_x + b, for every time step at once.
    d_w_x = np.einsum("kbte,kbtd->ked", xs, d_inputs)
    d_b = d_inputs.sum(axis=(1, 2))
    d_x = (d_inputs @ np.swapaxes(w_x, -1, -2)[:, None]).reshape(x.shape)
    if params["w_h"].ndim == 2:
        d_w_x, d_w_h, d_b = d_w_x[0], d_w_h[0], d_b[0]
    return {"w_x": d_w_x, "w_h": d_w_h, "b": d_b}, d_x


def input_jacobians(params: Params, x: Any) -> np.ndarray:
    """Jacobians ``d h_n / d x_t`` of the last state with respect to every input.

    Parameters
    ----------
    params : dict
        From :func:`init_rnn`.
    x : array_like, shape (n, input_size)
        One input sequence.

    Returns
    -------
    ndarray, shape (n, hidden_size, input_size)
        Entry ``[t, a, b]`` is ``d h_n[a] / d x_t[b]`` (position ``t`` counted
        from 0, so its distance to the end is ``n - 1 - t``).

    Raises
    ------
    ValueError
        If ``x`` is not a 2-D (n, input_size) array or ``params`` are stacked.

    Examples
    --------
    >>> p = init_rnn(0, 2, 3)
    >>> input_jacobians(p, np.ones((4, 2))).shape
    (4, 3, 2)
    """
    if np.ndim(params["w_h"]) != 2:
        raise ValueError("input_jacobians needs the weights of one RNN, not a stack")
    x = _check_inputs(params, x)
    if x.ndim != 2:
        raise ValueError(f"x must be one sequence of shape (n, input_size), got {x.shape}")
    states = rnn_forward(params, x)

    def step_back(t: int, back: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        through_tanh, back = rnn_step_backward(back, states[t], params["w_h"])  # d h_n / d a_t
        return through_tanh @ params["w_x"].T, back

    return chain_jacobians(states, x.shape[1], step_back)


def chain_jacobians(
    states: np.ndarray,
    input_size: int,
    step_back: Callable[[int, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> np.ndarray:
    """``d h_n / d x_t`` for every step of one recurrent run, by the chain rule from the end.

    ``back = d h_n / d h_t`` starts as the identity at ``t = n``; each of its
    rows is one coordinate of ``h_n``, so the step's backward pass takes the
    rows as a batch.

    Parameters
    ----------
    states : ndarray, shape (n, hidden)
        The run's states ``h_1 .. h_n``.
    input_size : int
        Width of an input ``x_t``.
    step_back : callable
        ``step_back(t, back)`` -> ``(d h_n / d x_t, d h_n / d h_{t-1})`` for
        step ``t`` (from 0), given ``back = d h_n / d h_t``: the chain rule
        through one step of the recurrent network.

    Returns
    -------
    ndarray, shape (n, hidden, input_size)
    """
    n, hidden = states.shape
    jacobians = np.empty((n, hidden, input_size))
    back = np.eye(hidden)
    for t in range(n - 1, -1, -1):
        jacobians[t], back = step_back(t, back)
    return jacobians


def gradient_norm_by_distance(params: Params, x: Any) -> np.ndarray:
    """Mean spectral norm of ``d h_n / d x_t`` as a function of the distance ``n - t``.

    Parameters
    ----------
    params : dict
        From :func:`init_rnn`, or a GRU's from :func:`attn_book.gru.init_gru`
        (recognised by its update-gate weights ``w_hz``; its Jacobians come
        from :func:`attn_book.gru.gru_input_jacobians`).
    x : array_like, shape (batch, n, input_size)
        Several input sequences of the same length.

    Returns
    -------
    ndarray, shape (n,)
        Entry ``k`` is the norm for inputs ``k`` steps before the end
        (``k = 0`` is the last input), averaged over the batch.

    Raises
    ------
    ValueError
        If ``x`` is not 3-D.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, n, input_size), got {x.shape}")
    if "w_hz" in params:
        from attn_book.gru import gru_input_jacobians as jacobians  # gru imports this module
    else:
        jacobians = input_jacobians
    norms = np.stack(
        [np.linalg.norm(jacobians(params, sequence), ord=2, axis=(1, 2)) for sequence in x]
    )
    return norms.mean(axis=0)[::-1]
