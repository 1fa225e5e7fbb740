import autograd.numpy as anp
import numpy as np
import pytest
from autograd import jacobian
from hypothesis import given

from attn_book.rnn import gradient_norm_by_distance, init_rnn, input_jacobians, rnn_forward
from tests.strategies import seeds


def test_recurrent_matrix_has_the_requested_singular_values():
    params = init_rnn(3, 5, 7, recurrent_scale=0.7)
    assert np.allclose(np.linalg.svd(params["w_h"], compute_uv=False), 0.7)
    assert params["w_x"].shape == (5, 7) and params["b"].shape == (7,)


def test_forward_matches_a_plain_loop_and_keeps_batch_dims():
    params = init_rnn(0, 3, 4)
    x = np.random.default_rng(1).normal(size=(2, 5, 6, 3))
    states = rnn_forward(params, x)
    assert states.shape == (2, 5, 6, 4)
    h = np.zeros(4)
    for t in range(6):
        h = np.tanh(x[1, 2, t] @ params["w_x"] + h @ params["w_h"] + params["b"])
        assert np.allclose(states[1, 2, t], h)


@given(seeds)
def test_input_jacobians_match_autograd(seed):
    rng = np.random.default_rng(seed)
    params = init_rnn(seed % 1000, 3, 4, recurrent_scale=float(rng.uniform(0.2, 2.0)))
    params["b"] = rng.normal(size=4)
    x = rng.normal(size=(int(rng.integers(1, 7)), 3))

    def last_state(inputs):
        h = anp.zeros(4)
        for t in range(inputs.shape[0]):
            h = anp.tanh(inputs[t] @ params["w_x"] + h @ params["w_h"] + params["b"])
        return h

    expected = jacobian(last_state)(x).transpose(1, 0, 2)  # (T, d, d_in)
    assert np.allclose(input_jacobians(params, x), expected, atol=1e-12)


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
    with pytest.raises(ValueError, match="recurrent_scale"):
        init_rnn(0, 3, 4, recurrent_scale=-1.0)
    with pytest.raises(ValueError, match="at least 1"):
        init_rnn(0, 0, 4)
