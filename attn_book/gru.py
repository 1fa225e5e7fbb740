"""A gated recurrent unit: Cho et al.'s (2014) "gated hidden unit", now called the GRU.

The 2014 translation models did not use the plain tanh RNN of
:mod:`attn_book.rnn`: Sutskever et al. used LSTMs, and Cho et al. and
Bahdanau et al. this gated unit (the name GRU is from Chung et al. 2014).
With row vectors, as everywhere in the book, and Cho et al.'s convention (the
update gate ``z`` multiplies the *old* state, as in PyTorch's ``nn.GRU``)::

    r_t = sigmoid(x_t W_xr + h_{t-1} W_hr + b_r)          reset gate
    z_t = sigmoid(x_t W_xz + h_{t-1} W_hz + b_z)          update gate
    g_t = tanh(x_t W_xh + (r_t * h_{t-1}) W_hh + b_h)     candidate state
    h_t = z_t * h_{t-1} + (1 - z_t) * g_t

When ``z`` is close to 1 a unit keeps its value, and the step's Jacobian
``d h_t / d h_{t-1}`` is close to ``diag(z)``: the gradient flows back along
that path without being multiplied by ``W_hh`` and the tanh slope, so it
decays far more slowly than in a tanh RNN. :func:`gru_input_jacobians`
measures it; :func:`attn_book.rnn.gradient_norm_by_distance` accepts these
weights as well as a tanh RNN's.

:func:`gru_step` is the one GRU step (:func:`gru_gates` its gates),
:func:`gru_step_backward` the chain rule through it, :func:`gru_forward` runs
it over sequences.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_book.rnn import Params, chain_jacobians, random_orthogonal
from attn_core._validation import check_int

#: The names of a GRU's weights, gate by gate (reset, update, candidate).
GRU_WEIGHTS = ("w_xr", "w_hr", "b_r", "w_xz", "w_hz", "b_z", "w_xh", "w_hh", "b_h")


def init_gru(
    seed: int,
    input_size: int,
    hidden_size: int,
    *,
    recurrent_scale: float = 1.0,
    update_bias: float = 0.0,
) -> Params:
    """Random GRU weights, drawn as :func:`attn_book.rnn.init_rnn` draws a tanh RNN's.

    Each input matrix is Gaussian with variance ``1 / input_size``; each
    recurrent matrix is a random orthogonal matrix times ``recurrent_scale``.
    The biases are zero, except the update gate's, which is ``update_bias``:
    a large positive value starts every update gate near 1 (the unit keeps
    its state), 0 starts them at 1/2.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    input_size, hidden_size : int
        Widths of ``x_t`` and ``h_t``, at least 1.
    recurrent_scale : float
        Singular value of each recurrent matrix (>= 0).
    update_bias : float
        The update gate's bias ``b_z`` (every entry).

    Returns
    -------
    dict
        The weights named in :data:`GRU_WEIGHTS`: ``w_x*`` (input_size,
        hidden_size), ``w_h*`` (hidden_size, hidden_size), ``b_*``
        (hidden_size,), all float64.

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If a size is below 1, or ``recurrent_scale`` or ``update_bias`` is
        not finite (or the scale is negative).

    Examples
    --------
    >>> p = init_gru(0, 3, 4, update_bias=2.0)
    >>> p["w_xz"].shape, p["w_hz"].shape, p["b_z"].tolist()
    ((3, 4), (4, 4), [2.0, 2.0, 2.0, 2.0])
    """
    input_size = check_int(input_size, "input_size", minimum=1)
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
    if not np.isfinite(recurrent_scale) or recurrent_scale < 0:
        raise ValueError(f"recurrent_scale must be finite and >= 0, got {recurrent_scale!r}")
    if not np.isfinite(update_bias):
        raise ValueError(f"update_bias must be finite, got {update_bias!r}")
    rng = np.random.default_rng(seed)
    params: Params = {}
    for gate in ("r", "z", "h"):
        params[f"w_x{gate}"] = rng.normal(
            0.0, 1.0 / np.sqrt(input_size), size=(input_size, hidden_size)
        )
        params[f"w_h{gate}"] = recurrent_scale * random_orthogonal(rng, hidden_size)
        params[f"b_{gate}"] = np.zeros(hidden_size)
    params["b_z"] += update_bias
    return params


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # tanh form: no overflow warning for large negative a.
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def gru_gates(h: Any, x: Any, params: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reset gate ``r``, the update gate ``z`` and the candidate ``g`` of one step.

    Parameters
    ----------
    h : array_like, shape (..., hidden)
        The previous state ``h_{t-1}``.
    x : array_like, shape (..., input_size)
        The input ``x_t``.
    params : dict
        From :func:`init_gru`.

    Returns
    -------
    r, z, g : ndarray, shape (..., hidden)

    Examples
    --------
    >>> r, z, g = gru_gates(np.zeros(3), np.zeros(2), init_gru(0, 2, 3))
    >>> z  # zero biases: every gate half open
    array([0.5, 0.5, 0.5])
    """
    h, x = np.asarray(h, dtype=float), np.asarray(x, dtype=float)
    r = _sigmoid(x @ params["w_xr"] + h @ params["w_hr"] + params["b_r"])
    z = _sigmoid(x @ params["w_xz"] + h @ params["w_hz"] + params["b_z"])
    g = np.tanh(x @ params["w_xh"] + (r * h) @ params["w_hh"] + params["b_h"])
    return r, z, g


