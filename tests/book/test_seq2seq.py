import numpy as np
import pytest

from attn_book.seq2seq import (
    accuracy_by_length,
    accuracy_by_step,
    forward,
    init_params,
    loss_and_grad,
    teacher_forcing_inputs,
    train,
)
from attn_book.toy_tasks import BOS, make_batch
from attn_core import additive_attention


def perturbed(seed, attention):
    params = init_params(seed, attention=attention, embed=3, hidden=4, decoder_hidden=5, align=3)
    rng = np.random.default_rng(seed)
    # Non-zero biases, so that every gradient term is exercised.
    return {
        k: v + (rng.normal(0, 0.3, v.shape) if k.endswith("b") else 0) for k, v in params.items()
    }


@pytest.mark.parametrize("attention", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_hand_gradients_equal_central_finite_differences(attention, seed):
    params = perturbed(seed, attention)
    rng = np.random.default_rng(seed)
    source, target = make_batch(rng, 3, 4)
    _, grads = loss_and_grad(params, source, target)
    assert grads.keys() == params.keys()
    step = 1e-5
    for name, value in params.items():
        # A few entries whose gradient is not tiny, so that a relative error means something.
        candidates = np.flatnonzero(np.abs(grads[name]) > 1e-4)
        assert candidates.size, name
        for flat in rng.choice(candidates, size=min(3, candidates.size), replace=False):
            index = np.unravel_index(flat, value.shape)
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += step
            down[name][index] -= step
            numeric = (
                loss_and_grad(up, source, target)[0] - loss_and_grad(down, source, target)[0]
            ) / (2 * step)
            exact = grads[name][index]
            assert abs(exact - numeric) < 1e-6 * max(abs(exact), abs(numeric)), (name, index)
    unused = np.setdiff1d(np.arange(params["enc_emb"].shape[0]), source)
    assert np.all(grads["enc_emb"][unused] == 0)  # words that do not occur


def test_alignment_is_additive_attention_queried_by_the_previous_decoder_state():
    params = perturbed(2, True)
    source, target = make_batch(np.random.default_rng(2), 2, 5)
    run = forward(params, source, teacher_forcing_inputs(target))
    w = params["att_wq"], params["att_wk"], params["att_va"]
    for i in range(target.shape[1]):
        query = run.states[:, i, None]  # s_{i-1}
        context, weights = additive_attention(query, run.annotations, run.annotations, *w)
        assert np.allclose(weights[:, 0], run.alignment[:, i], rtol=0, atol=1e-14)
        assert np.allclose(context[:, 0], run.contexts[:, i], rtol=0, atol=1e-14)
    assert np.allclose(run.alignment.sum(axis=-1), 1.0)


@pytest.mark.parametrize("attention", [False, True])
def test_greedy_decoding_is_teacher_forcing_on_its_own_words(attention):
    params = perturbed(3, attention)
    source, _ = make_batch(np.random.default_rng(2), 4, 6)
    greedy = forward(params, source)
    assert np.all(greedy.words[:, 0] == BOS)
    assert np.array_equal(greedy.words[:, 1:], np.argmax(greedy.logits, axis=-1)[:, :-1])
    forced = forward(params, source, greedy.words)
    assert np.allclose(forced.logits, greedy.logits, atol=1e-12, rtol=0)
    assert np.allclose(forced.alignment, greedy.alignment, atol=1e-12, rtol=0)


def test_accuracy_by_step_splits_the_accuracy_of_one_length():
    params = perturbed(5, False)
    greedy = accuracy_by_step(params, 6, count=50, seed=3)
    words, _ = accuracy_by_length(params, [6], count=50, seed=3)
    assert np.isclose(greedy.mean(), words[0])  # the same test sentences
    forced = accuracy_by_step(params, 6, count=50, seed=3, teacher_forcing=True)
    source, target = make_batch(np.random.default_rng(3), 50, 6)
    logits = forward(params, source, teacher_forcing_inputs(target)).logits
    assert np.allclose(forced, (logits.argmax(axis=-1) == target).mean(axis=0))
    assert forced[0] == greedy[0]  # step 1 reads the start word either way


@pytest.mark.parametrize("task", ["reverse", "copy"])
def test_training_is_seeded_and_learns_its_task(task):
    params = init_params(0, attention=True)
    setup = dict(steps=150, lengths=[2, 3], learning_rate=0.02, seed=4, task=task)
    a, losses = train(params, **setup)
    b, _ = train(params, **setup)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["att_va"], params["att_va"])  # params themselves are kept
    assert losses[-20:].mean() < 0.5 * losses[:20].mean()
    words, _ = accuracy_by_length(a, [2, 3], count=100, task=task)
    assert words.min() > 0.9
    other = "copy" if task == "reverse" else "reverse"
    assert accuracy_by_length(a, [3], count=100, task=other)[0][0] < 0.7  # it learned this one
