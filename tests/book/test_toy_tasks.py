import numpy as np
import pytest

from attn_book.toy_tasks import (
    BOS,
    SENTENCE_MESSAGES,
    SOURCE_LETTERS,
    VOCAB_SIZE,
    check_sentence,
    decode_target,
    encode,
    make_batch,
    target_of,
    translate,
)


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


def test_copy_task_keeps_the_order_and_shares_the_sources():
    assert translate("abcd", "copy") == "ABCD"
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    rev_source, rev_target = make_batch(rng_a, 4, 5)
    copy_source, copy_target = make_batch(rng_b, 4, 5, task="copy")
    assert np.array_equal(rev_source, copy_source)  # the task changes only the order
    assert np.array_equal(copy_target, copy_source) and copy_target is not copy_source
    assert np.array_equal(rev_target, target_of(rev_source))
    assert np.array_equal(target_of([[0, 1, 2]], "copy"), [[0, 1, 2]])
    with pytest.raises(ValueError, match="task must be one of 'reverse', 'copy', got 'sort'"):
        make_batch(np.random.default_rng(0), 2, 3, task="sort")
    with pytest.raises(ValueError, match="task"):
        translate("ab", "Copy")


def test_check_sentence_messages_come_from_the_templates():
    assert check_sentence(" a b ", 10) == "ab"
    cases = [
        ("", SENTENCE_MESSAGES["empty"].format(letters=SOURCE_LETTERS)),
        ("   ", SENTENCE_MESSAGES["empty"].format(letters=SOURCE_LETTERS)),
        ("a" * 11, SENTENCE_MESSAGES["too_long"].format(count=11, max_length=10)),
        ("abzyz", SENTENCE_MESSAGES["unknown"].format(symbols="y z", letters=SOURCE_LETTERS)),
        ("<b>", SENTENCE_MESSAGES["unknown"].format(symbols="< >", letters=SOURCE_LETTERS)),
    ]
    for text, message in cases:
        with pytest.raises(ValueError) as caught:
            check_sentence(text, 10)
        assert str(caught.value) == message
    assert str(caught.value) == "unknown symbol(s): < >; use only the letters abcdefgh"
    with pytest.raises(TypeError, match="text must be a str"):
        check_sentence(None, 10)
    with pytest.raises(ValueError, match="max_length"):
        check_sentence("ab", 0)
