"""The kernel-free soft-lookup explorer of chapter 2, in the built book and on its own.

Every state the page shows is checked against Python (attn_book.lookup) to
1e-6: the query moved by keyboard on the sliders, by a click and a drag on
the plane, by the example buttons, at several temperatures. Also checked: the
hard lookup (the best key, the first on a tie), the example where one query
aligns with several keys, a phone-width page (390 px), keyboard operation
with a visible focus, labels, hostile key names shown as text, the static
table without JavaScript, and no console error anywhere.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from attn_book.explorer.lookup import lookup_explorer
from attn_book.lookup import effective_inputs, hard_lookup, soft_lookup
from tests.browser.accessibility import assert_theme_colours, focused
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
from tests.browser.layout import PHONE, assert_fits

LOOKUP_PAGES = pages_with("attn-lookup")

NAMES = ["cat", "dog", "cow"]
KEYS = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]
VALUES = [[10.0, 0.0], [0.0, 10.0], [-10.0, 5.0]]
EXAMPLES = {"one key": [2.0, 0.0], "several keys": [1.0, 1.0]}
HOSTILE = ["<img src=x onerror=alert(1)>", "</script>", "<b>bold</b>"]

SNAPSHOT_JS = """root => ({
  state: JSON.parse(root.getAttribute('data-state')),
  result: JSON.parse(root.getAttribute('data-result')),
  data: JSON.parse(root.querySelector('script.al-data').textContent),
  error: root.getAttribute('data-al-error'),
  readout: root.querySelector('.al-readout').textContent,
  weights: Array.from(root.querySelectorAll('.al-table tbody .al-weight')).map(e => e.textContent),
  scores: Array.from(root.querySelectorAll('.al-table tbody .al-score')).map(e => e.textContent),
  hard: Array.from(root.querySelectorAll('.al-table tbody .al-hard')).map(e => e.textContent),
  best: Array.from(root.querySelectorAll('.al-table tbody tr')).findIndex(
    tr => tr.classList.contains('al-best')),
  ring: ['cx', 'cy'].map(a => Number(root.querySelector('.al-ring').getAttribute(a))),
  sliders: Array.from(root.querySelectorAll('input[type=range]')).map(e => e.value),
  staticLeft: root.querySelectorAll('.al-static').length,
})"""


def snapshot(root) -> dict:
    return root.evaluate(SNAPSHOT_JS)


def check_against_python(root) -> dict:
    """Compare what the page computed and shows with attn_book.lookup; return the snapshot."""
    snap = snapshot(root)
    assert not snap["error"], f"the explorer failed: {snap['error']}"
    assert snap["staticLeft"] == 0, "the static table was not replaced"
    data, state, result = snap["data"], snap["state"], snap["result"]
    query = np.array(state["query"], dtype=float)
    keys = np.array(data["keys"], dtype=float)
    values = np.array(data["values"], dtype=float)
    t = state["temperature"]
    assert t in data["temperatures"]
    soft_answer, soft = soft_lookup(query, keys, values, t)
    hard_answer, hard = hard_lookup(query, keys, values)
    np.testing.assert_allclose(result["scores"], keys @ query, atol=1e-9)
    np.testing.assert_allclose(result["soft"], soft, atol=1e-6, rtol=0)
    np.testing.assert_allclose(result["soft_answer"], soft_answer, atol=1e-6, rtol=0)
    np.testing.assert_array_equal(result["hard"], hard)
    np.testing.assert_array_equal(result["hard_answer"], hard_answer)
    best = int(np.argmax(hard))
    assert result["best"] == best
    assert abs(result["effective"] - effective_inputs(soft)) < 1e-6
    # What the reader sees: the table's numbers, the ringed key, the sliders.
    for shown, w in zip(snap["weights"], soft, strict=True):
        assert abs(float(shown) - w) <= 5e-4 + 1e-12, (snap["weights"], soft)
    for shown, s in zip(snap["scores"], keys @ query, strict=True):
        assert abs(float(shown) - s) <= 5e-3 + 1e-12
    assert snap["hard"] == [str(int(h)) for h in hard]
    assert snap["best"] == best
    assert snap["ring"] == [keys[best][0], -keys[best][1]]
    assert [float(v) for v in snap["sliders"][:2]] == pytest.approx(list(query))
    assert data["temperatures"][int(snap["sliders"][2])] == t
    many = "several keys" if effective_inputs(soft) >= 1.5 else "one key"
    assert snap["readout"].endswith(f"the query aligns with {many}.")
    assert f"“{data['names'][best]}”" in snap["readout"]
    return snap


def drive(root) -> int:
    """Move the query and the temperature every way the page offers; check each state."""
    page = root.page
    data = snapshot(root)["data"]
    step, extent, temps = data["step"], data["extent"], data["temperatures"]
    checks = 0
    check_against_python(root)
    x = root.get_by_role("slider", name="query x")
    y = root.get_by_role("slider", name="query y")
    t = root.get_by_role("slider", name="temperature τ")
    start = snapshot(root)["state"]["query"]

    # Keyboard on the sliders.
    x.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    snap = check_against_python(root)
    assert snap["state"]["query"][0] == pytest.approx(start[0] + 3 * step)
    page.keyboard.press("Home")
    assert check_against_python(root)["state"]["query"][0] == pytest.approx(-extent)
    page.keyboard.press("End")
    assert check_against_python(root)["state"]["query"][0] == pytest.approx(extent)
    y.focus()
    for key in ["ArrowDown", "ArrowDown", "PageDown", "ArrowUp"]:
        page.keyboard.press(key)
        check_against_python(root)
        checks += 1
    t.focus()
    page.keyboard.press("Home")
    assert check_against_python(root)["state"]["temperature"] == temps[0]
    for _ in range(len(temps) - 1):
        page.keyboard.press("ArrowRight")
        check_against_python(root)
        checks += 1
    assert snapshot(root)["state"]["temperature"] == temps[-1]
    checks += 6

    # Click and drag on the plane (data coordinates -> pixels).
    plane = root.locator("svg.al-plane")
    box = plane.bounding_box()

    def pixel(px: float, py: float) -> tuple[float, float]:
        return (
            box["x"] + (px + extent) / (2 * extent) * box["width"],
            box["y"] + (extent - py) / (2 * extent) * box["height"],
        )

    for temp_index in (0, 3, 6):
        t.focus()
        page.keyboard.press("Home")
        for _ in range(temp_index):
            page.keyboard.press("ArrowRight")
        for target in ([1.0, -0.5], [-0.35, 0.6], [0.0, 0.0]):
            page.mouse.click(*pixel(*target))
            snap = check_against_python(root)
            assert snap["state"]["query"] == pytest.approx(target, abs=1e-9)
            checks += 1
    page.mouse.move(*pixel(0.5, 0.5))
    page.mouse.down()
    page.mouse.move(*pixel(-0.5, 1.0), steps=5)
    page.mouse.up()
    assert check_against_python(root)["state"]["query"] == pytest.approx([-0.5, 1.0], abs=1e-9)

    # The example buttons.
    for example in data["examples"]:
        button = root.get_by_role("button", name=example["label"])
        button.click()
        snap = check_against_python(root)
        assert snap["state"]["query"] == pytest.approx(example["query"])
        assert button.get_attribute("aria-pressed") == "true"
        checks += 1
    return checks + 2


def chapter_explorer():
    return lookup_explorer(
        NAMES, KEYS, VALUES, query=[0.8, 0.5], examples=EXAMPLES, title="Soft lookup explorer"
    )


# ------------------------------------------------------------------ in the book


def test_chapter_2_has_a_lookup_explorer():
    require_book()
    chapter = [rel for rel in book_pages() if rel.endswith("02_intuition.html")]
    if not chapter:
        pytest.skip("chapter 2 is not in this build")
    assert chapter[0] in LOOKUP_PAGES, "chapter 2 has no kernel-free lookup explorer"


@pytest.mark.parametrize("rel", book_params(LOOKUP_PAGES, "lookup explorer"))
def test_lookup_explorers_in_book_match_python(rel, book_page):
    page, log = book_page(rel, LOOKUP_PAGES, "a lookup explorer")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = page_name(rel)
    for i, root in each_component(page, ".attn-lookup"):
        root.screenshot(path=str(SCREENSHOTS / f"{name}__lookup{i}_light.png"))
        assert drive(root) > 20
    assert log.external == [] and log.console_errors == [] and log.page_errors == []


@pytest.mark.parametrize("rel", book_params(LOOKUP_PAGES[:1], "lookup explorer"))
def test_lookup_explorer_in_book_fits_a_phone(rel, book_page):
    page, log = book_page(rel, LOOKUP_PAGES, "a lookup explorer", viewport=PHONE)
    root = page.locator(".attn-lookup").first
    root.scroll_into_view_if_needed()
    assert_controls_fit(root, 390)
    root.screenshot(path=str(SCREENSHOTS / f"{page_name(rel)}__lookup_390.png"))
    check_against_python(root)
    assert log.console_errors == [] and log.page_errors == []


# ------------------------------------------------------------------ on its own


def test_standalone_lookup_explorer_matches_python(new_page):
    page, log = new_page()
    standalone(page, chapter_explorer())
    root = page.locator(".attn-lookup")
    assert drive(root) > 20
    assert log.console_errors == [] and log.page_errors == [] and log.external == []


def test_many_keys_and_wide_values_match_python(new_page):
    rng = np.random.default_rng(0)
    names = [f"key {i + 1}" for i in range(8)]
    keys = np.round(rng.normal(size=(8, 2)), 2)
    values = np.round(rng.normal(size=(8, 4)), 2)
    page, log = new_page()
    standalone(page, lookup_explorer(names, keys, values, temperature=0.3, extent=3.0))
    assert drive(page.locator(".attn-lookup")) > 20
    assert log.console_errors == [] and log.page_errors == []


def test_hard_lookup_and_its_limit(new_page):
    page, log = new_page()
    standalone(page, chapter_explorer())
    root = page.locator(".attn-lookup")
    t = root.get_by_role("slider", name="temperature τ")
    t.focus()
    page.keyboard.press("Home")  # the coldest temperature
    snap = check_against_python(root)
    # The kitten query: the hard lookup takes "cat" and returns its value unchanged.
    assert snap["result"]["best"] == 0 and snap["result"]["hard_answer"] == VALUES[0]
    assert snap["hard"] == ["1", "0", "0"]
    # Cold enough, the soft lookup is the hard one.
    np.testing.assert_allclose(snap["result"]["soft"], snap["result"]["hard"], atol=0.01)
    # A tie between "cat" and "dog": the first key wins, as np.argmax.
    root.get_by_role("button", name="several keys").click()
    snap = check_against_python(root)
    assert snap["result"]["scores"][0] == snap["result"]["scores"][1]
    assert snap["result"]["best"] == 0
    assert log.console_errors == [] and log.page_errors == []


def test_one_query_aligns_with_one_key_or_several(new_page):
    page, log = new_page()
    standalone(page, chapter_explorer())
    root = page.locator(".attn-lookup")
    root.get_by_role("button", name="several keys").click()
    snap = check_against_python(root)
    soft = sorted(snap["result"]["soft"])
    assert soft[-1] > 0.45 and soft[-2] > 0.45, "the query should align with cat and dog"
    assert snap["result"]["effective"] > 1.5
    assert snap["readout"].endswith("the query aligns with several keys.")
    root.get_by_role("button", name="one key").click()
    snap = check_against_python(root)
    assert max(snap["result"]["soft"]) > 0.8 and snap["result"]["effective"] < 1.5
    assert snap["readout"].endswith("the query aligns with one key.")
    assert root.get_by_role("button", name="several keys").get_attribute("aria-pressed") == "false"
    assert log.console_errors == [] and log.page_errors == []


def assert_controls_fit(root, width: int) -> None:
    """The explorer, its controls and its readout lie inside a page ``width`` px wide
    (and nothing sticks out of the explorer: layout.assert_fits)."""
    assert_fits(root)
    page = root.page
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert root.evaluate("r => r.scrollWidth <= r.clientWidth")
    parts = [
        "input[type=range]",
        "button",
        ".al-readout",
        "table.al-table",
        "svg.al-plane",
        ".al-value",
    ]
    for selector in parts:
        items = root.locator(selector)
        assert items.count() >= 1, selector
        for i in range(items.count()):
            box = items.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (selector, box)
    plane = root.locator("svg.al-plane").bounding_box()
    assert plane["width"] >= 200, "the plane is too small to use on a phone"


def test_phone_width(new_page):
    page, log = new_page(viewport={"width": 390, "height": 900})
    standalone(page, chapter_explorer())
    root = page.locator(".attn-lookup")
    assert_controls_fit(root, 390)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / "standalone__lookup_390.png"))
    assert drive(root) > 20
    assert_controls_fit(root, 390)
    assert log.console_errors == [] and log.page_errors == []


def test_keyboard_only_with_visible_focus_and_labels(new_page):
    page, log = new_page()
    standalone(page, chapter_explorer())
    root = page.locator(".attn-lookup")
    # Every control is labelled.
    for name in ["query x", "query y", "temperature τ"]:
        assert root.get_by_role("slider", name=name).count() == 1
    for name in EXAMPLES:
        assert root.get_by_role("button", name=name).count() == 1
    plane = root.get_by_role("img")
    assert all(n in plane.get_attribute("aria-label") for n in NAMES)
    assert root.locator(".al-readout").get_attribute("aria-live") == "polite"
    assert root.get_attribute("role") == "group" and root.get_attribute("aria-label")
    # Tab through the controls: each shows a focus ring.
    seen = []
    for _ in range(5):
        page.keyboard.press("Tab")
        focus = focused(page)
        assert focus["root"] == "attn-lookup", focus
        assert focus["outline"][:2] == ["solid", 2], focus
        seen.append(focus["label"] if focus["label"] is not None else focus["text"])
    assert seen == ["query x", "query y", "temperature τ", *EXAMPLES]
    # Operate everything from the keyboard.
    page.keyboard.press("Enter")  # the focused button: "several keys"
    assert snapshot(root)["state"]["query"] == EXAMPLES["several keys"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # "one key"
    assert snapshot(root)["state"]["query"] == EXAMPLES["one key"]
    root.get_by_role("slider", name="query y").focus()
    page.keyboard.press("ArrowUp")
    snap = check_against_python(root)
    assert snap["state"]["query"] == pytest.approx([2.0, 0.05])
    assert log.console_errors == [] and log.page_errors == []


def test_hostile_names_render_as_text(new_page):
    page, log = new_page()
    explorer = lookup_explorer(
        HOSTILE, KEYS, VALUES, query=[0.5, 0.5], title="<img src=x onerror=alert(2)>"
    )
    standalone(page, explorer)
    root = page.locator(".attn-lookup")
    snap = check_against_python(root)
    assert snap["data"]["names"] == HOSTILE
    assert root.locator(".al-table tbody th").all_text_contents() == HOSTILE
    assert root.locator("svg .al-keylabel").all_text_contents() == HOSTILE
    assert root.locator(".al-title").text_content() == "<img src=x onerror=alert(2)>"
    assert elements_from_text(page, "b") == [0, 0]
    drive(root)
    assert log.dialogs == [] and log.page_errors == [] and log.console_errors == []


def test_static_table_without_javascript(new_page):
    page, log = new_page(java_script=False)
    standalone(page, lookup_explorer(HOSTILE, KEYS, VALUES, query=[0.5, 0.5]))
    table = page.locator(".al-static-table")
    assert table.count() == 1
    assert table.locator("tr th:first-child").all_text_contents()[1:] == HOSTILE
    assert page.evaluate("() => document.images.length") == 0
    assert "needs JavaScript" in page.locator(".al-static-note").text_content()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_themes(theme, new_page):
    page, log = new_page(color_scheme=theme)
    standalone(page, chapter_explorer(), theme=theme)
    root = page.locator(".attn-lookup")
    background, text = root.evaluate(
        "r => [getComputedStyle(r).backgroundColor, getComputedStyle(r).color]"
    )
    assert_theme_colours(background, text, theme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / f"standalone__lookup_{theme}.png"))
    check_against_python(root)
    assert log.console_errors == [] and log.page_errors == []


def test_two_explorers_on_one_page_work_independently(new_page):
    page, log = new_page()
    first = chapter_explorer()
    second = lookup_explorer(["a", "b"], [[1.0, 0.0], [0.0, 1.0]], [[1.0], [2.0]])
    standalone(page, first, second)
    roots = page.locator(".attn-lookup")
    assert roots.count() == 2
    roots.nth(1).get_by_role("slider", name="query x").focus()
    page.keyboard.press("ArrowRight")
    assert snapshot(roots.nth(0))["state"]["query"] == [0.8, 0.5]
    assert check_against_python(roots.nth(1))["state"]["query"] == [0.05, 0.0]
    assert json.loads(roots.nth(0).get_attribute("data-state"))["temperature"] == 1.0
    assert log.page_errors == [] and log.console_errors == []
