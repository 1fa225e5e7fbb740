"""The kernel-free translator explorer, in a real browser, against the Python model.

On every page of the built book that holds one (the history chapter), and on
pages built here from untrained models, the page's JavaScript translates many
sentences; each result is compared with :meth:`TranslatorExplorer.run`, which
runs :func:`attn_book.seq2seq.forward` on the weights read back from the
page's own data: the same outputs, and logits and alignments to 1e-6. What the
reader sees is checked too (the letters marked right or wrong, every cell of
the heatmap with its weight and its colour on the book's ramp), and so are bad
input (each gets the message of :func:`attn_book.toy_tasks.check_sentence`
and the last translation stays; HTML is shown as text), the keyboard, the
visible focus, a phone's width and the dark theme.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from attn_book.colors import ramp, ramp_index
from attn_book.explorer.translation import TranslatorExplorer, translator_explorer
from attn_book.seq2seq import init_params
from attn_book.toy_tasks import SOURCE_LETTERS, check_sentence
from tests.browser.accessibility import assert_theme_colours, css_rgb, focused
from tests.browser.conftest import (
    SCREENSHOTS,
    book_pages,
    book_params,
    each_component,
    elements_from_text,
    page_name,
    pages_with,
    require_book,
    standalone,
)
from tests.browser.layout import assert_fits

TOLERANCE = 1e-6
# A weight within 1e-6 may fall in the next of the 256 colour steps.
COLOUR_TOLERANCE = 4

TRANSLATOR_PAGES = pages_with("attn-translator")

HOSTILE = "<img src=x onerror=alert(1)>"
BAD_INPUTS = [
    "",
    "   ",
    "abcdefghabc",  # 11 letters
    "abz",
    "ABC",
    "a\U0001f600b",  # a letter outside the basic plane: one symbol, as Python counts it
    "<b>x</b>",
    "h&g",
    HOSTILE,
]

# Types each sentence into the box (an input event, as typing sends) and returns
# what the page computed: [data-result, data-error] for each.
TRANSLATE_ALL_JS = """(root, texts) => texts.map(text => {
  const input = root.querySelector('input.at-input');
  input.value = text;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  return [root.getAttribute('data-result'), root.getAttribute('data-error')];
})"""

VIEW_JS = """root => ({
  outputs: Array.from(root.querySelectorAll('.at-output-row')).map(row => ({
    label: row.querySelector('.at-output-label').textContent,
    letters: Array.from(row.querySelectorAll('.at-letters > span')).map(
      s => [s.textContent, s.className]),
    text: row.querySelector('.at-letters').textContent,
    score: (row.querySelector('.at-score') || {}).textContent,
  })),
  heatmaps: Array.from(root.querySelectorAll('.at-heatmap')).map(h => ({
    columns: Array.from(h.querySelectorAll('th.at-col')).map(th => th.textContent),
    steps: Array.from(h.querySelectorAll('button.at-step')).map(
      b => [b.textContent, b.getAttribute('aria-pressed')]),
    cells: Array.from(h.querySelectorAll('td.at-cell')).map(td => [
      Number(td.dataset.row), Number(td.dataset.col), Number(td.dataset.weight),
      td.textContent, getComputedStyle(td).backgroundColor]),
    readout: h.querySelector('.at-readout').textContent,
  })),
  message: root.querySelector('.at-message').textContent,
  invalid: root.querySelector('input.at-input').getAttribute('aria-invalid'),
  staticLeft: root.querySelectorAll('.at-static').length,
  error: root.getAttribute('data-at-error'),
})"""


def explorer_of(root) -> TranslatorExplorer:
    """The explorer Python builds from the page's own data (weights decoded from it)."""
    return TranslatorExplorer(json.loads(root.locator("script.at-data").text_content()))


def sentences(count: int, max_length: int, seed: int = 0) -> list[str]:
    """Seeded random sentences of 1..max_length letters, and the edge cases."""
    rng = np.random.default_rng(seed)
    texts = list(SOURCE_LETTERS) + [SOURCE_LETTERS[-1] * max_length, "a b c"]
    for _ in range(count):
        n = int(rng.integers(1, max_length + 1))
        texts.append("".join(rng.choice(list(SOURCE_LETTERS), size=n)))
    return texts


