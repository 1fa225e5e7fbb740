"""The soft-lookup view in Chromium: the same numbers as Python, and what a reader sees."""

from __future__ import annotations

import re

import numpy as np
import pytest

from attn_book.plots import contrast_ratio
from attn_book.views.lookup import TEMPERATURES, lookup_outputs, lookup_view

from .conftest import PHONE, audit, compute_in_page, show

NAMES = ["cat", "dog", "cow"]
KEYS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
VALUES = np.array([[10.0, 0.0], [0.0, 10.0], [-10.0, 5.0]])
PRESETS = {"one key": ([2.0, 0.0], 0.5), "several keys": ([1.0, 1.0], 1.0)}
OUTPUTS = ["query", "scores", "soft_weights", "hard_weights", "soft_answer", "hard_answer"]


def chapter_view(**options):
    return lookup_view(NAMES, KEYS, VALUES, query=[0.8, 0.5], presets=PRESETS, **options)


def assert_same(js: dict, py: dict) -> None:
    for key in OUTPUTS:
        np.testing.assert_allclose(js[key], py[key], atol=1e-6, rtol=0, err_msg=key)
    assert js["effective"] == pytest.approx(py["effective"], abs=1e-6)
    assert (js["best"], js["ties"], js["error"]) == (py["best"], py["ties"], "")


def test_the_browser_computes_what_python_computes(new_page):
    page, log = new_page()
    view = chapter_view().view
    show(page, chapter_view())
    rng = np.random.default_rng(0)
    configs = [(KEYS, VALUES, view.page_state())]
    for n, d_v in [(2, 1), (5, 3), (8, 4)]:  # other keys and values, same state otherwise
        keys, values = rng.normal(size=(n, 2)) * 2, rng.normal(size=(n, d_v)) * 10
        state = {**view.page_state(), "key_points": keys.tolist(), "values": values.tolist()}
        configs.append((keys, values, state))
    for keys, values, state in configs:
        grid = np.round(np.arange(-50, 51) * 0.05, 10)
        queries = [rng.choice(grid, 2) for _ in range(40)] + [(0, 0), (2.5, 2.5), (-2.5, 2.5)]
        queries += [(1, 1), (250.0, -300.0)]  # a tie (the chapter's keys), far away
        for x, y in queries:
            tau = float(rng.choice(TEMPERATURES))
            state.update(query_x=float(x), query_y=float(y), temperature=tau)
            js = compute_in_page(page, "lookup", state, {})
            assert_same(js, lookup_outputs([x, y], keys, values, tau))
    # The presets name themselves; a state between them names none.
    for label, (query, tau) in PRESETS.items():
        state = {**view.page_state(), "query_x": query[0], "query_y": query[1], "temperature": tau}
        assert compute_in_page(page, "lookup", state, {})["preset"] == label
    state = {**view.page_state(), "temperature": 0.0}  # input no control gives: a message
    assert compute_in_page(page, "lookup", state, {})["error"]
    assert log.clean(), log


def shown(page) -> dict:
    """What the page shows: the sliders, the bars' numbers, the readout and the tie line."""
    return page.evaluate(
        """() => {
          const v = document.querySelector('.attn-view');
          const ranges = [...v.querySelectorAll('input[type=range]')];
          const bars = [...v.querySelectorAll('.attn-bars')].map((ol) =>
            [...ol.querySelectorAll('li > span:last-child')].map((s) => Number(s.textContent)));
          const tie = v.querySelector('.attn-tie');
          return {
            query: ranges.slice(0, 2).map((r) => Number(r.value)),
            temperature: Number(ranges[2].getAttribute('aria-valuetext')),
            soft: bars[0], hard: bars[1], text: v.innerText,
            readout: v.querySelector('[aria-live=polite]:not([role])').textContent,
            tie: tie.hidden ? '' : tie.textContent,
          };
        }"""
    )


def assert_shows_python(page) -> dict:
    s = shown(page)
    py = lookup_outputs(s["query"], KEYS, VALUES, s["temperature"])
    np.testing.assert_allclose(s["soft"], py["soft_weights"], atol=5e-4)
    assert s["hard"] == py["hard_weights"]
    assert "NaN" not in s["text"] and "Infinity" not in s["text"]
    return s


