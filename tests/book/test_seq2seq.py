import numpy as np
import pytest
from hypothesis import given, settings

from attn_book.seq2seq import (
    accuracy_by_length,
    accuracy_by_step,
    forward,
    init_params,
    teacher_forcing_inputs,
    translate_batch,
)
from attn_book.seq2seq_backprop import loss_and_grad, train
from attn_book.toy_tasks import BOS, make_batch
from attn_core import additive_attention
from tests.strategies import seeds


def _perturbed(seed, attention):
    params = init_params(seed, attention=attention, embed=3, hidden=4, decoder_hidden=5, align=3)
    rng = np.random.default_rng(seed)
    # Non-zero biases so every gradient term is exercised.
    return {
        k: v + (rng.normal(0, 0.3, v.shape) if k.endswith("b") else 0) for k, v in params.items()
    }


def _loss(params, source, target):
    return loss_and_grad(params, source, target)[0]


@pytest.mark.parametrize("attention", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_hand_gradients_equal_central_finite_differences(attention, seed):
    params = _perturbed(seed, attention)
    rng = np.random.default_rng(seed)
    source, target = make_batch(rng, 3, 4)
    _, grads = loss_and_grad(params, source, target)
    assert grads.keys() == params.keys()
    step = 1e-5
    for name, value in params.items():
        assert grads[name].shape == value.shape, name
        # A few random entries whose gradient is not negligibly small (rows of
        # embeddings for words that do not occur have an exact zero gradient,
        # checked below), so a relative error is meaningful.
        candidates = np.flatnonzero(np.abs(grads[name]) > 1e-4)
        assert candidates.size, name
        for flat in rng.choice(candidates, size=min(3, candidates.size), replace=False):
            index = np.unravel_index(flat, value.shape)
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += step
            down[name][index] -= step
            numeric = (_loss(up, source, target) - _loss(down, source, target)) / (2 * step)
            exact = grads[name][index]
            relative = abs(exact - numeric) / max(abs(exact), abs(numeric))
            assert relative < 1e-6, (name, index, exact, numeric)
    unused = np.setdiff1d(np.arange(params["enc_emb"].shape[0]), source)
    assert np.all(grads["enc_emb"][unused] == 0)


@settings(max_examples=10, deadline=None)
@given(seeds)
def test_alignment_is_additive_attention_queried_by_the_previous_decoder_state(seed):
    params = _perturbed(seed % 1000, True)
    source, target = make_batch(np.random.default_rng(seed), 2, 5)
    run = forward(params, source, teacher_forcing_inputs(target))
    for i in range(target.shape[1]):
        context, weights = additive_attention(
            run.states[:, i, None],  # s_{i-1}
            run.annotations,
            run.annotations,
            params["att_wq"],
            params["att_wk"],
            params["att_v"],
        )
        assert np.array_equal(weights[:, 0], run.alignment[:, i])
        assert np.array_equal(context[:, 0], run.contexts[:, i])


@pytest.mark.parametrize("attention", [False, True])
def test_greedy_and_teacher_forced_decoding_are_one_forward_pass(attention):
    # Greedy decoding reads its own previous predictions; feeding exactly those
    # words teacher-forced must give the same logits and alignment.
    params = _perturbed(3, attention)
    source, _ = make_batch(np.random.default_rng(2), 4, 6)
    greedy = forward(params, source)
    assert np.all(greedy.words[:, 0] == BOS)
    predicted = np.argmax(greedy.logits, axis=-1)
    assert np.array_equal(greedy.words[:, 1:], predicted[:, :-1])
    forced = forward(params, source, greedy.words)
    assert np.allclose(forced.logits, greedy.logits, atol=1e-12, rtol=0)
    assert np.allclose(forced.alignment, greedy.alignment, atol=1e-12, rtol=0)


def test_teacher_forcing_inputs_shift_the_target_right():
    target = np.array([[3, 1, 2], [0, 0, 7]])
    assert np.array_equal(teacher_forcing_inputs(target), [[BOS, 3, 1], [BOS, 0, 0]])


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
    assert not np.array_equal(a["att_v"], params["att_v"])  # the initial params are not modified
    assert losses[-20:].mean() < 0.5 * losses[:20].mean()
    words, sentences = accuracy_by_length(a, [2, 3], count=100)
    assert words.min() > 0.9 and sentences.shape == (2,)


def test_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        train(init_params(0, attention=False), steps=0, lengths=[2])
    with pytest.raises(TypeError, match="steps"):
        train(init_params(0, attention=False), steps=2.5, lengths=[2])
    with pytest.raises(ValueError, match="lengths"):
        train(init_params(0, attention=False), steps=1, lengths=[])
    with pytest.raises(ValueError, match="learning_rate"):
        train(init_params(0, attention=False), steps=1, lengths=[2], learning_rate=0.0)
    with pytest.raises(ValueError, match="hidden"):
        init_params(0, attention=True, hidden=0)
    with pytest.raises(TypeError, match="align"):
        init_params(0, attention=True, align=True)
    with pytest.raises(ValueError, match="source"):
        translate_batch(init_params(0, attention=True), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="token ids"):
        translate_batch(init_params(0, attention=True), np.full((1, 3), 8))
    with pytest.raises(ValueError, match="sentences"):
        forward(init_params(0, attention=True), np.zeros((2, 3), int), np.zeros((3, 3), int))
    with pytest.raises(ValueError, match="same shape|shape"):
        loss_and_grad(init_params(0, attention=True), np.zeros((2, 3), int), np.zeros((2, 4), int))


def test_accuracy_by_step_splits_the_word_accuracy_of_one_length():
    params = _perturbed(5, True)
    by_step = accuracy_by_step(params, 6, count=50, seed=3)
    words, _ = accuracy_by_length(params, [6], count=50, seed=3)
    assert by_step.shape == (6,)
    assert np.isclose(by_step.mean(), words[0])  # the same test sentences
    with pytest.raises(ValueError, match="length"):
        accuracy_by_step(params, 0)
    with pytest.raises(ValueError, match="task"):
        accuracy_by_step(params, 3, task="sort")
    with pytest.raises(TypeError, match="teacher_forcing"):
        accuracy_by_step(params, 3, teacher_forcing="yes")


def test_accuracy_by_step_under_teacher_forcing_reads_the_reference():
    params = _perturbed(5, False)
    forced = accuracy_by_step(params, 6, count=50, seed=3, teacher_forcing=True)
    greedy = accuracy_by_step(params, 6, count=50, seed=3)
    # The same test sentences, decoded reading the reference's previous word:
    source, target = make_batch(np.random.default_rng(3), 50, 6)
    logits = forward(params, source, teacher_forcing_inputs(target)).logits
    assert np.allclose(forced, (logits.argmax(axis=-1) == target).mean(axis=0))
    # Step 1 reads the start word either way; later steps read different words.
    assert forced[0] == greedy[0]
    run = forward(params, source)
    assert not np.array_equal(run.words, teacher_forcing_inputs(target))


def test_training_on_the_copy_task_learns_to_copy():
    params = init_params(0, attention=True)
    copy, losses = train(params, steps=150, lengths=[2, 3], learning_rate=0.02, seed=4, task="copy")
    words, _ = accuracy_by_length(copy, [2, 3], count=100, task="copy")
    assert words.min() > 0.9
    reversed_words, _ = accuracy_by_length(copy, [3], count=100, task="reverse")
    assert reversed_words[0] < 0.7  # it learned the copy, not the reversal
    with pytest.raises(ValueError, match="task"):
        train(params, steps=1, lengths=[2], task="sort")
