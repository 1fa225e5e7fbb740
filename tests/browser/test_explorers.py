"""The kernel-free explorers: in the built book, and on their own.

In the book, every ``.attn-explorer`` on every page is driven through its
controls (sentence, typed sentences, token toggles, heads, head, mask, query)
and the weights it shows are compared with attn_core for that state, to 1e-6.
On its own, an explorer built with hostile tokens must show them as text,
never as HTML. At phone width (390 px) the controls and the bars of the chosen
query fit the screen and only the matrix scrolls, on its own; every control
works from the keyboard with a visible focus and a name for screen readers;
in the dark theme the explorer has dark colours and no light box around it.
Screenshots of each (desktop and 390 px, light and dark) go to the screenshots
folder beside the built site.
"""

from __future__ import annotations

import json
import re

import pytest

from attn_book.explorer import attention_explorer
from attn_book.tokens import EXAMPLE_SENTENCES
from tests.browser.accessibility import assert_theme_colours, luminance
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
from tests.browser.explorer_checks import (
    check_snapshot,
    exercise_explorer,
    exercise_typing,
    snapshot,
)
from tests.browser.layout import screenshot

EXPLORER_PAGES = pages_with("attn-explorer")

HOSTILE = ["<img src=x onerror=alert(1)>", "</script>", "cat", "<b>bold</b>", "it"]


def test_explorer_chapters_contain_an_explorer():
    """The self-attention, multi-head and masking chapters each ship an explorer."""
    require_book()
    chapters = [rel for rel in book_pages() if re.search(r"(^|/)0[345]_[^/]*\.html$", rel)]
    if not chapters:
        pytest.skip("chapters 3-5 are not in this build yet")
    missing = [rel for rel in chapters if rel not in EXPLORER_PAGES]
    assert not missing, f"chapters without a kernel-free explorer: {missing}"


COLOURS_JS = """root => [getComputedStyle(root).backgroundColor,
  getComputedStyle(root.querySelector('.ae-title')).color,
  document.documentElement.dataset.theme]"""

# The background of every element around the explorer inside the article: in the
# book's dark theme, none may be a light box (the theme gives HTML outputs one).
BOX_JS = """root => {
  const out = [];
  for (let el = root.parentElement; el && el.tagName !== 'ARTICLE'; el = el.parentElement) {
    out.push([el.className, getComputedStyle(el).backgroundColor]);
  }
  return out;
}"""


def is_light(css_colour: str) -> bool:
    """An opaque colour brighter than mid-grey (transparent is not light)."""
    values = [float(v) for v in css_colour[css_colour.index("(") + 1 : -1].split(",")]
    if len(values) == 4 and values[3] == 0:
        return False
    return luminance(css_colour) > 0.5


@pytest.mark.parametrize("rel", book_params(EXPLORER_PAGES, "explorer"))
def test_explorers_in_book_match_attn_core(rel, book_page):
    page, log = book_page(rel, EXPLORER_PAGES, "an explorer")
    name = page_name(rel)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for i, root in each_component(page, ".attn-explorer"):
        screenshot(root, SCREENSHOTS / f"{name}__explorer{i}_light.png")
        assert exercise_explorer(root) > 10
        if root.locator("input.ae-text").count():
            assert exercise_typing(root) > 10
        background, text, theme = root.evaluate(COLOURS_JS)
        assert theme == "light"
        assert_theme_colours(background, text, theme)
    assert log.external == [] and log.console_errors == [] and log.page_errors == []


@pytest.mark.parametrize("rel", book_params(EXPLORER_PAGES, "explorer"))
def test_explorers_in_dark_theme(rel, book_page):
    page, log = book_page(rel, EXPLORER_PAGES, "an explorer", color_scheme="dark")
    for i, root in each_component(page, ".attn-explorer"):
        check_snapshot(snapshot(root))
        background, text, theme = root.evaluate(COLOURS_JS)
        assert theme == "dark"
        assert_theme_colours(background, text, theme)
        boxes = [(name, colour) for name, colour in root.evaluate(BOX_JS) if is_light(colour)]
        assert boxes == [], f"a light box around the explorer in the dark theme: {boxes}"
        screenshot(root, SCREENSHOTS / f"{page_name(rel)}__explorer{i}_dark.png")
    assert log.console_errors == [] and log.page_errors == []


