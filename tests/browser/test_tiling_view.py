"""The tiling stepper in Chromium: Python's numbers at every step, and what a reader sees."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.views import _data_url, _for_page, module, page_html
from attn_book.views.tiling import (
    ARRAYS,
    MAX_BLOCK,
    MAX_N,
    example_qkv,
    tiling_outputs,
    tiling_view,
)

from .conftest import PHONE, audit, compute_in_page, show

LISTS = ("query_block", "done", "rows", "key_blocks", "skipped", "good")


def assert_same(js: dict, py: dict) -> None:
    for key in LISTS:
        assert js[key] == py[key], key
    for key in ARRAYS:
        data = [-np.inf if x is None else x for x in js[key]["data"]]  # JSON has no -Infinity
        got = np.reshape(data, js[key]["shape"])
        np.testing.assert_allclose(got, py[key], atol=1e-6, rtol=0, err_msg=key)
    assert js["difference"] == pytest.approx(py["difference"], abs=1e-6)


def test_the_browser_computes_what_python_computes_at_every_step(new_page):
    page, log = new_page()
    live = tiling_view()
    show(page, live)
    base, data = live.view.page_state(), live.view.page_data()
    rng = np.random.default_rng(0)
    ends = [(2, 1, False), (MAX_N, MAX_BLOCK, True), (MAX_N, 1, True), (17, 16, False)]
    states = [dict(n=n, block=b, query_block=99, done=99, causal=c) for n, b, c in ends]
    for _ in range(60):
        n, block = int(rng.integers(2, MAX_N + 1)), int(rng.integers(1, MAX_BLOCK + 1))
        blocks = -(-n // block)
        states.append(
            dict(n=n, block=block, query_block=int(rng.integers(0, blocks)),
                 done=int(rng.integers(0, blocks + 1)), causal=bool(rng.integers(2)))
        )  # fmt: skip
    for state in states:
        js = compute_in_page(page, "tiling", {**base, **state}, data)
        py = tiling_outputs(example_qkv(), state)
        assert_same(js, py)
        assert js["error"] == ""
        if py["done"] == len(py["key_blocks"]):  # every key block done: the softmax's output
            assert py["difference"] < 1e-12
    assert log.clean(), log


@pytest.mark.parametrize(
    "bad",
    [{"n": 0}, {"n": 10**6}, {"n": "16"}, {"n": None}, {"n": 2.5}, {"block": 0}, {"block": -3},
     {"block": MAX_BLOCK + 1}, {"query_block": -7, "done": 10**9}, {"query_block": "x"}],
    ids=repr,
)  # fmt: skip
def test_bad_input_keeps_the_last_good_numbers(new_page, bad):
    page, log = new_page()
    live = tiling_view(n=10, block=3, query_block=1, done=2)
    show(page, live)
    state = {**live.view.page_state(), **bad}
    js = compute_in_page(page, "tiling", state, live.view.page_data())
    good = {key: state[key] if key in ("causal",) else getattr(live.view, key) for key in
            ("n", "block", "causal")}  # fmt: skip
    clamps_only = set(bad) <= {"query_block", "done"}
    assert bool(js["error"]) != clamps_only
    expected = {**good, "query_block": state["query_block"], "done": state["done"]}
    if not isinstance(expected["query_block"], int):
        expected["query_block"] = 0
    assert_same(js, tiling_outputs(example_qkv(), expected))
    assert log.clean(), log


def test_a_page_started_on_bad_input_says_so_and_its_controls_still_work(new_page):
    page, log = new_page()
    view = tiling_view(n=10, block=3, query_block=1).view
    show(page, page_html("tiling", {**view.page_state(), "n": 10**6}, view.page_data()))
    assert "whole number" in shown(page)["status"] and len(shown(page)["cells"]) == 3
    page.get_by_role("button", name="Next block").click()
    assert "1 of 4 key blocks done" in shown(page)["status"]
    assert page.get_by_label("n (tokens)").input_value() == "10"
    assert log.clean(), log


def shown(page) -> dict:
    """The table's cells, the status line and the grid's label."""
    return page.evaluate(
        """() => {
          const v = document.querySelector('.attn-view');
          return {
            cells: [...v.querySelectorAll('tbody tr')].map((r) =>
              [...r.children].map((c) => c.textContent)),
            status: v.querySelector('.attn-status').textContent,
            grid: v.querySelector('svg').getAttribute('aria-label'),
            draws: Number(v.dataset.draws),
          };
        }"""
    )


def number(text: str) -> float:
    return float(text.replace("−", "-").replace("∞", "inf"))


def test_stepping_by_keyboard_shows_pythons_numbers_until_the_softmax(new_page):
    page, log = new_page()
    show(page, tiling_view(n=16, block=4, query_block=2))
    done = page.get_by_role("slider", name="key blocks done")
    for step in range(5):
        state = dict(n=16, block=4, query_block=2, done=step, causal=False)
        py = tiling_outputs(example_qkv(), state)
        seen = shown(page)
        assert [int(row[0]) for row in seen["cells"]] == [i + 1 for i in py["rows"]]
        for row, m, total in zip(seen["cells"], py["m"], py["total"], strict=True):
            assert number(row[2]) == pytest.approx(m, abs=1e-3) and number(row[4]) == pytest.approx(
                total, abs=1e-3
            )
        assert f"{step} of 4" in seen["grid"]
        if step:  # the status names the keys just read, and the queries whose maximum grew
            assert f"keys {4 * step - 3} to {4 * step}" in seen["status"]
            grew = [i + 1 for i, r in zip(py["rows"], py["rescale"], strict=True) if r < 1]
            if step > 1 and grew:
                assert f"grew for quer{'ies' if len(grew) > 1 else 'y'}" in seen["status"]
                assert all(str(i) in seen["status"].split("grew for")[1] for i in grew)
        if step < 4:
            page.get_by_role("button", name="Next block").focus()
            page.keyboard.press("Enter")
    assert "equals the full softmax" in shown(page)["status"]
    assert page.get_by_role("button", name="Next block").is_disabled()
    done.focus()
    page.keyboard.press("Home")
    assert "no key block yet" in shown(page)["status"]
    page.get_by_label("causal").focus()
    page.keyboard.press("Space")  # the causal mask: query block 3 skips key block 4
    assert "1 skipped" in shown(page)["grid"] and "skips 1 of 4" in shown(page)["status"]
    page.get_by_role("slider", name="query block").focus()
    page.keyboard.press("End")
    assert "query block 4" in shown(page)["grid"]
    for label in ("n (tokens)", "block size"):
        page.get_by_label(label).focus()
        page.keyboard.press("ArrowRight")
    assert page.get_by_label("n (tokens)").input_value() == "17"
    assert page.get_by_label("block size").input_value() == "5"
    assert log.clean(), log


def test_a_failing_step_shows_as_text_in_the_kernel_feed_over_the_last_good_view(new_page):
    page, log = new_page()
    live = tiling_view(n=12, block=4, done=2)
    good = dict(live.view.output)

    def hostile(*args):
        raise ValueError("</script><b>x</b>" + "y" * 10_000)

    live.view.use(hostile)
    assert live.view.output == good and "</script><b>x</b>" in live.view.error
    show(page, "<main></main>")
    state = {**live.view.page_state(), "kernel_controls": True}
    page.evaluate(
        """async ([src, state]) => {
          const el = document.createElement('div');
          document.querySelector('main').append(el);
          const model = { get: (k) => state[k], set() {}, save_changes() {}, on() {}, off() {} };
          (await import(src)).default.render({ model, el });
        }""",
        [_data_url(module("tiling")), _for_page(state)],
    )
    assert page.locator(".attn-view b").count() == 0
    assert "</script><b>x</b>" in page.locator(".attn-status").inner_text()
    assert len(shown(page)["cells"]) == 4  # the last good table stays
    assert log.clean(), log


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_accessible_and_contained_at_phone_width(new_page, theme):
    page, log = new_page(viewport=PHONE, color_scheme=theme)
    show(page, tiling_view(n=MAX_N, block=3, query_block=9, done=5, causal=True), theme=theme)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert audit(page, ".attn-view") == []
    assert log.clean(), log