def compare_result(shown: dict, expected: dict) -> None:
    """The page's data-result against TranslatorExplorer.run: outputs exact, numbers 1e-6."""
    assert shown["text"] == expected["text"] and shown["reference"] == expected["reference"]
    assert len(shown["models"]) == len(expected["models"])
    for got, want in zip(shown["models"], expected["models"], strict=True):
        where = f"{want['label']} on {expected['text']!r}"
        assert got["label"] == want["label"]
        assert got["output"] == want["output"], where
        assert got["ids"] == want["ids"] and got["right"] == want["right"], where
        np.testing.assert_allclose(
            got["logits"], want["logits"], atol=TOLERANCE, rtol=0, err_msg=where
        )
        if want["alignment"] is None:
            assert got["alignment"] is None, where
        else:
            np.testing.assert_allclose(
                got["alignment"], want["alignment"], atol=TOLERANCE, rtol=0, err_msg=where
            )


def check_view(view: dict, expected: dict) -> None:
    """What the reader sees: letters marked right or wrong, the heatmap's weights and colours."""
    assert not view["error"] and view["staticLeft"] == 0
    reference = expected["reference"]
    assert view["outputs"][0]["label"] == "reference" and view["outputs"][0]["text"] == reference
    for row, model in zip(view["outputs"][1:], expected["models"], strict=True):
        assert row["label"] == model["label"] and row["text"] == model["output"]
        marks = [
            "at-right" if a == b else "at-wrong"
            for a, b in zip(model["output"], reference, strict=True)
        ]
        assert [cls for _, cls in row["letters"]] == marks
        assert row["score"] == f"{model['right']}/{len(reference)} right"
    attention = [m for m in expected["models"] if m["alignment"] is not None]
    assert len(view["heatmaps"]) == len(attention)
    for heatmap, model in zip(view["heatmaps"], attention, strict=True):
        n = len(expected["text"])
        assert heatmap["columns"] == [f"{j + 1} {c}" for j, c in enumerate(expected["text"])]
        assert [t for t, _ in heatmap["steps"]] == [
            f"{i + 1} {c}" for i, c in enumerate(model["output"])
        ]
        assert [p for _, p in heatmap["steps"]].count("true") == 1
        weights = np.asarray(model["alignment"])
        shown = np.zeros((n, n))
        colours = np.zeros((n, n, 3))
        assert len(heatmap["cells"]) == n * n
        for i, j, weight, text, colour in heatmap["cells"]:
            shown[i, j] = weight
            colours[i, j] = css_rgb(colour)
            assert text == f"{weight:.2f}"
        np.testing.assert_allclose(shown, weights, atol=TOLERANCE, rtol=0)
        expected_rgb = ramp()[ramp_index(weights)].astype(float)
        assert np.abs(colours - expected_rgb).max() <= COLOUR_TOLERANCE
        assert heatmap["readout"].startswith("Output step ")


def exercise_translator(root, *, count: int = 150) -> int:
    """Translate many sentences in the page and check each one. Returns how many."""
    explorer = explorer_of(root)
    max_length = explorer.data["max_length"]
    # The default sentence, as the page shows it on load.
    first = json.loads(root.get_attribute("data-result"))
    compare_result(first, explorer.run(explorer.data["default"]))
    check_view(root.evaluate(VIEW_JS), first)
    texts = sentences(count, max_length) + explorer.data["examples"]
    results = root.evaluate(TRANSLATE_ALL_JS, texts)
    for text, (shown, error) in zip(texts, results, strict=True):
        assert not error, (text, error)
        compare_result(json.loads(shown), explorer.run(text))
    # Typed with the keyboard, letter by letter: each keystroke translates.
    box = root.locator("input.at-input")
    box.fill("")
    box.type("hgfedcba")
    expected = explorer.run("hgfedcba")
    compare_result(json.loads(root.get_attribute("data-result")), expected)
    check_view(root.evaluate(VIEW_JS), expected)
    # An example button.
    example = explorer.data["examples"][-1]
    root.locator("button.at-example", has_text=example).first.click()
    assert box.input_value() == example
    expected = explorer.run(example)
    compare_result(json.loads(root.get_attribute("data-result")), expected)
    check_view(root.evaluate(VIEW_JS), expected)
    return len(texts) + 3


