"""The kernel-free "predict, then check" questions, answered in a real browser.

Every question on every page of the built book, and on a test page built
here from Python, is answered wrongly, with text that is not a number
(hostile HTML for number questions: it must be shown as text and nothing
may run), then rightly, then the answer is shown. The expected verdicts
come from the question's own data (the answer the chapter's code computed),
so the page is checked against what Python put in it.
"""

from __future__ import annotations

import json

import pytest

from attn_book.explorer.question import question
from attn_core import causal_mask, softmax
from tests.browser.accessibility import assert_theme_colours, luminance
from tests.browser.conftest import (
    SCREENSHOTS,
    book_params,
    each_component,
    pages_with,
    standalone,
    type_and_submit,
)

QUESTION_PAGES = pages_with("attn-question")

HOSTILE = '<img src=x onerror="window.__pwned=1;alert(1)">'

STATE_JS = """root => ({
  data: root.querySelector('script.aq-data').textContent,
  verdict: root.getAttribute('data-verdict'),
  error: root.getAttribute('data-aq-error'),
  verdictText: (root.querySelector('.aq-verdict') || {}).textContent,
  explanation: (root.querySelector('.aq-explanation') || {}).textContent,
  explanationShown: !!root.querySelector('.aq-explanation:not([hidden])'),
  staticLeft: root.querySelectorAll('.aq-static').length,
  live: (root.querySelector('.aq-verdict') || {getAttribute: () => null}).getAttribute('aria-live'),
})"""

PAGE_SAFE_JS = """() => ({
  images: document.images.length,
  bold: document.querySelectorAll('.attn-question b').length,
  pwned: window.__pwned === undefined ? null : window.__pwned,
})"""


def state(root) -> dict:
    return root.evaluate(STATE_JS)


def wrong_number(data: dict) -> str:
    """A reply well outside the tolerance."""
    return repr(data["answer"] + 10 * data["tolerance"] + 1 + abs(data["answer"]))


def answer_number(root, text: str, *, keyboard: bool) -> dict:
    type_and_submit(root, "input.aq-input", "button.aq-check", text, keyboard=keyboard)
    return state(root)


def pick_option(root, index: int, *, keyboard: bool) -> dict:
    radio = root.locator("input[type=radio]").nth(index)
    if keyboard:
        # Arrow keys move between the options of a radio group; Enter submits the form.
        root.locator("input[type=radio]").first.focus()
        root.page.keyboard.press("Space")
        for _ in range(index):
            root.page.keyboard.press("ArrowDown")
        assert radio.is_checked()
        root.page.keyboard.press("Enter")
    else:
        radio.check()
        root.locator("button.aq-check").click()
    return state(root)


def drive_question(root, *, keyboard: bool = False) -> int:
    """Answer one question wrongly, invalidly, rightly and by revealing; check each verdict."""
    first = state(root)
    assert not first["error"], f"question failed to start: {first['error']}"
    assert first["staticLeft"] == 0, "the static fallback was not replaced"
    assert first["live"] == "polite", "the verdict is not announced to screen readers"
    data = json.loads(first["data"])
    answer = data["answer_text"] + (f" {data['unit']}" if data["unit"] else "")
    checked = 0
    if data["kind"] == "number":
        # Labelled by its prompt, so a screen reader reads the question with the box.
        box = root.get_by_role("textbox", name=data["prompt"])
        assert box.count() == 1, "the input box is not labelled by the prompt"
        s = answer_number(root, "", keyboard=keyboard)
        assert s["verdict"] == "empty" and s["verdictText"] == "Type a number first."
        reply = wrong_number(data)
        s = answer_number(root, reply, keyboard=keyboard)
        assert s["verdict"] == "wrong", s
        assert (
            s["verdictText"]
            == f"✗ Not quite: “{reply}” is too high. Try again, or show the answer."
        )
        assert not s["explanationShown"], "the explanation would give the answer away"
        s = answer_number(root, HOSTILE, keyboard=keyboard)
        assert s["verdict"] == "invalid", s
        assert s["verdictText"].startswith(f"“{HOSTILE[:37]}")
        assert s["verdictText"].endswith("is not a number. Type a number such as 0.25 or 1/4.")
        assert root.locator("input.aq-input").get_attribute("aria-invalid") == "true"
        low = repr(data["answer"] - 10 * data["tolerance"] - 1 - abs(data["answer"]))
        assert "too low" in answer_number(root, low, keyboard=keyboard)["verdictText"]
        # Right: the exact answer, and a reply at the edge of the tolerance.
        for reply in (repr(data["answer"]), data["answer_text"]):
            s = answer_number(root, reply, keyboard=keyboard)
            assert s["verdict"] == "right", (reply, s)
            assert s["verdictText"] == f"✓ Right: the answer is {answer}."
            assert s["explanationShown"] and s["explanation"] == data["explanation"]
        checked += 6
    else:
        group = root.get_by_role("group", name=data["prompt"])
        assert group.count() == 1, "the options are not grouped under the prompt"
        for i, option in enumerate(data["options"]):
            assert root.get_by_role("radio", name=option).count() >= 1, option
            if i == data["answer"]:
                continue
            s = pick_option(root, i, keyboard=keyboard)
            assert s["verdict"] == "wrong", s
            assert s["verdictText"] == (
                f"✗ Not quite: “{option[:37] + '...' if len(option) > 40 else option}” "
                "is not it. Try again, or show the answer."
            )
            assert not s["explanationShown"]
            checked += 1
        s = pick_option(root, data["answer"], keyboard=keyboard)
        assert s["verdict"] == "right", s
        assert s["verdictText"] == f"✓ Right: the answer is {answer}."
        assert s["explanationShown"] and s["explanation"] == data["explanation"]
        checked += 1
    root.locator("button.aq-reveal").click()
    s = state(root)
    assert s["verdict"] == "revealed" and s["verdictText"] == f"The answer is {answer}."
    assert s["explanationShown"] and s["explanation"] == data["explanation"]
    return checked + 1


