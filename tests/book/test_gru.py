import numpy as np
import pytest
from hypothesis import given, settings

from attn_book.gru import (
    GRU_WEIGHTS,
    gru_forward,
    gru_gates,
    gru_input_jacobians,
    gru_step,
    gru_step_backward,
    init_gru,
)
from attn_book.rnn import gradient_norm_by_distance, init_rnn
from tests.strategies import seeds


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _perturbed(seed, input_size=3, hidden=4):
    """A GRU with every weight and bias non-zero, so each term of the step matters."""
    params = init_gru(seed, input_size, hidden, recurrent_scale=0.9, update_bias=0.3)
    rng = np.random.default_rng(seed)
    return {k: v + rng.normal(0.0, 0.3, v.shape) for k, v in params.items()}


def test_init_has_every_weight_with_the_requested_scale_and_bias():
    params = init_gru(3, 5, 7, recurrent_scale=0.7, update_bias=2.0)
    assert tuple(params) == GRU_WEIGHTS
    for gate in "rzh":
        assert params[f"w_x{gate}"].shape == (5, 7)
        assert np.allclose(np.linalg.svd(params[f"w_h{gate}"], compute_uv=False), 0.7)
    assert np.all(params["b_z"] == 2.0)
    assert np.all(params["b_r"] == 0) and np.all(params["b_h"] == 0)


def test_step_is_cho_et_al_s_gated_unit_written_out():
    params = _perturbed(0)
    rng = np.random.default_rng(1)
    h, x = rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    p = params
    r = _sigmoid(x @ p["w_xr"] + h @ p["w_hr"] + p["b_r"])
    z = _sigmoid(x @ p["w_xz"] + h @ p["w_hz"] + p["b_z"])
    g = np.tanh(x @ p["w_xh"] + (r * h) @ p["w_hh"] + p["b_h"])
    assert np.allclose(gru_step(h, x, params), z * h + (1 - z) * g, atol=1e-15, rtol=0)
    gates = gru_gates(h, x, params)
    for got, expected in zip(gates, (r, z, g), strict=True):
        assert np.allclose(got, expected, atol=1e-15, rtol=0)


def test_an_update_gate_at_one_keeps_the_state_and_at_zero_takes_the_candidate():
    h, x = np.array([0.3, -0.2, 0.9]), np.array([1.0, -1.0])
    keep = init_gru(0, 2, 3, update_bias=60.0)
    assert np.allclose(gru_step(h, x, keep), h, atol=1e-12)
    replace = init_gru(0, 2, 3, update_bias=-60.0)
    assert np.allclose(gru_step(h, x, replace), gru_gates(h, x, replace)[2], atol=1e-12)


def test_forward_runs_the_step_and_keeps_batch_dims():
    params = _perturbed(2)
    x = np.random.default_rng(3).normal(size=(2, 5, 6, 3))
    states = gru_forward(params, x)
    assert states.shape == (2, 5, 6, 4)
    h = np.zeros(4)
    for t in range(6):
        h = gru_step(h, x[1, 2, t], params)
        assert np.allclose(states[1, 2, t], h, atol=1e-15, rtol=0)
    assert np.allclose(gru_forward(params, x[1, 2]), states[1, 2], atol=1e-15, rtol=0)


@settings(max_examples=8, deadline=None)
@given(seeds)
def test_step_backward_matches_central_differences(seed):
    params = _perturbed(seed % 1000)
    rng = np.random.default_rng(seed)
    h, x, d_h = rng.normal(size=4), rng.normal(size=3), rng.normal(size=4)
    d_x, d_h_prev = gru_step_backward(d_h, h, x, params)
    eps = 1e-6

    def loss(h_, x_):
        return d_h @ gru_step(h_, x_, params)

    for k in range(4):
        e = np.eye(4)[k] * eps
        assert np.isclose(d_h_prev[k], (loss(h + e, x) - loss(h - e, x)) / (2 * eps), atol=1e-8)
    for k in range(3):
        e = np.eye(3)[k] * eps
        assert np.isclose(d_x[k], (loss(h, x + e) - loss(h, x - e)) / (2 * eps), atol=1e-8)


def test_input_jacobians_match_central_differences():
    params = _perturbed(4)
    x = np.random.default_rng(5).normal(size=(6, 3))
    jacobians = gru_input_jacobians(params, x)
    assert jacobians.shape == (6, 4, 3)
    eps = 1e-6
    for t in range(6):
        for b in range(3):
            up, down = x.copy(), x.copy()
            up[t, b] += eps
            down[t, b] -= eps
            numeric = (gru_forward(params, up)[-1] - gru_forward(params, down)[-1]) / (2 * eps)
            assert np.allclose(jacobians[t, :, b], numeric, atol=1e-8)


def test_gates_that_keep_keep_the_gradient_where_a_tanh_rnn_loses_it():
    sentences = np.eye(8)[np.random.default_rng(2).integers(0, 8, size=(5, 31))]
    keeping = gradient_norm_by_distance(init_gru(0, 8, 16, update_bias=3.0), sentences)
    half_open = gradient_norm_by_distance(init_gru(0, 8, 16, update_bias=0.0), sentences)
    tanh = gradient_norm_by_distance(init_rnn(0, 8, 16, recurrent_scale=1.0), sentences)
    assert keeping.shape == (31,)
    assert keeping[30] / keeping[0] > 10 * tanh[30] / tanh[0]
    assert half_open[30] / half_open[0] < 1e-3


def test_bad_inputs_raise_clear_errors():
    params = init_gru(0, 3, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., n >= 1, 3\)"):
        gru_forward(params, np.zeros((5, 2)))
    with pytest.raises(ValueError, match="x must have shape"):
        gru_forward(params, np.zeros(3))
    with pytest.raises(ValueError, match="missing"):
        gru_forward({"w_xr": params["w_xr"]}, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="one sequence"):
        gru_input_jacobians(params, np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="recurrent_scale"):
        init_gru(0, 3, 4, recurrent_scale=-1.0)
    with pytest.raises(ValueError, match="update_bias"):
        init_gru(0, 3, 4, update_bias=float("nan"))
    with pytest.raises(TypeError, match="hidden_size"):
        init_gru(0, 3, 4.0)