def gru_step(h: Any, x: Any, params: Params) -> np.ndarray:
    """One GRU step: ``h_t = z * h_{t-1} + (1 - z) * g`` (gates as in the module docstring).

    Parameters
    ----------
    h : array_like, shape (..., hidden)
        The previous state ``h_{t-1}``.
    x : array_like, shape (..., input_size)
        The input ``x_t``.
    params : dict
        From :func:`init_gru`.

    Returns
    -------
    ndarray, shape (..., hidden)
        The new state ``h_t``.

    Examples
    --------
    >>> p = init_gru(0, 2, 3, update_bias=50.0)  # update gates at 1: keep the state
    >>> gru_step(np.array([0.1, 0.2, 0.3]), np.ones(2), p).round(6)
    array([0.1, 0.2, 0.3])
    """
    h = np.asarray(h, dtype=float)
    _, z, g = gru_gates(h, x, params)
    return z * h + (1.0 - z) * g


def gru_step_backward(
    d_h: Any, h_prev: Any, x: Any, params: Params
) -> tuple[np.ndarray, np.ndarray]:
    """Chain rule through one :func:`gru_step`, from the gradient on its output ``h_t``.

    Parameters
    ----------
    d_h : array_like, shape (..., hidden)
        Gradient of the loss (or of an output) with respect to ``h_t``.
    h_prev : array_like, shape (..., hidden)
        The step's ``h_{t-1}`` (broadcast against ``d_h``).
    x : array_like, shape (..., input_size)
        The step's input (broadcast against ``d_h``).
    params : dict
        From :func:`init_gru`.

    Returns
    -------
    d_x : ndarray, shape (..., input_size)
        Gradient with respect to ``x_t``.
    d_h_prev : ndarray, shape (..., hidden)
        Gradient with respect to ``h_{t-1}``.
    """
    d_h = np.asarray(d_h, dtype=float)
    h_prev, x = np.asarray(h_prev, dtype=float), np.asarray(x, dtype=float)
    r, z, g = gru_gates(h_prev, x, params)
    # h_t = z * h + (1 - z) * g
    d_z = d_h * (h_prev - g)
    d_a_g = d_h * (1.0 - z) * (1.0 - g**2)  # through g = tanh(a_g)
    d_h_prev = d_h * z
    # a_g = x W_xh + (r * h) W_hh + b_h
    d_rh = d_a_g @ params["w_hh"].T
    d_a_r = d_rh * h_prev * r * (1.0 - r)  # through r = sigmoid(a_r)
    d_h_prev = d_h_prev + d_rh * r
    d_a_z = d_z * z * (1.0 - z)  # through z = sigmoid(a_z)
    d_h_prev = d_h_prev + d_a_r @ params["w_hr"].T + d_a_z @ params["w_hz"].T
    d_x = d_a_r @ params["w_xr"].T + d_a_z @ params["w_xz"].T + d_a_g @ params["w_xh"].T
    return d_x, d_h_prev


def _check_params(params: Any) -> Params:
    missing = [name for name in GRU_WEIGHTS if name not in params]
    if missing:
        raise ValueError(f"params must hold the GRU weights {GRU_WEIGHTS}; missing {missing}")
    return params


def gru_forward(params: Params, x: Any) -> np.ndarray:
    """Run the GRU over a batch of sequences and return every hidden state.

    Parameters
    ----------
    params : dict
        From :func:`init_gru`.
    x : array_like, shape (..., n, input_size)
        Input vectors; the other leading dimensions are a batch.

    Returns
    -------
    ndarray, shape (..., n, hidden)
        ``h_1 .. h_n`` (``h_0 = 0``).

    Raises
    ------
    ValueError
        If ``params`` lack a GRU weight, or ``x`` has fewer than two
        dimensions, no time steps or the wrong width.

    Examples
    --------
    >>> gru_forward(init_gru(0, 2, 3), np.zeros((5, 4, 2))).shape
    (5, 4, 3)
    """
    params = _check_params(params)
    x = np.asarray(x, dtype=float)
    input_size = params["w_xr"].shape[0]
    if x.ndim < 2 or x.shape[-2] < 1 or x.shape[-1] != input_size:
        raise ValueError(f"x must have shape (..., n >= 1, {input_size}), got {x.shape}")
    h = np.zeros(x.shape[:-2] + (params["b_r"].shape[0],))
    states = np.empty(x.shape[:-1] + h.shape[-1:])
    for t in range(x.shape[-2]):
        h = gru_step(h, x[..., t, :], params)
        states[..., t, :] = h
    return states


def gru_input_jacobians(params: Params, x: Any) -> np.ndarray:
    """Jacobians ``d h_n / d x_t`` of the GRU's last state with respect to every input.

    Parameters
    ----------
    params : dict
        From :func:`init_gru`.
    x : array_like, shape (n, input_size)
        One input sequence.

    Returns
    -------
    ndarray, shape (n, hidden_size, input_size)
        Entry ``[t, a, b]`` is ``d h_n[a] / d x_t[b]`` (as
        :func:`attn_book.rnn.input_jacobians` for a tanh RNN).

    Raises
    ------
    ValueError
        If ``x`` is not one (n, input_size) sequence.

    Examples
    --------
    >>> gru_input_jacobians(init_gru(0, 2, 3), np.ones((4, 2))).shape
    (4, 3, 2)
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"x must be one sequence of shape (n, input_size), got {x.shape}")
    states = gru_forward(params, x)

    def step_back(t: int, back: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h_prev = states[t - 1] if t > 0 else np.zeros(states.shape[1])
        return gru_step_backward(back, h_prev, x[t], params)

    return chain_jacobians(states, x.shape[1], step_back)
