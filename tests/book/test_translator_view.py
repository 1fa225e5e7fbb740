"""The translator's kernel feed: attn_book.seq2seq's translations; the last good view kept."""

import numpy as np
import pytest

from attn_book.seq2seq import init_params, translate_batch
from attn_book.toy_tasks import encode
from attn_book.views.translator import read_sentence, translator_view

MODELS = {"plain": init_params(1, attention=False), "attention": init_params(2, attention=True)}


def test_the_reader_s_text_is_read_or_refused_with_a_message():
    assert read_sentence(" b A d ", 10) == "bad"  # spaces dropped, capitals read as small
    assert read_sentence("h" * 10, 10) == "h" * 10
    for text in ["", "   ", "abcx", "a\u0301", "İ", "h" * 11, "1" * 26, "<b>x</b>" * 2000]:
        with pytest.raises(ValueError) as caught:
            read_sentence(text, 10)
        assert 0 < len(str(caught.value)) < 120, text
    with pytest.raises(ValueError) as caught:
        read_sentence("1" * 26, 10)
    assert "26" not in str(caught.value)  # 26 digits are not "26 letters"


def test_the_kernel_translates_and_keeps_the_last_good_view():
    live = translator_view(MODELS, text="abc")
    view = live.view
    box = live.children[1].children[0]
    box.value = "hgfed"  # the text box drives the view
    predicted, alignment = translate_batch(MODELS["attention"], encode("hgfed")[None])
    assert view.sentence == "hgfed" and view.reference == "DEFGH" and not view.error
    shown = view.translations[1]
    got = np.frombuffer(shown["alignment"]["data"], "<f4").reshape(shown["alignment"]["shape"])
    np.testing.assert_allclose(got, alignment[0], atol=1e-6)
    assert shown["output"] == "".join("abcdefgh"[i].upper() for i in predicted[0])
    assert view.translations[0]["alignment"] is None
    view.step = 4
    before = view.translations
    for bad in ["", "hello", "a" * 11]:
        box.value = bad
        assert view.error and view.translations is before and view.sentence == "hgfed"
    live.children[1].children[2].click()  # an example button still works
    assert view.text == "abc" and view.sentence == "abc" and not view.error
    assert view.step == 2  # clamped to the shorter sentence
