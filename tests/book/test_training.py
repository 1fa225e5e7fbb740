import numpy as np

from attn_book.training import Adam, softmax_backward, softmax_cross_entropy
from attn_core import softmax
from tests.book.test_rnn import numeric_gradient


def test_cross_entropy_is_minus_the_mean_log_probability_with_its_gradient():
    rng = np.random.default_rng(1)
    logits, targets = rng.normal(size=(2, 3, 4)), rng.integers(0, 4, size=(2, 3))
    loss, d_logits = softmax_cross_entropy(logits, targets)
    picked = np.take_along_axis(softmax(logits), targets[..., None], axis=-1)
    assert np.isclose(loss, -np.log(picked).mean(), atol=1e-12)
    numeric = numeric_gradient(lambda x: softmax_cross_entropy(x, targets)[0], logits)
    assert np.allclose(d_logits, numeric, atol=1e-9)
    assert np.isfinite(softmax_cross_entropy(np.array([[1e4, 0.0, -1e4]]), np.array([2]))[0])


def test_softmax_backward_matches_finite_differences():
    rng = np.random.default_rng(2)
    scores, d_weights = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    numeric = numeric_gradient(lambda x: np.sum(d_weights * softmax(x)), scores)
    assert np.allclose(softmax_backward(softmax(scores), d_weights), numeric, atol=1e-9)


def test_adam_is_the_update_rule_written_out():
    rng = np.random.default_rng(2)
    params = {"w": rng.normal(size=(2, 3)), "b": rng.normal(size=3)}
    reference = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    s = {k: np.zeros_like(v) for k, v in params.items()}
    optimizer = Adam(learning_rate=0.05, beta1=0.8, beta2=0.99, eps=1e-6)
    for t in range(1, 6):
        grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
        optimizer.step(params, grads)
        for k, g in grads.items():
            m[k] = 0.8 * m[k] + 0.2 * g
            s[k] = 0.99 * s[k] + 0.01 * g**2
            m_hat, s_hat = m[k] / (1 - 0.8**t), s[k] / (1 - 0.99**t)
            reference[k] -= 0.05 * m_hat / (np.sqrt(s_hat) + 1e-6)
            assert np.allclose(params[k], reference[k], atol=1e-14, rtol=0)
