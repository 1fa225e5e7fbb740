import time

import numpy as np
import pytest

from attn_book.seq2seq import init_params
from attn_book.widgets.translation import check_sentence, translation_widget


@pytest.fixture(scope="module")
def params():
    return init_params(0, attention=True)


def test_widget_redraws_and_survives_bad_input(params):
    view = translation_widget(params, "abc")
    box = view.controls["text"]
    first = bytes(view.image.value)
    assert first.startswith(b"\x89PNG") and view.fallback_png == first
    box.value = "abcdefgh"
    good = bytes(view.image.value)
    assert good != first and view.status.value == ""
    for bad, words in (("", "at least one"), ("abz", "symbol(s): z"), ("a" * 11, "too long")):
        box.value = bad
        assert words in view.status.value
        assert bytes(view.image.value) == good
    box.value = "hg"
    assert view.status.value == "" and bytes(view.image.value) != good


def test_widget_redraw_is_fast(params):
    view = translation_widget(params)
    box = view.controls["text"]
    times = []
    for i in range(20):
        start = time.perf_counter()
        box.value = "abcdefghab"[: 2 + i % 9]
        times.append(time.perf_counter() - start)
    # Target 50 ms; the test allows slack for a busy CI machine.
    assert np.percentile(times, 50) < 0.2


def test_check_sentence_and_params_check():
    assert check_sentence(" a b ", 10) == "ab"
    with pytest.raises(ValueError, match="attention"):
        translation_widget(init_params(0, attention=False))
