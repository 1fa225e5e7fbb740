"""The "predict, then check" question in Chromium: numbers read as Python reads them."""

from __future__ import annotations

import math

import pytest

from attn_book.exercises.core import read_number
from attn_book.views import _data_url, module
from attn_book.views.question import question

from .conftest import PHONE, audit, show

TYPED = [
    "1048576", "1,048,576", "1 048 576", "1_048_576", "4*512*512", "4 × 512 × 512", "1/4",
    ".25", "0.25", "-3", "−3", "1e-3", "2.5e3", "64 features", "64features", "  12  ",
    "1,5", "1,0485,76", "about 16", "16 or 17", "", "abc", "1/0", "4**2", "٣", "12,",
    "0.488", "1 048 576 weights", "3/4/5", "1e400",
]  # fmt: skip


def python_reading(text: str) -> float | None:
    try:
        return read_number(text)
    except ValueError:
        return None


def test_the_page_reads_numbers_as_python_does(new_page):
    page, log = new_page()
    show(page, question("How many?", answer=1, explanation="x"))
    got = page.evaluate(
        "async ([src, texts]) => { const m = await import(src); return texts.map((t) =>"
        " { const x = m.readNumber(t); return Number.isFinite(x) ? x : null; }); }",
        [_data_url(module("question")), TYPED],
    )
    for text, js in zip(TYPED, got, strict=True):
        py = python_reading(text)
        py = py if py is not None and math.isfinite(py) else None
        assert js == pytest.approx(py) if py is not None else js is None, text
    assert log.clean(), log


@pytest.mark.parametrize("enter", [True, False])
def test_a_number_question_judges_what_the_reader_types(new_page, enter):
    page, log = new_page()
    show(page, question("Weights?", answer=1_048_576, explanation="4 d^2.", unit="weights"))
    box = page.get_by_role("textbox")
    for text, verdict in [("1,048,575", "wrong"), ("a lot", "invalid"), ("4*512*512", "right")]:
        box.fill(text)
        box.press("Enter") if enter else page.get_by_role("button", name="Check").click()
        assert page.locator(".attn-view").get_attribute("data-verdict") == verdict, text
    assert page.get_by_text("4 d^2.").is_visible()  # the explanation, once right
    assert log.clean(), log


def test_a_choice_question_by_keyboard_and_the_answer_on_request(new_page):
    page, log = new_page()
    show(
        page, question("Where?", options=["cat", "mat", "<b>it</b>"], answer="mat", explanation="e")
    )
    page.get_by_label("cat").check()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.locator(".attn-view").get_attribute("data-verdict") == "wrong"
    page.get_by_role("button", name="Show the answer").click()
    assert page.locator(".attn-view").get_attribute("data-verdict") == "revealed"
    assert page.locator("main b").count() == 0  # an option is text, never markup
    assert log.clean(), log


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_accessible_at_phone_width(new_page, theme):
    page, log = new_page(viewport=PHONE, color_scheme=theme)
    show(page, question("Q?", answer=0.488, tolerance=0.005, explanation="e"), theme=theme)
    page.get_by_role("textbox").fill("0.5")
    page.get_by_role("textbox").press("Enter")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert audit(page, ".attn-view") == []
    assert log.clean(), log
