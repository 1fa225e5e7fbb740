"""The induction view in Chromium: the numbers of attn_book.induction, and what a reader sees."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from attn_book import induction as ind
from attn_book.views import _data_url, _for_page, module
from attn_book.views.induction import induction_outputs, induction_view

from .conftest import PHONE, audit, show

# Typed and hostile text; the bad ones must leave the last good tokens.
TYPED = [
    "1 2 3 4 5 1 2 3 4",
    " 3\t7\n12 0 ,, 15,",
    "007 7 0",
    "0",
    " ".join(str(i % 16) for i in range(24)),
    "1 2 99",
    "",
    "٣ １",
    "9" * 400,
    "1 " * 25,
    "</script><b>x</b>",
    "-1 1.5",
]


@pytest.fixture(scope="module")
def model():
    """A model trained for 120 steps (its heads already differ), its evaluation batch, its table."""
    params = ind.train(ind.init_params(0), steps=120, seed=0).params
    batch = ind.make_batch(ind.EVAL_SEED, 100)
    return params, batch, ind.ablation_table(params, batch, max_removed=4)


def compute_all(page, states: list[dict], data: dict) -> list[dict]:
    """The page's compute on each state, in one call (the weights cross once)."""
    return page.evaluate(
        """async ([src, states, data]) => {
          const view = await import(src);
          return states.map((state) => {
            const out = view.compute(state, data);
            const flat = (a) => Array.from(a.data);
            return { ...out, weights: flat(out.weights), probabilities: flat(out.probabilities) };
          });
        }""",
        [_data_url(module("induction")), _for_page(states), _for_page(data)],
    )


def test_the_browser_computes_what_python_computes(new_page, model):
    params, batch, table = model
    page, log = new_page()
    view = induction_view(params, batch, [0], table).view
    show(page, view)
    subsets = [list(map(list, s)) for k in range(5) for s in combinations(ind.all_heads(), k)]
    texts = TYPED + [" ".join(map(str, row)) for row in batch.tokens[:64]]
    good = [7, 7, 1]
    states = []
    for k, text in enumerate(texts):
        states.append(
            {**view.page_state(), "text": text, "tokens": good, "removed": subsets[k % 16]}
        )
    for state, js in zip(states, compute_all(page, states, view.page_data()), strict=True):
        try:
            tokens, error = ind.parse_tokens(state["text"]), False
        except ValueError:
            tokens, error = good, True
        assert bool(js["error"]) == error and js["tokens"] == tokens, state["text"]
        py = induction_outputs(params, tokens, state["removed"])
        n = len(tokens)
        np.testing.assert_allclose(np.reshape(js["weights"], (4, n, n)), py["weights"], atol=1e-6)
        probabilities = np.reshape(js["probabilities"], (n, 16))
        np.testing.assert_allclose(probabilities, py["probabilities"], atol=1e-6)
        assert js["predictions"] == py["predictions"]
    assert log.clean(), log


def pixels(page) -> str:
    return page.evaluate(
        "() => [...document.querySelectorAll('canvas')].map((c) => c.toDataURL()).join()"
    )


def test_bad_tokens_keep_the_last_view_and_removing_heads_still_works(new_page, model):
    page, log = new_page()
    show(page, induction_view(*model[:2], [0, 1], model[2]))
    box = page.get_by_label("Tokens", exact=False)
    status = page.locator(".attn-status")
    good = pixels(page)
    for text in ["", "1 2 99", "9" * 400, "</script><b>x</b>", "1 " * 5000]:
        box.fill(text)
        box.press("Enter")
        assert status.inner_text().strip() and pixels(page) == good, text[:20]
    page.get_by_label("remove layer 1 head 1").check()  # still recomputes
    assert pixels(page) != good and status.inner_text().strip()
    assert "without layer 1 head 1" in page.locator(".attn-view > p:not(.attn-status)").inner_text()
    assert page.locator("main b").count() == 0  # typed text is never parsed as HTML
    assert log.clean(), log


def test_every_control_works_by_keyboard(new_page, model):
    page, log = new_page()
    show(page, induction_view(*model[:2], [0, 1], model[2]))
    root = page.locator(".attn-view")
    draws = int(root.get_attribute("data-draws"))
    box = page.get_by_label("Tokens", exact=False)
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("5 6 7 8 5 6 7")
    page.keyboard.press("Enter")
    assert int(root.get_attribute("data-draws")) > draws
    assert page.get_by_label("Sequence", exact=True).input_value() == ""  # typed: no example
    assert page.get_by_label("Position", exact=True).locator("option").count() == 7
    page.keyboard.press("Tab")  # to the first check box
    page.keyboard.press("Space")
    assert page.get_by_label("remove layer 1 head 1").is_checked()
    page.get_by_label("Position", exact=True).focus()
    page.keyboard.press("End")
    assert "next token is" not in root.locator("ul").inner_text()  # the last position
    page.get_by_label("Sequence", exact=True).focus()
    page.keyboard.press("ArrowUp")  # from "your own" to the second example
    assert box.input_value() == " ".join(map(str, model[1].tokens[1]))
    assert log.clean(), log


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_accessible_and_contained_at_phone_width(new_page, model, theme):
    page, log = new_page(viewport=PHONE, color_scheme=theme)
    show(page, induction_view(*model[:2], [0, 1], model[2]), theme=theme)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert audit(page, ".attn-view") == []
    assert log.clean(), log
