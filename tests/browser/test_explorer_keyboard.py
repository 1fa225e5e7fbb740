"""The explorer from the keyboard: every control reachable with Tab, a visible focus
ring on each (3:1 against the explorer's background, WCAG 2.2 SC 2.4.11/1.4.11),
each operable with the keys a reader expects, and named for a screen reader."""

from __future__ import annotations

import json

import pytest

from attn_book.colors import contrast_ratio
from attn_book.explorer import attention_explorer
from attn_book.tokens import EXAMPLE_SENTENCES
from tests.browser.accessibility import css_rgb, focused
from tests.browser.conftest import standalone
from tests.browser.explorer_checks import check_snapshot, snapshot
from tests.browser.layout import PHONE


def explorer_page(new_page, theme: str = "light", **kwargs):
    page, log = new_page(color_scheme=theme, **kwargs)
    explorer = attention_explorer(
        EXAMPLE_SENTENCES, default_heads=2, masks=("none", "causal", "padding")
    )
    standalone(
        page,
        explorer,
        theme=theme,
        before='<button id="before">before</button>',
        after='<button id="after">after</button>',
    )
    return page, log, page.locator(".attn-explorer")


def tab_through(page) -> list[dict]:
    """Focus the button before the explorer, then Tab until the focus leaves it. Each
    stop: what has the focus (tag.first-class), the position it stands for
    (``index``), and how its focus ring looks (with the explorer's background)."""
    page.locator("#before").focus()
    stops = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focus = focused(page)
        if focus["root"] != "attn-explorer":
            break
        data = focus["dataset"]
        focus["what"] = f"{focus['tag'].lower()}.{focus['className'].split(' ')[0]}"
        focus["index"] = data.get("index", data.get("row"))
        stops.append(focus)
    return stops


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_tab_reaches_every_control_with_a_visible_focus(theme, new_page):
    page, log, root = explorer_page(new_page, theme)
    state = json.loads(root.get_attribute("data-state"))
    n = len(state["positions"])
    stops = tab_through(page)
    kinds = [s["what"] for s in stops]
    for control in (
        "select.ae-sentence",
        "select.ae-heads",
        "select.ae-head",
        "select.ae-mask",
        "select.ae-query-select",
        "input.ae-text",
    ):
        assert kinds.count(control) == 1, (control, kinds)
    assert [s["index"] for s in stops if s["what"] == "button.ae-token"] == [
        str(i) for i in range(n)
    ]
    assert [s["index"] for s in stops if s["what"] == "button.ae-query"] == [
        str(i) for i in range(n)
    ]
    for stop in stops:
        style, width, colour = stop["outline"]
        assert stop["visible"] and style != "none" and width >= 2, stop
        ratio = float(contrast_ratio(css_rgb(colour), css_rgb(stop["background"])))
        assert ratio >= 3, (stop, ratio)
    assert log.page_errors == []


def test_every_control_works_from_the_keyboard(new_page):
    page, log, root = explorer_page(new_page)
    keyboard = page.keyboard

    def state() -> dict:
        return check_snapshot(snapshot(root))

    # Menus: arrow keys choose the next option.
    for menu, field in (("ae-mask", "mask"), ("ae-heads", "heads"), ("ae-sentence", "sentence")):
        before = state()[field]
        root.locator(f"select.{menu}").focus()
        keyboard.press("ArrowDown")
        assert state()[field] != before, menu
    root.locator("select.ae-head").focus()
    keyboard.press("ArrowDown")
    assert state()["head"] == 1
    # Token buttons: Space and Enter switch a token off and on.
    root.locator("button.ae-token").nth(1).focus()
    keyboard.press("Space")
    assert state()["active"][1] is False
    keyboard.press("Enter")
    assert state()["active"][1] is True
    # Query buttons: Enter selects; the arrows, Home and End move, and the focus follows.
    root.locator("button.ae-query").nth(2).focus()
    keyboard.press("Enter")
    assert state()["query"] == 2
    keyboard.press("ArrowDown")
    assert state()["query"] == 3
    assert page.evaluate("() => document.activeElement.dataset.row") == "3"
    keyboard.press("End")
    last = len(state()["positions"]) - 1
    assert state()["query"] == last
    keyboard.press("Home")
    assert state()["query"] == 0
    # The query menu.
    root.locator("select.ae-query-select").focus()
    keyboard.press("ArrowDown")
    assert state()["query"] == 1
    # The sentence box: select all and type.
    box = root.locator("input.ae-text")
    box.focus()
    keyboard.press("ControlOrMeta+a")
    keyboard.type("my zyzzyva saw it")
    assert state()["custom"]["tokens"] == ["my", "zyzzyva", "saw", "it"]
    assert log.page_errors == []


def test_a_long_sentence_scrolls_from_the_keyboard_on_a_phone(new_page):
    """Canvas view: the frame of the matrix takes the focus and the arrows scroll it."""
    page, log, root = explorer_page(new_page, viewport=PHONE)
    root.locator("input.ae-text").fill(" ".join(["the cat sat on the mat"] * 10))
    assert root.get_attribute("data-view") == "canvas"
    stops = tab_through(page)
    assert [s["what"] for s in stops].count("div.ae-heatwrap") == 1
    assert all(s["visible"] and s["outline"][0] != "none" for s in stops)
    frame = root.locator(".ae-heatwrap")
    frame.focus()
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.ae-heatwrap').scrollLeft > 0", timeout=2000
    )
    assert log.page_errors == []


def test_controls_have_names_for_screen_readers(new_page):
    page, log, root = explorer_page(new_page)
    for name in ("Sentence", "Heads H", "Head", "Mask", "Query"):
        assert root.get_by_role("combobox", name=name, exact=True).count() == 1, name
    assert root.get_by_role("textbox", name="Or type one").count() == 1
    tokens = root.get_by_role("group", name="Tokens: switch one off or on")
    assert tokens.get_by_role("button", name="cat", exact=True).count() == 1
    # "cat": a token (switched on: pressed) and a query (not the selected one).
    assert root.get_by_role("button", name="cat", exact=True, pressed=True).count() == 1
    assert root.get_by_role("button", name="cat", exact=True, pressed=False).count() == 1
    assert root.get_by_role("table", name="attention weights, query rows by key columns").count()
    assert root.get_by_role("list", name="Weights of query").count() == 1
    assert root.get_by_role("status").count() == 1
    # A refused text is announced, and the box says it is invalid.
    root.locator("input.ae-text").fill("?!")
    assert root.get_by_role("status").text_content().startswith("text has no words")
    assert root.get_by_role("textbox", name="Or type one").get_attribute("aria-invalid") == "true"
    assert log.page_errors == []
