"""The explorers on a phone (390 px): the controls and the chosen query's weights fit.

Only a large matrix may scroll, on its own: the page never scrolls sideways,
and scrolling the matrix moves neither the controls nor the bars. Every
component of the book on every page (``tests.browser.accessibility``'s rule:
an element with an ``attn-`` class) must fit too. Screenshots at 390 px, light
and dark, go beside the built site.
"""

from __future__ import annotations

import json

import pytest

from attn_book.choices import MASK_CHOICES
from attn_book.explorer import attention_explorer
from attn_book.tokens import EXAMPLE_SENTENCES
from tests.browser.conftest import (
    SCREENSHOTS,
    book_params,
    each_component,
    page_name,
    pages_with,
    standalone,
)
from tests.browser.explorer_checks import check_snapshot, check_typed, snapshot
from tests.browser.layout import PHONE, assert_fits, screenshot
from tests.browser.test_explorers import EXPLORER_PAGES

COMPONENT_PAGES = pages_with("attn-")

# 64 words, the most a sentence may have: the canvas view, 1024 px wide.
LONG = " ".join(
    (
        "the cat sat on a mat while her dog slept by warm fire and birds sang outside "
        "until evening rain began to fall softly over quiet old town"
    ).split()
    * 3
).split()[:64]

# Where the controls and the bars are, for "scrolling the matrix moves nothing else".
PLACES_JS = """root => Array.from(root.querySelectorAll(
  'select, input.ae-text, button.ae-token, .ae-bar-row, .ae-bars-title'))
  .map(el => {
    const b = el.getBoundingClientRect();
    return [Math.round(b.left), Math.round(b.top)];
  })"""


def check_phone(page, root, name: str) -> None:
    """Fit at 390 px with the table, then with a 64-word sentence (canvas), whose
    matrix scrolls on its own; screenshots of both."""
    root.scroll_into_view_if_needed()
    check_snapshot(snapshot(root))
    assert_fits(root)
    screenshot(root, SCREENSHOTS / f"{name}_390.png")
    if root.locator("input.ae-text").count() == 0:
        return
    check_typed(root, " ".join(LONG))
    state = json.loads(snapshot(root)["state"])
    wrap = root.locator(".ae-heatwrap")
    scroll_width, client_width = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert_fits(root)
    if len(state["positions"]) > 16:
        assert scroll_width > client_width, "a 64-word matrix should scroll inside its box"
    # Scrolling the matrix sideways moves nothing else, and not the page.
    places = root.evaluate(PLACES_JS)
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    assert root.evaluate(PLACES_JS) == places
    assert page.evaluate("() => window.scrollX") == 0
    # The row labels stay in sight while the matrix scrolls (sticky).
    query = root.locator("button.ae-query, .ae-rowlabel").nth(0)
    box, frame = query.bounding_box(), wrap.bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    query.click()
    check_snapshot(snapshot(root))
    screenshot(root, SCREENSHOTS / f"{name}_390_long.png")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("rel", book_params(EXPLORER_PAGES, "explorer"))
def test_book_explorers_fit_a_phone(rel, theme, book_page):
    page, log = book_page(rel, EXPLORER_PAGES, "an explorer", viewport=PHONE, color_scheme=theme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for i, root in each_component(page, ".attn-explorer"):
        check_phone(page, root, f"{page_name(rel)}__explorer{i}_{theme}")
    assert log.console_errors == [] and log.page_errors == []


@pytest.mark.parametrize("rel", book_params(COMPONENT_PAGES, "component"))
def test_every_component_of_the_book_fits_a_phone(rel, book_page):
    """Explorers, questions and the other chapters' components: each fits at 390 px."""
    page, log = book_page(rel, COMPONENT_PAGES, "a component of the book", viewport=PHONE)
    for _, root in each_component(page, '[class^="attn-"], [class*=" attn-"]'):
        assert_fits(root)
    assert log.page_errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_standalone_explorer_fits_a_phone(theme, new_page):
    page, log = new_page(viewport=PHONE, color_scheme=theme)
    explorer = attention_explorer(
        {"long": LONG, **EXAMPLE_SENTENCES},
        default_heads=4,
        masks=MASK_CHOICES,
        title="An explorer on a phone, with a long title that has to wrap somewhere",
    )
    standalone(page, explorer, theme=theme)
    root = page.locator(".attn-explorer")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    check_phone(page, root, f"standalone__explorer_{theme}")
    # A long word and a long sentence label do not widen anything either.
    check_typed(root, "supercalifragilisticexpialidocious" * 3 + " it was the cat")
    assert_fits(root)
    root.locator("select.ae-mask").select_option("causal + padding")
    root.locator("button.ae-token").nth(0).click()
    check_snapshot(snapshot(root))
    assert_fits(root)
    assert log.page_errors == [] and log.console_errors == []