def test_page_questions() -> list:
    """Questions as a chapter makes them: answers computed, never typed."""
    weights = softmax(causal_mask(3).astype(float) * 0.0)  # equal scores in every row
    return [
        question(
            "How many entries of a 4 x 4 causal mask are True?",
            answer=int(causal_mask(4).sum()),
            explanation="Row i allows keys 0..i: 1 + 2 + 3 + 4 = 10.",
            unit="entries",
        ),
        question(
            "Equal scores over 3 keys: what weight does each key get?",
            answer=float(weights[0, 0]),
            tolerance=0.005,
            explanation="The softmax of equal scores is uniform: 1/3 each.",
        ),
        question(
            "Under a causal mask, which query sees only itself?",
            options=["the first", "the last", "every query"],
            answer=["the first", "the last"][int(causal_mask(3)[0].sum() != 1)],
            explanation="Query 0 has no earlier key, so the only key it sees is itself.",
        ),
        question(
            HOSTILE,
            options=[HOSTILE, "</script><b>bold</b>", "-3"],
            answer="-3",
            explanation=HOSTILE,
        ),
        question(
            "A negative answer: what is -1 - 1?",
            answer=-2,
            explanation="-1 - 1 = -2.",
        ),
    ]


test_page_questions.__test__ = False  # a builder, not a test


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard"])
def test_standalone_questions_answered_rightly_and_wrongly(keyboard, new_page):
    page, log = new_page()
    standalone(page, *test_page_questions())
    roots = page.locator(".attn-question")
    assert roots.count() == 5
    checked = sum(drive_question(roots.nth(i), keyboard=keyboard) for i in range(roots.count()))
    assert checked >= 15
    assert page.evaluate(PAGE_SAFE_JS) == {"images": 0, "bold": 0, "pwned": None}
    assert log.dialogs == [] and log.console_errors == [] and log.page_errors == []
    if not keyboard:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "standalone__questions_light.png"), full_page=True)


def test_hostile_prompt_and_options_are_text(new_page):
    page, log = new_page()
    standalone(page, *test_page_questions()[3:4])
    root = page.locator(".attn-question")
    assert root.locator(".aq-prompt").text_content() == HOSTILE
    options = root.locator(".aq-option-text").all_text_contents()
    assert options == [HOSTILE, "</script><b>bold</b>", "-3"]
    pick_option(root, 0, keyboard=False)
    assert HOSTILE[:37] in state(root)["verdictText"]
    root.locator("button.aq-reveal").click()
    assert root.locator(".aq-explanation").text_content() == HOSTILE
    assert page.evaluate(PAGE_SAFE_JS) == {"images": 0, "bold": 0, "pwned": None}
    assert log.dialogs == [] and log.page_errors == []


def test_numbers_as_readers_type_them(new_page):
    page, log = new_page()
    third = question("One third?", answer=1 / 3, tolerance=0.005, explanation="1/3.")
    half = question("Minus a half?", answer=-0.5, tolerance=0.01, explanation="-1/2.")
    standalone(page, third, half)
    first, second = page.locator(".attn-question").nth(0), page.locator(".attn-question").nth(1)
    for reply in ["0.333", ".333", "1/3", " 0,333 ", "3.33e-1", "0.338"]:
        assert answer_number(first, reply, keyboard=True)["verdict"] == "right", reply
    for reply in ["0.34", "1/0", "1/2", "0.3.3", "one third", "0x1", "Infinity", "NaN"]:
        assert answer_number(first, reply, keyboard=True)["verdict"] in ("wrong", "invalid"), reply
    for reply in ["-0.5", "−0.5", "-1/2", "-.5"]:  # "−" is the Unicode minus sign
        assert answer_number(second, reply, keyboard=True)["verdict"] == "right", reply
    assert log.page_errors == [] and log.console_errors == []


