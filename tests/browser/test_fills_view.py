"""The fill-value view in Chromium: Python's numbers (float16 too), and what a reader sees."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from attn_book.views import _data_url, _for_page, module
from attn_book.views.fills import CHOICES, FILLS, SCORE_RANGE, fill_outputs, fills_view

from .conftest import PHONE, audit, show

CONTROLS = ["fill", "how", "precision", "masked_score", "every_key_masked", "softmax"]
EVERY_STATE = list(
    itertools.product(
        FILLS,
        ("replace", "add"),
        ("float64", "float16"),
        range(SCORE_RANGE[0], SCORE_RANGE[1] + 1, SCORE_RANGE[2]),
        (False, True),
        CHOICES["softmax"],
    )
)


def _in_page(page, function_source: str, arg):
    """Call the JS function ``function_source(fills_module, arg)`` in the page."""
    return page.evaluate(
        f"async ([src, arg]) => ({function_source})(await import(src), arg)",
        [_data_url(module("fills")), arg],
    )


def test_the_browser_computes_what_python_computes_for_every_state(new_page):
    page, log = new_page()
    live = fills_view()
    show(page, live)
    base = live.view.page_state()
    states = [{**base, **dict(zip(CONTROLS, s, strict=True))} for s in EVERY_STATE]
    got = _in_page(
        page,
        """(view, [states, data]) => states.map((s) => {
             const out = view.compute(s, data);
             const list = (a) => Array.from(a.data);
             return { ...out, filled: list(out.filled), weights: list(out.weights) };
           })""",
        [states, _for_page(live.view.page_data())],
    )
    float16_rows = 0
    for state, js in zip(EVERY_STATE, got, strict=True):
        py = fill_outputs(*state)
        for key in ("allowed", "verdict", "score_ignored"):
            assert js[key] == py[key], (state, key)
        np.testing.assert_array_equal(js["filled"], py["filled"].astype(float), err_msg=str(state))
        # float16 weights must be the same halves: 1e-6 is far below a half's spacing near 1.
        np.testing.assert_allclose(js["weights"], py["weights"].astype(float), atol=1e-6, rtol=0)
        float16_rows += state[2] == "float16" and not np.isnan(py["weights"]).any()
    assert float16_rows > 500
    assert log.clean(), log


def test_rounding_to_float16_is_numpys(new_page):
    page, log = new_page()
    show(page, fills_view())
    rng = np.random.default_rng(0)
    # Ties (halfway between two halves) at several exponents and among the subnormals.
    ties = [(np.arange(1024, 2048) + 0.5) * 2.0 ** (e - 10) for e in (-14, -5, 0, 3, 14, 15)]
    values = np.concatenate(
        [
            rng.normal(scale=10.0 ** rng.integers(-9, 6, 3000)),
            *ties,
            (np.arange(0, 1024) + 0.5) * 2.0**-24,
            [65504, 65519.99, 65520, 70000, 1e9, 2.0**-25, 3 * 2.0**-26, 1e-9, 6.1e-5],
        ]
    )
    values = np.concatenate([values, -values])
    got = _in_page(page, "(view, xs) => xs.map(view.half)", values.tolist())
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(got, values.astype(np.float16).astype(float))
    assert log.clean(), log


def _shown(page) -> list[list[str]]:
    return page.locator(".attn-fills tbody tr").evaluate_all(
        "(rows) => rows.map((r) => [...r.children].map((c) => c.textContent))"
    )


def test_every_control_works_by_keyboard_and_a_useless_slider_says_why(new_page):
    page, log = new_page()
    show(page, fills_view())
    slider = page.get_by_label("masked score")
    why = page.locator(".attn-view > p.attn-note")
    assert slider.is_enabled() and not why.is_visible()  # -1e4 added: the score matters
    start = _shown(page)
    slider.focus()
    page.keyboard.press("End")
    assert slider.input_value() == str(SCORE_RANGE[1])
    page.keyboard.press("ArrowLeft")
    assert slider.input_value() == str(SCORE_RANGE[1] - SCORE_RANGE[2])
    assert _shown(page) != start
    page.keyboard.press("Tab")  # past the slider: the checkbox
    page.keyboard.press("Space")
    assert page.get_by_label("mask every key").is_checked()
    for label, option in [("fill is", "replace"), ("fill", "-inf"), ("precision", "float16")]:
        page.get_by_label(label, exact=True).focus()
        page.keyboard.press("Home" if option in ("replace", "-inf") else "End")
        assert page.get_by_label(label, exact=True).locator("option:checked").inner_text() == option
        assert slider.is_disabled() and why.inner_text().strip()  # replace: no effect, said
    page.get_by_label("softmax", exact=True).focus()
    page.keyboard.press("End")
    # -inf everywhere in float16, textbook softmax: NaN in every weight, said in the status.
    assert {row[3] for row in _shown(page)} == {"NaN"}
    assert "NaN" in page.locator(".attn-status").inner_text()
    page.get_by_label("fill is", exact=True).select_option("add")
    assert slider.is_disabled()  # -inf added: still no effect
    page.get_by_label("fill", exact=True).select_option("-1e4")
    assert slider.is_enabled() and not why.is_visible()
    assert log.clean(), log


def test_what_the_page_shows_through_its_own_controls_is_pythons_row(new_page):
    # No text box here: the controls are the only input, so try them all, at both ends.
    page, log = new_page()
    show(page, fills_view())
    labels = {"fill": "fill", "how": "fill is", "precision": "precision", "softmax": "softmax"}
    for key, score in [("Home", 0), ("End", SCORE_RANGE[1])]:
        page.get_by_label("fill is", exact=True).select_option("add")  # the slider enabled
        page.get_by_label("fill", exact=True).select_option("-1e4")
        page.get_by_label("masked score").press(key)
        for every in (False, True):
            page.get_by_label("mask every key").set_checked(every)
            for choice in itertools.product(*CHOICES.values()):
                for name, value in zip(CHOICES, choice, strict=True):
                    page.get_by_label(labels[name], exact=True).select_option(value)
                fill, how, precision, softmax = choice
                py = fill_outputs(fill, how, precision, score, every, softmax)
                for row, value, weight in zip(
                    _shown(page), py["filled"], py["weights"], strict=True
                ):
                    assert float(row[2]) == pytest.approx(float(value), rel=1e-4), choice
                    np.testing.assert_allclose(float(row[3]), float(weight), rtol=1e-4, atol=1e-12)
                assert page.locator(".attn-status").inner_text().strip()
    assert log.clean(), log


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_accessible_and_contained_at_phone_width(new_page, theme):
    page, log = new_page(viewport=PHONE, color_scheme=theme)
    show(page, fills_view(), theme=theme)
    page.get_by_label("fill is", exact=True).select_option("replace")  # the disabled slider too
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert audit(page, ".attn-view") == []
    assert log.clean(), log
