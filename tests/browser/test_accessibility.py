"""axe-core finds nothing in the book's own elements, on every page, in both themes.

The rule for what is audited, and the helper, are in
``tests.browser.accessibility`` (an element whose class starts with
``attn-``, ``aq-`` or ``ae-``, with everything inside it). The explorer is also
audited in the states a page does not start in: the canvas of a long
sentence, padding positions, a refused text, at phone width.
"""

from __future__ import annotations

import re

import pytest

from attn_book.choices import MASK_CHOICES
from attn_book.explorer import attention_explorer
from tests.browser.accessibility import BOOK_SELECTOR, audit, describe
from tests.browser.conftest import BOOK_HTML, book_pages, require_book, standalone
from tests.browser.layout import PHONE

PAGES = book_pages()


def test_the_audit_sees_the_books_elements_and_nothing_else(new_page):
    """A self-check of the helper: bad contrast inside an ``attn-`` element is a
    violation; the same outside the book's elements is not audited."""
    page, _ = new_page()
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body>'
        '<p style="color:#777;background:#fff">theme text, not audited</p>'
        '<div class="other attn-thing"><p style="color:#777;background:#fff">low</p>'
        '<button class="ae-x"></button></div>'
        '<span class="aq-part" style="color:#aaa;background:#fff">part</span></body></html>'
    )
    violations = audit(page, min_roots=2)
    found = {v["id"]: [n["target"] for n in v["nodes"]] for v in violations}
    assert set(found) == {"color-contrast", "button-name"}, describe(violations)
    assert len(found["color-contrast"]) == 2  # inside attn-thing, and the aq- part
    assert "theme text" not in str(violations)
    assert re.fullmatch(r"(\[class[\^*]=\"( ?)(attn|aq|ae)-\"\](, )?)+", BOOK_SELECTOR)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("rel", PAGES or ["<no built book>"])
def test_book_page_passes_axe(rel, theme, book_url, new_page):
    require_book()
    source = (BOOK_HTML / rel).read_text()
    if 'http-equiv="Refresh"' in source:
        return  # index.html only redirects
    page, log = new_page(color_scheme=theme)
    page.goto(f"{book_url}/{rel}", wait_until="load")
    violations = audit(page)
    assert violations == [], f"{rel} ({theme}):\n{describe(violations)}"
    assert log.page_errors == []


LONG = ("the cat sat on the mat because it was tired and the dog ran " * 5).split()[:40]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_explorer_states_pass_axe(theme, viewport, new_page):
    page, log = new_page(color_scheme=theme, viewport=viewport)
    explorer = attention_explorer(
        {"long": LONG, "short": "the fluffy grey cat slept because it was tired"},
        masks=MASK_CHOICES,
        default_heads=2,
    )
    standalone(page, explorer, theme=theme)
    root = page.locator(".attn-explorer")
    states = []

    def check(name: str) -> None:
        violations = audit(page, min_roots=1)
        states.append(name)
        assert violations == [], f"{name} ({theme}):\n{describe(violations)}"

    assert root.get_attribute("data-view") == "canvas"
    check("canvas")
    root.locator("select.ae-mask").select_option("causal + padding")
    root.locator("button.ae-token").nth(1).click()
    check("canvas with padding")
    root.locator("select.ae-sentence").select_option("1")
    root.locator("button.ae-token").nth(2).click()
    root.locator("button.ae-query").nth(2).click()
    check("table with a padding query")
    root.locator("input.ae-text").fill("?! \U0001f642")
    check("a refused text")
    root.locator("input.ae-text").fill("the \u00fcber zyzzyva, it's <b>")
    check("a typed sentence with a note")
    assert len(states) == 5 and log.page_errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_online_questions_pass_axe(theme, viewport, new_page):
    """The "predict, then check" questions, fresh and answered (right and wrong)."""
    from tests.browser.test_questions import answer_number, pick_option, test_page_questions

    page, log = new_page(color_scheme=theme, viewport=viewport)
    standalone(page, *test_page_questions(), theme=theme)
    assert audit(page, min_roots=5) == [], describe(audit(page))
    roots = page.locator(".attn-question")
    answer_number(roots.nth(0), "3", keyboard=False)
    pick_option(roots.nth(2), 0, keyboard=False)
    violations = audit(page, min_roots=5)
    assert violations == [], describe(violations)
    assert log.page_errors == []
