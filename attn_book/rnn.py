"""Chapter 1's recurrent units, a tanh RNN and a GRU: their steps, backward passes, Jacobians.

With row vectors, as everywhere in the book::

    tanh RNN:  h_t = tanh(x_t W_x + h_{t-1} W_h + b)
    GRU:       r_t = sigmoid(x_t W_xr + h_{t-1} W_hr + b_r)           reset gate
               z_t = sigmoid(x_t W_xz + h_{t-1} W_hz + b_z)           update gate
               g_t = tanh(x_t W_xh + (r_t * h_{t-1}) W_hh + b_h)      candidate
               h_t = z_t * h_{t-1} + (1 - z_t) * g_t

both from ``h_0 = 0``. The GRU is Cho et al.'s (2014) gated unit in their
convention (``z`` close to 1 keeps the old state, as PyTorch's ``nn.GRU``).
:func:`input_jacobians` and :func:`gru_input_jacobians` give every
``d h_n / d x_t`` by the chain rule from the end; :func:`norm_by_distance`
turns them into the curve of chapter 1's section 1.3.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Params = dict[str, np.ndarray]


def _orthogonal(rng: np.random.Generator, size: int) -> np.ndarray:
    """A uniformly random orthogonal matrix (QR of a Gaussian, signs of R moved into Q)."""
    q, r = np.linalg.qr(rng.normal(size=(size, size)))
    return q * np.sign(np.diag(r))


# ---------------------------------------------------------------- the tanh RNN


def init_rnn(
    seed: int, input_size: int, hidden_size: int, *, recurrent_scale: float = 1.0
) -> Params:
    """Random tanh-RNN weights whose recurrent matrix stretches every vector by ``recurrent_scale``.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    input_size, hidden_size : int
        Widths of ``x_t`` and ``h_t``.
    recurrent_scale : float
        Every singular value of ``W_h`` (a random orthogonal matrix times it).

    Returns
    -------
    dict
        ``w_x`` (input_size, hidden_size), Gaussian with variance
        ``1 / input_size``; ``w_h`` (hidden_size, hidden_size); ``b`` zero.
    """
    rng = np.random.default_rng(seed)
    orthogonal = _orthogonal(rng, hidden_size)
    return {
        "w_x": rng.normal(0.0, 1.0 / np.sqrt(input_size), size=(input_size, hidden_size)),
        "w_h": recurrent_scale * orthogonal,
        "b": np.zeros(hidden_size),
    }


def rnn_step(h: np.ndarray, inputs: np.ndarray, w_h: np.ndarray) -> np.ndarray:
    """One step, ``tanh(inputs + h W_h)``: ``inputs`` is ``x_t W_x + b`` (or a decoder's input).

    ``w_h`` may carry a leading axis of ``K`` RNNs, with ``h`` and ``inputs`` (K, batch, hidden).
    """
    return np.tanh(inputs + h @ w_h)


def rnn_step_backward(
    d_h: np.ndarray, h: np.ndarray, w_h: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The chain rule through :func:`rnn_step`, from the gradient ``d_h`` on its output ``h``.

    Returns
    -------
    d_inputs : ndarray
        On the step's ``inputs``: ``d_h * (1 - h**2)`` (the tanh slope).
    d_h_prev : ndarray
        On the previous state: ``d_inputs W_h^T``.
    """
    d_inputs = d_h * (1.0 - h**2)
    return d_inputs, d_inputs @ np.swapaxes(w_h, -1, -2)


def _stacked(params: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``w_x``, ``w_h``, ``b``, with axes so that ``K`` stacked RNNs broadcast over (K, B, n, e)."""
    w_x, w_h, b = params["w_x"], params["w_h"], params["b"]
    if w_h.ndim == 3:
        return w_x[:, None], w_h, b[:, None, None]
    return w_x, w_h, b


def rnn_forward(params: Params, x: np.ndarray) -> np.ndarray:
    """Run the tanh RNN over sequences and return every state ``h_1 .. h_n``.

    Parameters
    ----------
    params : dict
        From :func:`init_rnn`; or ``K`` RNNs stacked on a leading axis of every
        weight, run side by side (the two directions of a bidirectional encoder).
    x : ndarray, shape (..., n, input_size), or (K, batch, n, input_size) for K stacked RNNs
        Input vectors; RNN ``k`` reads ``x[k]``.

    Returns
    -------
    ndarray, shape (..., n, hidden)
    """
    w_x, w_h, b = _stacked(params)
    inputs = x @ w_x + b  # every step at once
    states = np.empty_like(inputs)
    h = np.zeros_like(inputs[..., 0, :])
    for t in range(x.shape[-2]):
        h = states[..., t, :] = rnn_step(h, inputs[..., t, :], w_h)
    return states


def rnn_backward(
    params: Params, x: np.ndarray, states: np.ndarray, d_states: np.ndarray
) -> tuple[Params, np.ndarray]:
    """Backpropagation through time for :func:`rnn_forward`.

    Parameters
    ----------
    params, x : as given to :func:`rnn_forward`
    states : ndarray
        What it returned.
    d_states : ndarray, the shape of ``states``
        Gradient of the loss on each state (zero where nothing reads it).

    Returns
    -------
    grads : dict
        ``w_x``, ``w_h``, ``b``, each the shape of the parameter.
    d_x : ndarray, the shape of ``x``
    """
    w_x, w_h, _ = _stacked(params)
    d_inputs = np.empty_like(states)
    carry = np.zeros_like(states[..., 0, :])  # gradient reaching h_t from step t + 1
    for t in range(states.shape[-2] - 1, -1, -1):
        d_inputs[..., t, :], carry = rnn_step_backward(
            d_states[..., t, :] + carry, states[..., t, :], w_h
        )
    previous = np.zeros_like(states)  # h_0 .. h_{n-1}
    previous[..., 1:, :] = states[..., :-1, :]
    # Sum over batch and steps: over every axis but the stack axis K, if any.
    keep = 1 if w_h.ndim == 3 else 0
    flat = [a.reshape(a.shape[:keep] + (-1, a.shape[-1])) for a in (x, previous, d_inputs)]
    x_flat, previous_flat, d_flat = flat
    grads = {
        "w_x": np.swapaxes(x_flat, -1, -2) @ d_flat,
        "w_h": np.swapaxes(previous_flat, -1, -2) @ d_flat,
        "b": d_flat.sum(axis=-2),
    }
    return grads, d_inputs @ np.swapaxes(w_x, -1, -2)


# ---------------------------------------------------------------- the GRU


def init_gru(
    seed: int,
    input_size: int,
    hidden_size: int,
    *,
    recurrent_scale: float = 1.0,
    update_bias: float = 0.0,
) -> Params:
    """Random GRU weights, drawn as :func:`init_rnn` draws a tanh RNN's.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    input_size, hidden_size : int
        Widths of ``x_t`` and ``h_t``.
    recurrent_scale : float
        Every singular value of each recurrent matrix ``w_h*``.
    update_bias : float
        The update gate's bias ``b_z``: large keeps each unit's state, 0 starts
        every gate half open. The other biases are zero.

    Returns
    -------
    dict
        ``w_x*`` (input_size, hidden_size), ``w_h*`` (hidden_size, hidden_size)
        and ``b_*`` (hidden_size,) for ``*`` in ``r`` (reset), ``z`` (update),
        ``h`` (candidate).
    """
    rng = np.random.default_rng(seed)
    params: Params = {}
    for gate in ("r", "z", "h"):
        params[f"w_x{gate}"] = rng.normal(
            0.0, 1.0 / np.sqrt(input_size), size=(input_size, hidden_size)
        )
        params[f"w_h{gate}"] = recurrent_scale * _orthogonal(rng, hidden_size)
        params[f"b_{gate}"] = np.zeros(hidden_size)
    params["b_z"] += update_bias
    return params


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic sigmoid, in its tanh form (no overflow for large negative ``a``)."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def gru_gates(
    h: np.ndarray, x: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reset gate ``r``, update gate ``z`` and candidate ``g`` of a step from ``h``, ``x``."""
    r = _sigmoid(x @ params["w_xr"] + h @ params["w_hr"] + params["b_r"])
    z = _sigmoid(x @ params["w_xz"] + h @ params["w_hz"] + params["b_z"])
    g = np.tanh(x @ params["w_xh"] + (r * h) @ params["w_hh"] + params["b_h"])
    return r, z, g


def gru_step(h: np.ndarray, x: np.ndarray, params: Params) -> np.ndarray:
    """One GRU step, ``z * h + (1 - z) * g``, from the previous state ``h`` and the input ``x``."""
    _, z, g = gru_gates(h, x, params)
    return z * h + (1.0 - z) * g


def gru_step_backward(
    d_h: np.ndarray, h_prev: np.ndarray, x: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray]:
    """The chain rule through :func:`gru_step`, from the gradient ``d_h`` on its output.

    Returns
    -------
    d_x, d_h_prev : ndarray
        Gradients on the step's input ``x`` and previous state ``h_prev``.
    """
    r, z, g = gru_gates(h_prev, x, params)
    d_a_g = d_h * (1.0 - z) * (1.0 - g**2)  # through g = tanh(a_g)
    d_rh = d_a_g @ params["w_hh"].T  # on r * h_prev
    d_a_r = d_rh * h_prev * r * (1.0 - r)  # through r = sigmoid(a_r)
    d_a_z = d_h * (h_prev - g) * z * (1.0 - z)  # through z = sigmoid(a_z)
    d_h_prev = d_h * z + d_rh * r + d_a_r @ params["w_hr"].T + d_a_z @ params["w_hz"].T
    d_x = d_a_r @ params["w_xr"].T + d_a_z @ params["w_xz"].T + d_a_g @ params["w_xh"].T
    return d_x, d_h_prev


def gru_forward(params: Params, x: np.ndarray) -> np.ndarray:
    """Run the GRU over sequences x (..., n, input_size) and return every state (..., n, hidden)."""
    h = np.zeros(x.shape[:-2] + params["b_r"].shape)
    states = np.empty(x.shape[:-1] + h.shape[-1:])
    for t in range(x.shape[-2]):
        h = states[..., t, :] = gru_step(h, x[..., t, :], params)
    return states


# ---------------------------------------------------------------- Jacobians


def _chain_jacobians(
    states: np.ndarray,
    input_size: int,
    step_back: Callable[[int, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> np.ndarray:
    """``d h_n / d x_t`` for every ``t``, by steps back from ``d h_n / d h_n = I``."""
    *lead, n, hidden = states.shape
    jacobians = np.empty((*lead, n, hidden, input_size))
    # Each row of `back` is one coordinate of h_n: a step's backward pass takes the rows as a batch.
    back = np.broadcast_to(np.eye(hidden), (*lead, hidden, hidden))
    for t in range(n - 1, -1, -1):
        jacobians[..., t, :, :], back = step_back(t, back)
    return jacobians


def input_jacobians(params: Params, x: np.ndarray) -> np.ndarray:
    """Jacobians ``d h_n / d x_t`` of a tanh RNN's last state with respect to every input.

    Parameters
    ----------
    params : dict
        From :func:`init_rnn`.
    x : ndarray, shape (..., n, input_size)
        Input sequences.

    Returns
    -------
    ndarray, shape (..., n, hidden, input_size)
        Entry ``[..., t, a, b]`` is ``d h_n[a] / d x_t[b]`` (``t`` counted from 0).
    """
    states = rnn_forward(params, x)

    def step_back(t: int, back: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        through_tanh, back = rnn_step_backward(back, states[..., t, None, :], params["w_h"])
        return through_tanh @ params["w_x"].T, back

    return _chain_jacobians(states, x.shape[-1], step_back)


def gru_input_jacobians(params: Params, x: np.ndarray) -> np.ndarray:
    """Jacobians ``d h_n / d x_t`` of a GRU's last state (as :func:`input_jacobians`)."""
    states = gru_forward(params, x)
    zero = np.zeros_like(states[..., :1, :])
    previous = np.concatenate([zero, states[..., :-1, :]], axis=-2)  # h_0 .. h_{n-1}

    def step_back(t: int, back: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return gru_step_backward(back, previous[..., t, None, :], x[..., t, None, :], params)

    return _chain_jacobians(states, x.shape[-1], step_back)


def norm_by_distance(jacobians: np.ndarray) -> np.ndarray:
    """Mean spectral norm of ``d h_n / d x_t`` against the distance ``n - t``.

    Parameters
    ----------
    jacobians : ndarray, shape (batch, n, hidden, input_size)
        From :func:`input_jacobians` or :func:`gru_input_jacobians`.

    Returns
    -------
    ndarray, shape (n,)
        Entry ``k``: the largest singular value of the Jacobian of the input
        ``k`` steps before the end (``k = 0``: the last input), averaged over the batch.
    """
    return np.linalg.norm(jacobians, ord=2, axis=(-2, -1)).mean(axis=0)[::-1]
