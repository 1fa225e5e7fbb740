import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings

from attn_book.seq2seq import (
    accuracy_by_length,
    additive_attention_autograd,
    init_params,
    loss,
    run_decoder,
    train,
    translate_batch,
)
from attn_book.seq2seq_backprop import loss_and_grad
from attn_book.toy_tasks import BOS, make_batch
from attn_core import additive_attention
from tests.strategies import random_array, seeds


@given(seeds)
def test_autograd_twin_equals_attn_core_additive_attention(seed):
    rng = np.random.default_rng(seed)
    n_q, n_k, d_q, d_k, d_v, d_a = (int(x) for x in rng.integers(1, 6, size=6))
    q, k, v = (
        random_array(seed + i, s)
        for i, s in enumerate([(2, n_q, d_q), (2, n_k, d_k), (2, n_k, d_v)])
    )
    w_q, w_k, w_v = (
        random_array(seed + 10 + i, s) for i, s in enumerate([(d_q, d_a), (d_k, d_a), (d_a,)])
    )
    expected = additive_attention(q, k, v, w_q, w_k, w_v)
    got = additive_attention_autograd(q, k, v, w_q, w_k, w_v)
    for a, b in zip(got, expected, strict=True):
        assert np.allclose(a, b, atol=1e-12, rtol=0)


def test_attn_core_additive_attention_rejects_autograd_boxes():
    # Documents why the twin exists: if this starts passing, the model can call
    # attn_core.additive_attention while training and the twin can go.
    q, k = np.ones((1, 2)), np.ones((3, 2))

    def total(w_q):
        return additive_attention(q, k, k, w_q, np.eye(2), np.ones(2))[0].sum()

    with pytest.raises(TypeError):
        grad(total)(np.eye(2))


def _perturbed(seed, attention):
    params = init_params(seed, attention=attention, embed=3, hidden=4, decoder_hidden=5, align=3)
    rng = np.random.default_rng(seed)
    # Non-zero biases so every gradient term is exercised.
    return {
        k: v + (rng.normal(0, 0.3, v.shape) if k.endswith("b") else 0) for k, v in params.items()
    }


@settings(max_examples=15)
@given(seeds)
def test_hand_gradients_equal_autograd(seed):
    rng = np.random.default_rng(seed)
    for attention in (False, True):
        params = _perturbed(seed % 10_000, attention)
        source, target = make_batch(rng, int(rng.integers(1, 4)), int(rng.integers(1, 6)))
        value, grads = loss_and_grad(params, source, target)
        assert value == pytest.approx(loss(params, source, target), abs=1e-12)
        reference = grad(loss)(params, source, target)
        assert grads.keys() == params.keys()
        for name in params:
            assert np.allclose(grads[name], reference[name], atol=1e-10), name


def test_gradient_check_by_finite_differences():
    params = _perturbed(0, True)
    source, target = make_batch(np.random.default_rng(0), 2, 4)
    _, grads = loss_and_grad(params, source, target)
    rng = np.random.default_rng(1)
    for name in ("att_v", "att_wk", "enc_wh", "dec_ws", "enc_emb"):
        index = tuple(int(rng.integers(0, s)) for s in params[name].shape)
        step = 1e-6
        up = {k: v.copy() for k, v in params.items()}
        down = {k: v.copy() for k, v in params.items()}
        up[name][index] += step
        down[name][index] -= step
        numeric = (loss(up, source, target) - loss(down, source, target)) / (2 * step)
        assert grads[name][index] == pytest.approx(numeric, abs=1e-7), name


def test_inference_with_attn_core_equals_the_training_path():
    params = _perturbed(3, True)
    source, target = make_batch(np.random.default_rng(2), 3, 5)
    target_in = np.concatenate([np.full((3, 1), BOS), target[:, :-1]], axis=1)
    twin = run_decoder(params, source, target_in)
    library = run_decoder(params, source, target_in, use_library=True)
    for a, b in zip(twin, library, strict=True):
        assert np.allclose(a, b, atol=1e-12, rtol=0)


def test_shapes_and_alignment_rows_sum_to_one():
    params = init_params(0, attention=True)
    predicted, alignment = translate_batch(params, np.zeros((2, 6), dtype=int))
    assert predicted.shape == (2, 6) and alignment.shape == (2, 6, 6)
    assert np.allclose(alignment.sum(axis=-1), 1.0)
    _, none = translate_batch(init_params(0, attention=False), np.zeros((1, 3), dtype=int))
    assert np.all(none == 0)


def test_training_is_seeded_and_learns_short_sentences():
    params = init_params(0, attention=True)
    a, losses = train(params, steps=150, lengths=[2, 3], learning_rate=0.02, seed=4)
    b, _ = train(params, steps=150, lengths=[2, 3], learning_rate=0.02, seed=4)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert losses[-20:].mean() < 0.5 * losses[:20].mean()
    words, sentences = accuracy_by_length(a, [2, 3], count=100)
    assert words.min() > 0.9 and sentences.shape == (2,)


def test_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        train(init_params(0, attention=False), steps=0, lengths=[2])
    with pytest.raises(ValueError, match="lengths"):
        train(init_params(0, attention=False), steps=1, lengths=[])
    with pytest.raises(ValueError, match="hidden"):
        init_params(0, attention=True, hidden=0)
    with pytest.raises(ValueError, match="source"):
        translate_batch(init_params(0, attention=True), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="same shape|shape"):
        loss_and_grad(init_params(0, attention=True), np.zeros((2, 3), int), np.zeros((2, 4), int))
