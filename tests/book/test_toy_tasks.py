import numpy as np

from attn_book.toy_tasks import (
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