def test_hostile_tokens_render_as_text(new_page):
    page, log = new_page()
    explorer = attention_explorer(
        {"hostile": HOSTILE, "plain": "the cat sat"}, default_heads=2, title="<i>title</i>"
    )
    standalone(page, explorer)
    root = page.locator(".attn-explorer")
    snap = snapshot(root)
    check_snapshot(snap)
    assert [t for t, _ in snap["tokens"]] == HOSTILE
    assert snap["queries"] == HOSTILE
    headers = root.locator("table.ae-heatmap thead th").all_text_contents()[1:]
    assert headers == HOSTILE
    assert root.locator(".ae-title").text_content() == "<i>title</i>"
    created = elements_from_text(page, "b, i")
    assert created == [0, 0], "a token was parsed as HTML"
    assert log.dialogs == [] and log.page_errors == [] and log.console_errors == []
    # The data survives the round trip through the page intact.
    assert json.loads(snap["data"])["sentences"][0]["tokens"] == HOSTILE
    exercise_explorer(root)
    assert log.dialogs == [] and log.page_errors == []


def test_hostile_tokens_static_fallback_without_javascript(new_page):
    page, log = new_page(java_script=False)
    standalone(page, attention_explorer([HOSTILE]))
    fallback = page.locator(".ae-static-table")
    assert fallback.count() == 1
    headers = fallback.locator("tr").first.locator("th").all_text_contents()[1:]
    assert headers == HOSTILE
    assert page.evaluate("() => document.images.length") == 0


def test_standalone_explorer_matches_attn_core(new_page):
    """The same checks as in the book, on every example sentence and mask mode."""
    page, log = new_page()
    explorer = attention_explorer(
        EXAMPLE_SENTENCES,
        default_heads=4,
        masks=("none", "causal", "padding", "causal + padding"),
        default_mask="causal",
    )
    standalone(page, explorer)
    assert exercise_explorer(page.locator(".attn-explorer")) > 20
    assert log.console_errors == [] and log.page_errors == []


def test_two_explorers_on_one_page_work_independently(new_page):
    page, log = new_page()
    first = attention_explorer(["the cat sat"])
    second = attention_explorer(["the dog ran because it was hungry"], default_heads=2)
    standalone(page, first, second)
    roots = page.locator(".attn-explorer")
    assert roots.count() == 2
    roots.nth(1).locator("select.ae-mask").select_option("causal")
    assert json.loads(snapshot(roots.nth(0))["state"])["mask"] == "none"
    assert check_snapshot(snapshot(roots.nth(1)))["mask"] == "causal"
    assert log.page_errors == []


LONG = (
    "the cat sat on a mat while her dog slept by the warm fire and birds sang outside "
    "until the evening rain began to fall softly over the quiet old town"
).split()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_long_sentence_canvas_matches_attn_core(theme, new_page):
    """Above 16 tokens the heatmap is a canvas: its pixels, bars and hover match attn_core."""
    page, log = new_page(color_scheme=theme)
    explorer = attention_explorer(
        {"long": LONG, "hostile": HOSTILE * 4, "short": "the cat sat"},
        default_heads=2,
        masks=("none", "causal", "padding", "causal + padding"),
    )
    standalone(page, explorer, theme=theme)
    root = page.locator(".attn-explorer")
    assert root.get_attribute("data-view") == "canvas"
    background, text, _ = root.evaluate(COLOURS_JS)
    assert_theme_colours(background, text, theme)
    root.locator("select.ae-mask").select_option("causal")
    check_snapshot(snapshot(root))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(root, SCREENSHOTS / f"standalone__explorer_long_{theme}.png")
    root.locator("select.ae-mask").select_option("none")
    assert exercise_explorer(root) > 20
    # Hostile tokens in the canvas view: key labels and queries are text.
    root.locator("select.ae-sentence").select_option("1")
    snap = snapshot(root)
    check_snapshot(snap)
    assert snap["queries"] == HOSTILE * 4
    assert root.locator(".ae-cols .ae-col").all_text_contents() == HOSTILE * 4
    assert elements_from_text(page, "b, i") == [0, 0]
    assert log.dialogs == [] and log.console_errors == [] and log.page_errors == []
