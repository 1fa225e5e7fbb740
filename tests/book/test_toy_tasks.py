import numpy as np
import pytest

from attn_book.toy_tasks import (
    SENTENCE_MESSAGES,
    SOURCE_LETTERS,
    check_sentence,
    decode_target,
    encode,
    make_batch,
    translate,
)


def test_translation_reverses_or_copies_in_upper_case():
    assert translate("abcd") == "DCBA" and translate("abcd", "copy") == "ABCD"
    assert decode_target(encode("hed ge")[::-1]) == translate("hedge")


def test_batches_are_seeded_and_the_task_changes_only_the_order():
    source, target = make_batch(np.random.default_rng(3), 4, 5)
    again, copied = make_batch(np.random.default_rng(3), 4, 5, task="copy")
    assert np.array_equal(source, again)
    assert np.array_equal(target, source[:, ::-1]) and np.array_equal(copied, source)
    assert copied is not source


def test_a_bad_sentence_gets_the_first_rule_it_breaks():
    assert check_sentence(" a b ", 10) == "ab"
    for text, rule, fields in (
        ("   ", "empty", {"letters": SOURCE_LETTERS}),
        ("z" * 11, "too_long", {"count": 11, "max_length": 10}),  # too long before unknown
        ("abzyz", "unknown", {"symbols": "y z", "letters": SOURCE_LETTERS}),
    ):
        with pytest.raises(ValueError) as caught:
            check_sentence(text, 10)
        assert str(caught.value) == SENTENCE_MESSAGES[rule].format(**fields)
    with pytest.raises(TypeError):
        check_sentence(None, 10)
