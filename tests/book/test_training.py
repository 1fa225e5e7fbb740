import numpy as np
import pytest

from attn_book.training import Adam, log_softmax, softmax_cross_entropy
from attn_core import softmax


def test_log_softmax_is_the_log_of_softmax_and_stable():
    logits = np.random.default_rng(0).normal(size=(3, 5)) * 4
    assert np.allclose(log_softmax(logits), np.log(softmax(logits)), atol=1e-12)
    assert np.all(np.isfinite(log_softmax([1e4, 0.0, -1e4])))


def test_cross_entropy_value_and_gradient_by_central_differences():
    rng = np.random.default_rng(1)
    logits, targets = rng.normal(size=(2, 3, 4)), rng.integers(0, 4, size=(2, 3))
    loss, d_logits = softmax_cross_entropy(logits, targets)
    picked = np.take_along_axis(log_softmax(logits), targets[..., None], axis=-1)
    assert loss == pytest.approx(-picked.mean(), abs=1e-12)
    step = 1e-6
    for index in np.ndindex(logits.shape):
        up, down = logits.copy(), logits.copy()
        up[index] += step
        down[index] -= step
        higher, lower = (
            softmax_cross_entropy(up, targets)[0],
            softmax_cross_entropy(down, targets)[0],
        )
        numeric = (higher - lower) / (2 * step)
        assert d_logits[index] == pytest.approx(numeric, rel=1e-6, abs=1e-10)


def test_cross_entropy_rejects_bad_targets():
    with pytest.raises(ValueError, match="shape"):
        softmax_cross_entropy(np.zeros((2, 3)), [0, 1, 2])
    with pytest.raises(ValueError, match="0..2"):
        softmax_cross_entropy(np.zeros((2, 3)), [0, 3])


def test_adam_matches_the_update_rule_written_out():
    rng = np.random.default_rng(2)
    params = {"w": rng.normal(size=(2, 3)), "b": rng.normal(size=3)}
    reference = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v2 = {k: np.zeros_like(v) for k, v in params.items()}
    optimizer = Adam(learning_rate=0.05, beta1=0.8, beta2=0.99, eps=1e-6)
    for t in range(1, 6):
        grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
        optimizer.step(params, grads)
        for k, g in grads.items():
            m[k] = 0.8 * m[k] + 0.2 * g
            v2[k] = 0.99 * v2[k] + 0.01 * g**2
            m_hat, v_hat = m[k] / (1 - 0.8**t), v2[k] / (1 - 0.99**t)
            reference[k] -= 0.05 * m_hat / (np.sqrt(v_hat) + 1e-6)
            assert np.allclose(params[k], reference[k], atol=1e-14, rtol=0)
    assert optimizer.steps == 5


def test_adam_minimises_a_quadratic():
    params = {"x": np.array([3.0, -2.0])}
    optimizer = Adam(learning_rate=0.1)
    for _ in range(500):
        optimizer.step(params, {"x": 2 * params["x"]})  # gradient of |x|^2
    assert np.abs(params["x"]).max() < 0.05


def test_adam_rejects_bad_settings_and_mismatched_gradients():
    for kwargs, word in (
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"beta1": 1.0}, "beta1"),
        ({"beta2": -0.1}, "beta2"),
        ({"eps": 0.0}, "eps"),
    ):
        with pytest.raises(ValueError, match=word):
            Adam(**kwargs)
    optimizer = Adam()
    params = {"w": np.zeros(2)}
    with pytest.raises(ValueError, match="missing"):
        optimizer.step(params, {})
    with pytest.raises(ValueError, match="shape"):
        optimizer.step(params, {"w": np.zeros(3)})
    with pytest.raises(ValueError, match="float ndarray"):
        optimizer.step({"w": np.zeros(2, dtype=int)}, {"w": np.zeros(2)})
    assert optimizer.steps == 0
