import numpy as np
import pytest
from hypothesis import given, settings

from attn_book.rnn import (
    gradient_norm_by_distance,
    init_rnn,
    input_jacobians,
    rnn_backward,
    rnn_forward,
    rnn_step,
)
from tests.strategies import seeds


def test_recurrent_matrix_has_the_requested_singular_values():
    params = init_rnn(3, 5, 7, recurrent_scale=0.7)
    assert np.allclose(np.linalg.svd(params["w_h"], compute_uv=False), 0.7)
    assert params["w_x"].shape == (5, 7) and params["b"].shape == (7,)


def test_forward_matches_a_plain_loop_and_keeps_batch_dims():
    params = init_rnn(0, 3, 4)
    params["b"] = np.arange(4.0) / 10
    x = np.random.default_rng(1).normal(size=(2, 5, 6, 3))
    states = rnn_forward(params, x)
    assert states.shape == (2, 5, 6, 4)
    h = np.zeros(4)
    for t in range(6):
        h = np.tanh(x[1, 2, t] @ params["w_x"] + h @ params["w_h"] + params["b"])
        assert np.allclose(states[1, 2, t], h, atol=1e-15, rtol=0)
    # One sequence without a batch dimension.
    assert np.allclose(rnn_forward(params, x[1, 2]), states[1, 2], atol=1e-15, rtol=0)


def test_stacked_weights_run_each_rnn_on_its_own_input():
    first, second = init_rnn(0, 3, 4), init_rnn(1, 3, 4, recurrent_scale=0.5)
    second["b"] = np.ones(4)
    stacked = {name: np.stack([first[name], second[name]]) for name in first}
    x = np.random.default_rng(2).normal(size=(2, 5, 6, 3))
    states = rnn_forward(stacked, x)
    assert states.shape == (2, 5, 6, 4)
    assert np.allclose(states[0], rnn_forward(first, x[0]), atol=1e-15, rtol=0)
    assert np.allclose(states[1], rnn_forward(second, x[1]), atol=1e-15, rtol=0)


def test_rnn_step_is_the_recurrence():
    h, inputs, w_h = np.array([0.5, -1.0]), np.array([0.1, 0.2]), np.array([[1.0, 2.0], [0.0, 1]])
    assert np.allclose(rnn_step(h, inputs, w_h), np.tanh([0.6, 0.2]))


def _central_difference(f, x, step=1e-6):
    """d f(x) / d x by central differences, for every entry of x: shape f.shape + x.shape."""
    out = np.empty(np.shape(f(x)) + x.shape)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += step
        down[index] -= step
        out[(...,) + index] = (f(up) - f(down)) / (2 * step)
    return out


@settings(max_examples=20)
@given(seeds)
def test_input_jacobians_match_central_differences(seed):
    rng = np.random.default_rng(seed)
    params = init_rnn(seed % 1000, 3, 4, recurrent_scale=float(rng.uniform(0.2, 2.0)))
    params["b"] = rng.normal(size=4)
    x = rng.normal(size=(int(rng.integers(1, 7)), 3))
    numeric = _central_difference(lambda inputs: rnn_forward(params, inputs)[-1], x)  # (d, T, d_in)
    assert np.allclose(input_jacobians(params, x), numeric.transpose(1, 0, 2), atol=1e-8, rtol=0)


@pytest.mark.parametrize("stacked", [False, True])
def test_rnn_backward_matches_central_differences(stacked):
    rng = np.random.default_rng(5)
    one = init_rnn(0, 3, 4, recurrent_scale=0.9)
    one["b"] = rng.normal(size=4)
    if stacked:
        params = {name: np.stack([w, 0.5 * w[::-1]]) for name, w in one.items()}
        x = rng.normal(size=(2, 2, 5, 3))
    else:
        params, x = one, rng.normal(size=(2, 5, 3))
    readout = rng.normal(size=rnn_forward(params, x).shape)

    def loss(p, inputs):  # a scalar that reads every state
        return float(np.sum(readout * rnn_forward(p, inputs)))

    grads, d_x = rnn_backward(params, x, rnn_forward(params, x), readout)
    assert np.allclose(d_x, _central_difference(lambda v: loss(params, v), x), atol=1e-8)
    for name, value in params.items():
        assert grads[name].shape == value.shape

        def loss_of(v, name=name):
            return loss({**params, name: v}, x)

        assert np.allclose(grads[name], _central_difference(loss_of, value), atol=1e-8), name


def test_gradient_norms_shrink_for_small_scale_and_grow_for_large():
    x = np.eye(4)[np.random.default_rng(0).integers(0, 4, size=(5, 30))]
    small = gradient_norm_by_distance(init_rnn(0, 4, 8, recurrent_scale=0.5), x)
    large = gradient_norm_by_distance(init_rnn(0, 4, 8, recurrent_scale=3.0), x)
    assert small.shape == (30,)
    assert small[-1] < 1e-6 * small[0]
    assert large[-1] > 2 * large[0]


def test_bad_inputs_raise_clear_errors():
    params = init_rnn(0, 3, 4)
    with pytest.raises(ValueError, match="input_size=2"):
        rnn_forward(params, np.zeros((5, 2)))
    with pytest.raises(ValueError, match="shape"):
        rnn_forward(params, np.zeros(3))
    with pytest.raises(ValueError, match="one sequence"):
        input_jacobians(params, np.zeros((2, 5, 3)))
    stacked = {name: np.stack([w, w]) for name, w in params.items()}
    with pytest.raises(ValueError, match="stack 2 RNNs"):
        rnn_forward(stacked, np.zeros((3, 5, 3)))
    with pytest.raises(ValueError, match="not a stack"):
        input_jacobians(stacked, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="d_states"):
        rnn_backward(params, np.zeros((5, 3)), np.zeros((5, 4)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="recurrent_scale"):
        init_rnn(0, 3, 4, recurrent_scale=-1.0)
    with pytest.raises(ValueError, match="at least 1"):
        init_rnn(0, 0, 4)
    with pytest.raises(TypeError, match="hidden_size"):
        init_rnn(0, 3, 4.0)