def test_tab_reaches_every_control_in_order(new_page):
    page, _ = new_page()
    standalone(page, *test_page_questions()[:1])
    page.locator("input.aq-input").focus()
    order = []
    for _ in range(2):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.className"))
    assert order == ["aq-check", "aq-reveal"]
    page.keyboard.press("Enter")  # Enter on the focused "Show the answer" button
    assert state(page.locator(".attn-question"))["verdict"] == "revealed"


def test_static_fallback_without_javascript(new_page):
    page, log = new_page(java_script=False)
    standalone(page, *test_page_questions())
    roots = page.locator(".attn-question")
    for i in range(roots.count()):
        root = roots.nth(i)
        assert root.locator(".aq-static").count() == 1
        assert root.locator("input").count() == 0
        details = root.locator("details.aq-static-answer")
        assert not details.locator("p").is_visible()
        details.locator("summary").click()
        assert details.locator("p").is_visible()
        assert details.locator("p").text_content().startswith("The answer is ")
    hostile = roots.nth(3)
    assert hostile.locator(".aq-prompt").text_content() == HOSTILE
    assert hostile.locator(".aq-static-options li").all_text_contents()[0] == HOSTILE
    assert page.evaluate("() => document.images.length") == 0


COLOURS_JS = """root => [getComputedStyle(root).backgroundColor,
  getComputedStyle(root.querySelector('.aq-prompt')).color,
  getComputedStyle(root.querySelector('.aq-verdict')).color]"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_readable_in_light_and_dark_themes(theme, new_page):
    page, _ = new_page(color_scheme=theme)
    standalone(page, *test_page_questions()[:3], theme=theme)
    roots = page.locator(".attn-question")
    answer_number(roots.nth(0), "3", keyboard=False)
    background, text, wrong = roots.nth(0).evaluate(COLOURS_JS)
    pick_option(roots.nth(2), 0, keyboard=False)
    _, _, right = roots.nth(2).evaluate(COLOURS_JS)
    assert_theme_colours(background, text, theme)
    if theme == "dark":
        assert luminance(wrong) > 0.35 and luminance(right) > 0.35, (wrong, right)
    else:
        assert luminance(wrong) < 0.5 and luminance(right) < 0.5, (wrong, right)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"standalone__questions_{theme}.png"), full_page=True)


def test_a_page_can_hold_the_same_script_many_times(new_page):
    """Every fragment carries the script; the engine starts each question once."""
    page, log = new_page()
    questions = test_page_questions()
    standalone(page, *questions, *questions[:1])
    assert page.locator(".attn-question[data-aq-ready]").count() == len(questions) + 1
    assert page.locator(".aq-form").count() == len(questions) + 1
    assert log.page_errors == []


# ------------------------------------------------------------ the built book


@pytest.mark.parametrize("rel", book_params(QUESTION_PAGES, "question"))
def test_questions_in_the_book(rel, book_page):
    page, log = book_page(rel, QUESTION_PAGES, "a question")
    for i, root in each_component(page, ".attn-question"):
        drive_question(root, keyboard=i % 2 == 1)
    assert page.evaluate(PAGE_SAFE_JS)["pwned"] is None
    assert log.external == [] and log.dialogs == []
    assert log.console_errors == [] and log.page_errors == []


@pytest.mark.parametrize("rel", book_params(QUESTION_PAGES[:1], "question"))
def test_questions_in_the_book_dark_theme(rel, book_page):
    """In the book's dark theme a question is dark, and so is the output box around it."""
    page, log = book_page(rel, QUESTION_PAGES, "a question", color_scheme="dark")
    root = page.locator(".attn-question").first
    root.scroll_into_view_if_needed()
    background, text, _ = root.evaluate(COLOURS_JS)
    around = root.evaluate(
        """root => { let n = root.parentElement;
        while (n && getComputedStyle(n).backgroundColor === 'rgba(0, 0, 0, 0)') {
          n = n.parentElement; }
        return n ? getComputedStyle(n).backgroundColor : 'none'; }"""
    )
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    assert_theme_colours(background, text, "dark")
    assert luminance(around) < 0.2, f"the output box around the question is light: {around}"
    drive_question(root)
    assert log.console_errors == [] and log.page_errors == []
