import numpy as np
import pytest

from attn_book.toy_tasks import BOS, VOCAB_SIZE, decode_target, encode, make_batch, translate


def test_translation_reverses_and_upper_cases():
    assert translate("abcd") == "DCBA"
    assert translate("a") == "A"
    assert decode_target(encode("hedge")[::-1]) == translate("hedge")


def test_batches_are_reversed_and_seeded():
    source, target = make_batch(np.random.default_rng(0), 4, 6)
    again, _ = make_batch(np.random.default_rng(0), 4, 6)
    assert source.shape == target.shape == (4, 6)
    assert np.array_equal(target, source[:, ::-1])
    assert np.array_equal(source, again)
    assert source.min() >= 0 and source.max() < VOCAB_SIZE and BOS == VOCAB_SIZE


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"symbol\(s\): z"):
        encode("abz")
    with pytest.raises(TypeError, match="str"):
        encode(3)
    with pytest.raises(ValueError, match="length"):
        make_batch(np.random.default_rng(0), 2, 0)
    with pytest.raises(TypeError, match="batch_size"):
        make_batch(np.random.default_rng(0), 2.0, 3)
    with pytest.raises(ValueError, match="ids"):
        decode_target([VOCAB_SIZE])
