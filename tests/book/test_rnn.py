import numpy as np
import pytest
from hypothesis import given, settings

from attn_book.rnn import (
    gru_forward,
    gru_gates,
    gru_input_jacobians,
    gru_step,
    init_gru,
    init_rnn,
    input_jacobians,
    norm_by_distance,
    rnn_backward,
    rnn_forward,
)
from tests.strategies import seeds


def numeric_gradient(f, x, step=1e-6):
    """d f(x) / d x by central differences: shape f(x).shape + x.shape."""
    out = np.empty(np.shape(f(x)) + x.shape)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += step
        down[index] -= step
        out[(...,) + index] = (f(up) - f(down)) / (2 * step)
    return out


def perturbed(params, seed):
    """Every weight and bias non-zero, so that each term of a formula matters."""
    rng = np.random.default_rng(seed)
    return {k: v + rng.normal(0.0, 0.3, v.shape) for k, v in params.items()}


def test_forward_is_the_recurrence_and_stacked_rnns_read_their_own_inputs():
    first, second = perturbed(init_rnn(0, 3, 4), 1), perturbed(init_rnn(1, 3, 4), 2)
    x = np.random.default_rng(2).normal(size=(2, 5, 6, 3))
    h = np.zeros(4)
    for t in range(6):
        h = np.tanh(x[0, 2, t] @ first["w_x"] + h @ first["w_h"] + first["b"])
    assert np.allclose(rnn_forward(first, x[0])[2, -1], h, atol=1e-14, rtol=0)
    stacked = rnn_forward({k: np.stack([first[k], second[k]]) for k in first}, x)
    assert np.allclose(stacked[0], rnn_forward(first, x[0]), atol=1e-14, rtol=0)
    assert np.allclose(stacked[1], rnn_forward(second, x[1]), atol=1e-14, rtol=0)


def test_recurrent_matrix_has_the_requested_singular_values():
    rnn, gru = init_rnn(3, 5, 7, recurrent_scale=0.7), init_gru(3, 5, 7, recurrent_scale=0.7)
    for w in (rnn["w_h"], gru["w_hr"], gru["w_hz"], gru["w_hh"]):
        assert np.allclose(np.linalg.svd(w, compute_uv=False), 0.7)


@pytest.mark.parametrize("stacked", [False, True])
def test_rnn_backward_matches_finite_differences(stacked):
    rng = np.random.default_rng(5)
    one = perturbed(init_rnn(0, 3, 4, recurrent_scale=0.9), 0)
    if stacked:
        params = {name: np.stack([w, 0.5 * w[::-1]]) for name, w in one.items()}
        x = rng.normal(size=(2, 2, 5, 3))
    else:
        params, x = one, rng.normal(size=(2, 5, 3))
    readout = rng.normal(size=rnn_forward(params, x).shape)

    def loss(p, inputs):  # a scalar that reads every state
        return np.sum(readout * rnn_forward(p, inputs))

    grads, d_x = rnn_backward(params, x, rnn_forward(params, x), readout)
    assert np.allclose(d_x, numeric_gradient(lambda v: loss(params, v), x), atol=1e-8)
    for name, value in params.items():
        numeric = numeric_gradient(lambda v, name=name: loss({**params, name: v}, x), value)
        assert np.allclose(grads[name], numeric, atol=1e-8), name


@settings(max_examples=10)
@given(seeds)
def test_input_jacobians_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    n, scale = int(rng.integers(1, 6)), float(rng.uniform(0.2, 2.0))
    x = rng.normal(size=(2, n, 3))
    rnn = perturbed(init_rnn(seed, 3, 4, recurrent_scale=scale), seed)
    gru = perturbed(init_gru(seed, 3, 4), seed)
    for params, forward, jacobians in (
        (rnn, rnn_forward, input_jacobians),
        (gru, gru_forward, gru_input_jacobians),
    ):
        for b in range(2):  # (d, n, e) from the differences, (n, d, e) from the chain rule
            numeric = numeric_gradient(lambda v, p=params, f=forward: f(p, v)[-1], x[b])
            assert np.allclose(jacobians(params, x)[b], numeric.transpose(1, 0, 2), atol=1e-8)


def test_gru_step_is_cho_et_al_s_unit_and_an_update_gate_at_one_keeps_the_state():
    params = perturbed(init_gru(0, 3, 4), 0)
    rng = np.random.default_rng(1)
    h, x = rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    p, sigmoid = params, lambda a: 1 / (1 + np.exp(-a))
    r = sigmoid(x @ p["w_xr"] + h @ p["w_hr"] + p["b_r"])
    z = sigmoid(x @ p["w_xz"] + h @ p["w_hz"] + p["b_z"])
    g = np.tanh(x @ p["w_xh"] + (r * h) @ p["w_hh"] + p["b_h"])
    assert np.allclose(gru_step(h, x, params), z * h + (1 - z) * g, atol=1e-14, rtol=0)
    keep = init_gru(0, 3, 4, update_bias=60.0)
    assert np.allclose(gru_step(h, x, keep), h, atol=1e-12)
    replace = init_gru(0, 3, 4, update_bias=-60.0)
    assert np.allclose(gru_step(h, x, replace), gru_gates(h, x, replace)[2], atol=1e-12)


def test_gradients_vanish_or_explode_with_the_scale_within_their_bound():
    x = np.eye(4)[np.random.default_rng(0).integers(0, 4, size=(5, 30))]
    for scale in (0.5, 1.0, 3.0):
        rnn = init_rnn(0, 4, 8, recurrent_scale=scale)
        norms = norm_by_distance(input_jacobians(rnn, x))
        bound = scale ** np.arange(30) * np.linalg.norm(rnn["w_x"], 2)
        assert np.all(norms <= bound * (1 + 1e-9))
        if scale == 0.5:
            assert norms[-1] < 1e-6 * norms[0]
        if scale == 3.0:
            assert norms[-1] > 2 * norms[0]


def test_gates_that_keep_keep_the_gradient_where_a_tanh_rnn_loses_it():
    x = np.eye(8)[np.random.default_rng(2).integers(0, 8, size=(5, 31))]
    keeping = norm_by_distance(gru_input_jacobians(init_gru(0, 8, 16, update_bias=3.0), x))
    half_open = norm_by_distance(gru_input_jacobians(init_gru(0, 8, 16), x))
    tanh = norm_by_distance(input_jacobians(init_rnn(0, 8, 16), x))
    assert keeping[30] / keeping[0] > 10 * tanh[30] / tanh[0]
    assert half_open[30] / half_open[0] < 1e-3