def check_bad_input(root, log) -> None:
    """Each bad sentence: Python's message, the last translation kept, nothing parsed as HTML."""
    explorer = explorer_of(root)
    box = root.locator("input.at-input")
    box.fill("abc")
    good = root.get_attribute("data-result")
    images = root.page.evaluate("() => document.images.length")
    for text in BAD_INPUTS:
        with pytest.raises(ValueError) as caught:
            check_sentence(text, explorer.data["max_length"])
        box.fill(text)
        view = root.evaluate(VIEW_JS)
        assert root.get_attribute("data-error") == str(caught.value), text
        assert str(caught.value)[1:] in view["message"] and "Still showing" in view["message"]
        assert view["invalid"] == "true"
        assert root.get_attribute("data-result") == good, f"{text!r} changed the translation"
    assert root.page.evaluate("() => document.images.length") == images
    assert root.locator(".at-message b").count() == 0
    assert log.dialogs == [] and log.page_errors == []
    box.fill("abc")
    assert root.get_attribute("data-error") == ""
    assert root.evaluate(VIEW_JS)["invalid"] == "false"


def focus(page) -> tuple[str, str, str, str, float]:
    """The focused element: tag, class, value (or text), outline style and width."""
    f = focused(page)
    return f["tag"], f["className"], f["value"] or f["text"], f["outline"][0], f["outline"][1]


def check_keyboard(root) -> None:
    """Tab reaches the box, the examples and the step buttons, with a visible outline."""
    page = root.page
    box = root.locator("input.at-input")
    box.fill("badc")
    box.focus()
    tag, _, _, outline, width = focus(page)
    assert tag == "INPUT"
    page.keyboard.press("Tab")
    tag, cls, text, outline, width = focus(page)
    assert tag == "BUTTON" and "at-example" in cls
    assert outline != "none" and width >= 2, "the focused button shows no outline"
    page.keyboard.press("Enter")
    assert box.input_value() == text
    step = root.locator("button.at-step").nth(2)
    step.focus()
    tag, cls, _, outline, width = focus(page)
    assert "at-step" in cls and outline != "none" and width >= 2
    page.keyboard.press("Enter")
    assert step.get_attribute("aria-pressed") == "true"
    assert root.locator(".at-readout").first.text_content().startswith("Output step 3 ")
    # The selected step stays selected while the reader types on.
    box.fill(text[:-1] + text[-1])
    assert root.locator("button.at-step").nth(2).get_attribute("aria-pressed") == "true"
    # The box is labelled, and the message is announced.
    assert root.get_by_label("Source sentence").count() == 1
    assert root.locator(".at-message").get_attribute("aria-live") == "polite"


FIT_JS = """root => {
  const box = root.getBoundingClientRect();
  const inside = sel => Array.from(root.querySelectorAll(sel)).every(el => {
    const r = el.getBoundingClientRect();
    return r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
  });
  const wrap = root.querySelector('.at-table-wrap');
  return {
    rootRight: box.right, viewport: window.innerWidth,
    rootOverflow: root.scrollWidth - root.clientWidth,
    controls: inside('input.at-input, button.at-example, .at-message'),
    outputs: inside('.at-output-row > span'),
    tableFits: wrap ? wrap.scrollWidth <= wrap.clientWidth + 1 : true,
  };
}"""


def check_phone(root) -> None:
    root.page.set_viewport_size({"width": 390, "height": 844})
    longest = (SOURCE_LETTERS * 2)[: explorer_of(root).data["max_length"]]
    root.locator("input.at-input").fill(longest)
    assert root.get_attribute("data-error") == ""
    root.scroll_into_view_if_needed()
    fit = root.evaluate(FIT_JS)
    assert fit["rootRight"] <= fit["viewport"] + 0.5, fit
    assert fit["rootOverflow"] <= 1, f"the explorer scrolls sideways at 390 px: {fit}"
    assert fit["controls"] and fit["outputs"], fit
    assert fit["tableFits"], f"ten columns of weights do not fit at 390 px: {fit}"
    assert_fits(root)