def test_extremes_and_ties_through_the_controls(new_page):
    page, log = new_page()
    show(page, chapter_view())
    temperature = page.get_by_label("temperature τ")
    temperature.focus()
    page.keyboard.press("Home")  # the coldest: the soft lookup is the hard one
    s = assert_shows_python(page)
    assert s["temperature"] == min(TEMPERATURES) and s["soft"] == [1.0, 0.0, 0.0]
    page.keyboard.press("End")  # the hottest: nearly a plain average
    s = assert_shows_python(page)
    assert s["temperature"] == max(TEMPERATURES) and max(s["soft"]) - min(s["soft"]) < 0.02
    box = page.locator("svg.attn-plane").bounding_box()
    for fx, fy, query in [(0.995, 0.005, [2.5, 2.5]), (0.005, 0.995, [-2.5, -2.5])]:
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        assert assert_shows_python(page)["query"] == query  # the far corners
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert assert_shows_python(page)["soft"] == [0.333] * 3  # the origin: every score 0
    page.mouse.down()
    page.mouse.move(box["x"] + 3 * box["width"], box["y"] - 2 * box["height"], steps=4)
    page.mouse.up()
    assert shown(page)["query"] == [2.5, 2.5]  # dragged far out: the plane's corner
    page.get_by_role("button", name="several keys").click()
    s = assert_shows_python(page)
    assert s["soft"][0] == s["soft"][1] and "cat" in s["tie"] and "dog" in s["tie"]
    assert "cow" not in s["tie"] and "several keys" in s["readout"]
    page.get_by_role("button", name="one key").click()  # sets its own temperature too
    s = assert_shows_python(page)
    assert s["temperature"] == 0.5 and "one key" in s["readout"] and s["tie"] == ""
    assert log.clean(), log


FOCUSED = """() => {
  const e = document.activeElement;
  return e.tagName === "BUTTON" ? e.textContent : e.tagName;
}"""


def test_drag_click_and_keyboard_move_the_query(new_page):
    page, log = new_page()
    show(page, chapter_view())
    plane = page.locator("svg.attn-plane")
    box = plane.bounding_box()

    def at(x, y):  # a point of the plane, on the screen
        return box["x"] + (x + 2.5) / 5 * box["width"], box["y"] + (2.5 - y) / 5 * box["height"]

    page.mouse.move(*at(0.8, 0.5))
    page.mouse.down()
    page.mouse.move(*at(-1.0, 0.3), steps=5)
    page.mouse.up()
    assert shown(page)["query"] == pytest.approx([-1.0, 0.3], abs=0.051)
    # Every control is reachable with Tab, in order, and keys typed there stay out of JupyterLab.
    names = []
    page.evaluate("() => document.activeElement.blur()")
    for _ in range(6):
        page.keyboard.press("Tab")
        names.append(page.evaluate(FOCUSED))
        assert page.evaluate(
            "() => document.activeElement.closest('[data-lm-suppress-shortcuts]') !== null"
        )
    assert names == ["INPUT", "INPUT", "INPUT", "one key", "several keys", "svg"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # "several keys"
    assert shown(page)["query"] == [1, 1]
    plane.focus()
    for key, expected in [
        ("ArrowUp", [1, 1.1]),
        ("ArrowLeft", [0.9, 1.1]),
        ("Shift+ArrowDown", [0.9, 0.6]),
    ]:
        page.keyboard.press(key)
        assert shown(page)["query"] == pytest.approx(expected)
    assert_shows_python(page)
    assert log.clean(), log


def test_hostile_names_are_text(new_page):
    page, log = new_page(viewport=PHONE)
    names = ["</script><b>x</b>", "y" * 10_000, "<img src=x onerror=alert(1)>"]
    show(page, lookup_view(names, KEYS, VALUES, presets={"<i>go</i>": ([1, 1], 1.0)}))
    assert page.locator("main b, main i, main img").count() == 0
    assert "</script><b" in page.locator("svg.attn-plane").text_content()  # as text, cut
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert log.clean(), log


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_accessible_and_contained_at_phone_width(new_page, theme):
    page, log = new_page(viewport=PHONE, color_scheme=theme)
    show(page, chapter_view(), theme=theme)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert audit(page, ".attn-view") == []
    page.get_by_role("button", name="several keys").click()
    assert audit(page, ".attn-view") == []
    # Every key stands out from the plane (WCAG 1.4.11: 3:1 for graphics), whatever its fill.
    rgb = page.evaluate(
        """() => [...document.querySelectorAll('.attn-plane, .attn-plane circle')].map((e) =>
          getComputedStyle(e)[e.tagName === 'svg' ? 'backgroundColor' : 'stroke'])"""
    )
    plane, *rings = [[int(c) for c in re.findall(r"\d+", colour)[:3]] for colour in rgb]
    assert len(rings) == len(NAMES) + 2  # the keys, the ring of the best, the query
    assert all(contrast_ratio(ring, plane) >= 3 for ring in rings[: len(NAMES)])
    assert log.clean(), log
