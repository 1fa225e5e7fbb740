"""A plain tanh RNN, and the Jacobians that show its gradients vanish.

The recurrence, with row vectors as everywhere in the book::

    h_t = tanh(x_t W_x + h_{t-1} W_h + b),    h_0 = 0.

:func:`input_jacobians` returns every ``d h_T / d x_t`` of one sequence by
the chain rule, walking back from ``T`` (with ``D_k = diag(1 - h_k^2)``)::

    d h_T / d x_t = (D_T W_h^T) (D_{T-1} W_h^T) ... (D_{t+1} W_h^T) D_t W_x^T,

so each step back multiplies by ``W_h`` and by the tanh slope (at most 1).
When those factors shrink vectors, the gradient decays geometrically with the
distance ``T - t`` (Bengio et al. 1994; Pascanu et al. 2013).
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
    ValueError
        If a size is below 1 or ``recurrent_scale`` is negative or not finite.

    Examples
    --------
    >>> p = init_rnn(0, 3, 4, recurrent_scale=0.5)
    >>> np.allclose(np.linalg.svd(p["w_h"], compute_uv=False), 0.5)
    True
    """
    if input_size < 1 or hidden_size < 1:
        raise ValueError(
            f"input_size and hidden_size must be at least 1, got {input_size}, {hidden_size}"
        )
    if not np.isfinite(recurrent_scale) or recurrent_scale < 0:
        raise ValueError(f"recurrent_scale must be finite and >= 0, got {recurrent_scale!r}")
    rng = np.random.default_rng(seed)
    # QR of a Gaussian matrix gives a uniformly random orthogonal matrix
    # (after fixing the signs of R's diagonal).
    q, r = np.linalg.qr(rng.normal(size=(hidden_size, hidden_size)))
    orthogonal = q * np.sign(np.diag(r))
    return {
        "w_x": rng.normal(0.0, 1.0 / np.sqrt(input_size), size=(input_size, hidden_size)),
        "w_h": recurrent_scale * orthogonal,
        "b": np.zeros(hidden_size),
    }


def _check_inputs(params: Params, x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (..., n, input_size), got {x.shape}")
    if x.shape[-1] != params["w_x"].shape[0]:
        raise ValueError(f"x has input_size={x.shape[-1]} but w_x expects {params['w_x'].shape[0]}")
    if x.shape[-2] < 1:
        raise ValueError(f"x must hold at least one time step, got shape {x.shape}")
    return x


def rnn_forward(params: Params, x: Any) -> np.ndarray:
    """Run the RNN over a batch of sequences and return every hidden state.

    Parameters
    ----------
    params : dict
        From :func:`init_rnn`.
    x : array_like, shape (..., n, input_size)
        Input vectors; leading dimensions are a batch.

    Returns
    -------
    ndarray, shape (..., n, hidden_size)
        ``h_1 .. h_n``; the last one is what a fixed-size encoder hands on.

    Raises
    ------
    ValueError
        If ``x`` has fewer than 2 dimensions, no time steps, or the wrong width.

    Examples
    --------
    >>> p = init_rnn(0, 2, 3)
    >>> rnn_forward(p, np.zeros((5, 4, 2))).shape
    (5, 4, 3)
    """
    x = _check_inputs(params, x)
    inputs = x @ params["w_x"] + params["b"]  # every time step at once
    h = np.zeros(x.shape[:-2] + (params["w_h"].shape[0],))
    states = np.empty(x.shape[:-1] + (params["w_h"].shape[0],))
    for t in range(x.shape[-2]):
        h = np.tanh(inputs[..., t, :] + h @ params["w_h"])
        states[..., t, :] = h
    return states


def input_jacobians(params: Params, x: Any) -> np.ndarray:
    """Jacobians ``d h_T / d x_t`` of the last state with respect to every input.

    Parameters
    ----------
    params : dict
        From :func:`init_rnn`.
    x : array_like, shape (T, input_size)
        One input sequence.

    Returns
    -------
    ndarray, shape (T, hidden_size, input_size)
        Entry ``[t, a, b]`` is ``d h_T[a] / d x_t[b]`` (position ``t`` counted
        from 0, so its distance to the end is ``T - 1 - t``).

    Raises
    ------
    ValueError
        If ``x`` is not a 2-D (T, input_size) array.

    Examples
    --------
    >>> p = init_rnn(0, 2, 3)
    >>> input_jacobians(p, np.ones((4, 2))).shape
    (4, 3, 2)
    """
    x = _check_inputs(params, x)
    if x.ndim != 2:
        raise ValueError(f"x must be one sequence of shape (T, input_size), got {x.shape}")
    states = rnn_forward(params, x)
    n, hidden = states.shape
    jacobians = np.empty((n, hidden, x.shape[1]))
    # back = d h_T / d h_t, starting from the identity at t = T.
    back = np.eye(hidden)
    for t in range(n - 1, -1, -1):
        # h_t = tanh(a_t); d h_t / d a_t = diag(1 - h_t^2); a_t = x_t W_x + h_{t-1} W_h.
        through_tanh = back * (1.0 - states[t] ** 2)  # (d h_T / d a_t)
        jacobians[t] = through_tanh @ params["w_x"].T
        back = through_tanh @ params["w_h"].T
    return jacobians


def gradient_norm_by_distance(params: Params, x: Any) -> np.ndarray:
    """Mean spectral norm of ``d h_T / d x_t`` as a function of the distance ``T - t``.

    Parameters
    ----------
    params : dict
        From :func:`init_rnn`.
    x : array_like, shape (batch, T, input_size)
        Several input sequences of the same length.

    Returns
    -------
    ndarray, shape (T,)
        Entry ``k`` is the norm for inputs ``k`` steps before the end
        (``k = 0`` is the last input), averaged over the batch.

    Raises
    ------
    ValueError
        If ``x`` is not 3-D.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, T, input_size), got {x.shape}")
    norms = np.stack(
        [np.linalg.norm(input_jacobians(params, sequence), ord=2, axis=(1, 2)) for sequence in x]
    )
    return norms.mean(axis=0)[::-1]
