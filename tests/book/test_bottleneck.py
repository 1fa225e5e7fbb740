import numpy as np
import pytest

from attn_book.bottleneck import (
    attention_contexts,
    bottleneck_experiment,
    fit_readout,
    readout_accuracy,
    readout_by_position,
)


def test_readout_recovers_linearly_separable_labels():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=200)
    features = np.eye(4)[labels] @ rng.normal(size=(4, 6)) + 0.01 * rng.normal(size=(200, 6))
    weights = fit_readout(features, labels, 4)
    assert weights.shape == (7, 4)
    assert readout_accuracy(weights, features, labels) == 1.0


def test_attention_context_weights_are_rows_summing_to_one_peaked_on_the_diagonal():
    states = np.random.default_rng(0).normal(size=(3, 5, 2))
    contexts, weights = attention_contexts(states, sharpness=4.0)
    assert contexts.shape == states.shape
    assert np.allclose(weights.sum(axis=1), 1.0)
    assert np.all(weights.argmax(axis=1) == np.arange(5))
    assert np.allclose(contexts[1, 2], weights[2] @ states[1])


def test_readout_by_position_reads_one_vector_or_one_per_position():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 3, size=(300, 2))
    one_hot = np.eye(3)[tokens]  # (300, 2, 3)
    # One vector for every position that holds only the first token:
    first_only = readout_by_position(one_hot[:, 0], tokens, 3, train_count=200)
    assert first_only.shape == (2,)
    assert first_only[0] == 1.0 and first_only[1] < 0.6
    # A vector per position: each holds its own token.
    assert np.all(readout_by_position(one_hot, tokens, 3, train_count=200) == 1.0)
    # The same numbers as fitting and scoring by hand.
    weights = fit_readout(one_hot[:200, 0], tokens[:200, 1], 3)
    assert first_only[1] == readout_accuracy(weights, one_hot[200:, 0], tokens[200:, 1])
    with pytest.raises(ValueError, match="positions"):
        readout_by_position(one_hot[:, :1], tokens, 3, train_count=200)
    with pytest.raises(ValueError, match="features"):
        readout_by_position(one_hot[:10, 0], tokens, 3, train_count=5)
    with pytest.raises(ValueError, match="train_count"):
        readout_by_position(one_hot, tokens, 3, train_count=300)
    with pytest.raises(TypeError, match="train_count"):
        readout_by_position(one_hot, tokens, 3, train_count=0.5)


def test_final_state_degrades_with_length_while_attention_does_not():
    result = bottleneck_experiment([2, 12], train_count=600, test_count=300, seed=1)
    assert result["final"][0] > 0.9
    assert result["final"][1] < 0.6
    assert result["attention"].min() > 0.9
    assert len(result["final_by_position"][1]) == 12


def test_a_gru_encoder_that_keeps_its_state_still_loses_long_inputs():
    result = bottleneck_experiment(
        [2, 12], train_count=600, test_count=300, seed=1, cell="gru", update_bias=3.0
    )
    assert result["final"][0] > 0.75
    assert result["final"][1] < 0.5
    assert result["attention"][1] > result["final"][1] + 0.2


def test_bad_arguments():
    with pytest.raises(ValueError, match="length"):
        bottleneck_experiment([0, 3])
    with pytest.raises(ValueError, match="lengths"):
        bottleneck_experiment([])
    with pytest.raises(ValueError, match="train_count"):
        bottleneck_experiment([3], train_count=5)
    with pytest.raises(TypeError, match="hidden"):
        bottleneck_experiment([3], hidden=16.0)
    with pytest.raises(ValueError, match="cell must be 'tanh' or 'gru', got 'lstm'"):
        bottleneck_experiment([3], cell="lstm")
    with pytest.raises(ValueError, match="labels"):
        fit_readout(np.zeros((3, 2)), np.array([0, 1, 5]), 3)
    with pytest.raises(ValueError, match="features"):
        fit_readout(np.zeros(3), np.array([0, 1, 2]), 3)
