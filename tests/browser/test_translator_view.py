"""Chapter 1's translator in Chromium: the same translations as Python, and what a reader sees."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.seq2seq import init_params, train
from attn_book.toy_tasks import SOURCE_LETTERS
from attn_book.views import _data_url, _for_page, module
from attn_book.views.translator import read_sentence, translator_outputs, translator_view

from .conftest import PHONE, audit, show

GOOD = ["a", "hh", "ABC", " b a d ", "hgfedcba", "aabbccddee", "gggggggggg"]
BAD = ["", "   ", "abcdefghabc", "x" * 10_000, "</script><b>x</b>", "héllo", "a🐱b", "İ", "a\u0301"]
HOSTILE = ["", "?!", "abcdefghab" * 3, "</script><b>x</b>", "<b>bold</b>" * 1000, "1" * 26]


@pytest.fixture(scope="module")
def models():
    """Both models, trained briefly as the chapter trains them (the same code, fewer steps)."""
    setup = dict(steps=150, lengths=range(1, 11), learning_rate=0.01, seed=0)
    return {
        label: train(init_params(0, attention=attention), **setup)[0]
        for label, attention in (("without attention", False), ("with attention", True))
    }


def test_the_browser_translates_as_python(new_page, models):
    page, log = new_page()
    live = translator_view(models)
    view = live.view
    show(page, live)
    rng = np.random.default_rng(0)
    sentences = [
        "".join(rng.choice(list(SOURCE_LETTERS), n)) for n in range(1, 11) for _ in range(30)
    ]
    texts = sentences + GOOD + BAD
    states = [{**view.page_state(), "text": text, "sentence": "cab", "step": 9} for text in texts]
    results = page.evaluate(
        """async ([src, states, data]) => {
          const view = await import(src);
          return states.map((state) => {
            const out = view.compute(state, data);
            return JSON.parse(JSON.stringify(out, (key, value) =>
              ArrayBuffer.isView(value) ? Array.from(value) : value));
          });
        }""",
        [_data_url(module("translator")), _for_page(states), _for_page(view.page_data())],
    )
    differ = 0
    for text, js in zip(texts, results, strict=True):
        try:
            word, error = read_sentence(text, 10), False
        except ValueError:
            word, error = "cab", True
        assert bool(js["error"]) == error and js["sentence"] == word, text
        assert js["step"] == len(word) - 1
        py = translator_outputs(word, models)
        assert js["reference"] == py["reference"]
        for got, want in zip(js["translations"], py["translations"], strict=True):
            assert got["label"] == want["label"] and got["output"] == want["output"], text
            if want["alignment"] is None:
                assert got["alignment"] is None
            else:
                shape = got["alignment"]["shape"]
                alignment = np.reshape(got["alignment"]["data"], shape)
                np.testing.assert_allclose(alignment, want["alignment"], atol=1e-6)
        outputs = [t["output"] for t in py["translations"]]
        differ += outputs[0] != outputs[1]
    assert differ > 50  # the two models do not translate alike: both are tested
    assert log.clean(), log


def _shown(page) -> tuple[str, str]:
    """The translations table's text and the alignment's pixels."""
    table = page.locator(".attn-table").inner_text()
    return table, page.evaluate("() => document.querySelector('.attn-view canvas').toDataURL()")


def test_bad_sentences_keep_the_last_view_and_the_rest_works(new_page, models):
    page, log = new_page()
    show(page, translator_view(models))
    box = page.get_by_role("textbox")
    good = _shown(page)
    for text in HOSTILE:
        box.fill(text)
        box.press("Enter")
        status = page.locator(".attn-status")
        assert "attn-error" in status.get_attribute("class"), text
        assert status.inner_text().strip() and len(status.inner_text()) < 200, text
        assert _shown(page) == good, text  # the last good view stays
    assert "26" not in page.locator(".attn-status").inner_text()  # 26 digits are not 26 letters
    page.get_by_label("Output step", exact=True).select_option("3")  # the step still redraws
    assert _shown(page)[1] != good[1]
    assert "step" not in page.locator(".attn-status").inner_text()
    page.get_by_role("button", name="hgfedcba").click()  # an example still translates
    assert "ABCDEFGH" in page.locator(".attn-table").inner_text()
    assert not page.locator(".attn-status").inner_text().strip()
    assert page.locator("main b").count() == 0  # text is never parsed as HTML
    assert log.clean(), log


def test_keyboard_only(new_page, models):
    page, log = new_page()
    show(page, translator_view(models))
    box = page.get_by_role("textbox")
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Hgf")  # a phone's capital first letter is read as small
    page.keyboard.press("Enter")
    assert "FGH" in page.locator(".attn-table").inner_text()
    page.keyboard.press("Tab")  # the first example
    page.keyboard.press("Enter")
    assert "CBA" in page.locator(".attn-table").inner_text()
    page.get_by_label("Output step", exact=True).focus()
    page.keyboard.press("End")
    reading = page.locator(".attn-controls span").last.inner_text()
    assert reading.startswith("writes") and "source word" in reading
    assert page.get_by_label("Output step", exact=True).input_value() == "2"
    assert log.clean(), log


@pytest.mark.parametrize("width", [320, PHONE["width"]])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_accessible_and_contained_at_phone_width(new_page, models, theme, width):
    page, log = new_page(viewport={**PHONE, "width": width}, color_scheme=theme)
    show(page, translator_view(models, text="aabbccddee"), theme=theme)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    view = page.locator(".attn-view")  # nothing cut off inside the view either
    assert view.evaluate("(v) => v.scrollWidth <= v.clientWidth")
    assert audit(page, ".attn-view") == []
    page.get_by_role("textbox").fill("abcdefghabcdefgh")
    assert audit(page, ".attn-view") == []  # the error message too
    assert log.clean(), log