# ------------------------------------------------------------------ in the book


def test_history_chapter_has_the_translator():
    require_book()
    chapters = [rel for rel in book_pages() if rel.endswith("01_history.html")]
    if not chapters:
        pytest.skip("the history chapter is not in this build")
    assert chapters[0] in TRANSLATOR_PAGES


@pytest.mark.parametrize("rel", book_params(TRANSLATOR_PAGES, "translator"))
def test_translator_in_book_matches_the_python_model(rel, book_page):
    page, log = book_page(rel, TRANSLATOR_PAGES, "the translator")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = page_name(rel)
    for i, root in each_component(page, ".attn-translator"):
        assert exercise_translator(root) > 150
        check_bad_input(root, log)
        check_keyboard(root)
        root.locator("input.at-input").fill(explorer_of(root).data["default"])
        root.screenshot(path=str(SCREENSHOTS / f"{name}__translator{i}_light.png"))
        check_phone(root)
        root.screenshot(path=str(SCREENSHOTS / f"{name}__translator{i}_390px.png"))
        page.set_viewport_size({"width": 1280, "height": 900})
    assert log.external == [] and log.console_errors == [] and log.page_errors == []


@pytest.mark.parametrize("rel", book_params(TRANSLATOR_PAGES[:1], "translator"))
def test_translator_in_dark_theme(rel, book_page):
    page, log = book_page(rel, TRANSLATOR_PAGES, "the translator", color_scheme="dark")
    root = page.locator(".attn-translator").first
    root.scroll_into_view_if_needed()
    background, text, theme = root.evaluate(
        "root => [getComputedStyle(root).backgroundColor, getComputedStyle(root).color,"
        " document.documentElement.dataset.theme]"
    )
    assert theme == "dark"
    assert_theme_colours(background, text, "dark")
    root.screenshot(path=str(SCREENSHOTS / f"{page_name(rel)}__translator_dark.png"))
    assert log.console_errors == [] and log.page_errors == []


# ------------------------------------------------------------------ on its own


@pytest.fixture(scope="module")
def translator() -> TranslatorExplorer:
    """Untrained models (their outputs vary more than a trained model's) and a hostile title."""
    return translator_explorer(
        {
            "model <b>without</b> attention": init_params(3, attention=False),
            "with attention": init_params(4, attention=True),
        },
        text="hedge",
        max_length=8,
        examples=["abc", "hgfedcba"],
        task="copy",
        title=HOSTILE,
    )


def test_standalone_translator_matches_python(new_page, translator):
    page, log = new_page()
    standalone(page, translator)
    root = page.locator(".attn-translator")
    assert exercise_translator(root, count=100) > 100
    check_bad_input(root, log)
    check_keyboard(root)
    # Labels and the title are text, never HTML.
    assert root.locator(".at-title").text_content() == HOSTILE
    assert elements_from_text(page, ".attn-translator b") == [0, 0]
    labels = root.locator(".at-output-label").all_text_contents()
    assert labels[1] == "model <b>without</b> attention"
    assert log.dialogs == [] and log.page_errors == [] and log.console_errors == []


def test_standalone_translator_at_phone_width(new_page, translator):
    page, log = new_page()
    standalone(page, translator)
    check_phone(page.locator(".attn-translator"))
    assert log.page_errors == []


def test_static_fallback_without_javascript(new_page, translator):
    page, log = new_page(java_script=False)
    standalone(page, translator)
    fallback = page.locator(".at-static")
    assert fallback.count() == 1
    expected = translator.run("hedge")
    text = fallback.text_content()
    for model in expected["models"]:
        assert model["output"] in text
    cells = page.locator(".at-static-table td").all_text_contents()
    alignment = np.asarray(expected["models"][1]["alignment"])
    assert cells == [f"{w:.2f}" for w in alignment.ravel()]
    assert page.evaluate("() => document.images.length") == 0
    assert "<b>without</b>" in fallback.locator("li").first.text_content()
