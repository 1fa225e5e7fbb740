import numpy as np

from attn_book.bottleneck import bottleneck_experiment, readout_by_position


def test_readout_by_position_reads_one_vector_or_one_per_position():
    tokens = np.random.default_rng(0).integers(0, 3, size=(300, 2))
    one_hot = np.eye(3)[tokens]  # (300, 2, 3)
    first_only = readout_by_position(one_hot[:, 0], tokens, 3, train_count=200)
    assert first_only[0] == 1.0 and first_only[1] < 0.6  # a vector that holds token 1 only
    assert np.all(readout_by_position(one_hot, tokens, 3, train_count=200) == 1.0)


def test_the_final_state_loses_long_inputs_and_attention_keeps_them():
    setup = dict(train_count=600, test_count=300, seed=1)
    tanh = bottleneck_experiment([2, 12], **setup)
    assert tanh["final"][0] > 0.9 and tanh["final"][1] < 0.6
    assert tanh["attention"].min() > 0.9
    # The final state keeps the end of the sentence, not its start.
    assert tanh["final_by_position"][1][-1] > 0.9 > 0.3 > tanh["final_by_position"][1][0]
    gru = bottleneck_experiment([2, 12], **setup, cell="gru", update_bias=3.0)
    assert gru["final"][1] < 0.5 < gru["attention"][1]
