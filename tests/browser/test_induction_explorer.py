"""Chapter 6's kernel-free explorer: the trained model's forward pass, run by the page.

What the page computes (every head's attention and the next-token
probabilities, ``data-result``) is compared with Python to 1e-6: with
:meth:`InductionExplorer.predict` (the exported weights) and with the model
itself (:func:`attn_book.induction.forward` on the trained parameters), and
the weights the page carries with the trained ones. Bad input, hostile HTML
included, must show Python's own message as text and keep the last view. The
page must fit a phone (390 px: only the prediction strip may scroll, inside
its own box), work from the keyboard with a visible focus, in the dark theme,
and without JavaScript (a static table).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from attn_book import induction as ind
from attn_book.colors import ramp, ramp_index
from attn_book.explorer.induction import induction_explorer
from attn_core import causal_mask
from tests.browser.accessibility import focused
from tests.browser.conftest import (
    SCREENSHOTS,
    book_params,
    elements_from_text,
    page_name,
    pages_with,
    standalone,
    type_and_submit,
)
from tests.browser.layout import assert_fits

TOLERANCE = 1e-6
# A weight within 1e-6 of the expected one may round to the next of the 256
# colour steps, a difference of a few units in one channel.
PIXEL_TOLERANCE = 4
HOSTILE = "<img src=x onerror=alert(1)>"
INDUCTION_PAGES = pages_with("attn-induction")

SNAPSHOT_JS = """root => ({
  data: root.querySelector('script.ai-data').textContent,
  state: root.getAttribute('data-state'),
  result: root.getAttribute('data-result'),
  error: root.getAttribute('data-ai-error'),
  inputError: root.getAttribute('data-error'),
  message: root.querySelector('.ai-message').textContent,
  invalid: root.querySelector('input.ai-tokens').getAttribute('aria-invalid'),
  input: root.querySelector('input.ai-tokens').value,
  positions: Array.from(root.querySelectorAll('button.ai-pos')).map(b => b.textContent),
  pressed: Array.from(root.querySelectorAll('button.ai-pos')).map(
    b => b.getAttribute('aria-pressed')),
  preds: Array.from(root.querySelectorAll('td.ai-pred')).map(td => td.textContent),
  probs: Array.from(root.querySelectorAll('td.ai-prob')).map(td => td.textContent),
  readout: Array.from(root.querySelectorAll('.ai-readout p')).map(p => p.textContent),
  checked: Array.from(root.querySelectorAll('.ai-remove input')).map(b => b.checked),
  canvases: root.querySelectorAll('canvas.ai-canvas').length,
  // The centre pixel [r, g, b] of every cell of every head's canvas, row by row.
  pixels: Array.from(root.querySelectorAll('canvas.ai-canvas')).map(canvas => {
    const size = Number(canvas.dataset.cell), n = Math.round(canvas.width / size);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const out = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const o = 4 * (Math.floor((i + 0.5) * size) * canvas.width
                       + Math.floor((j + 0.5) * size));
        out.push([data[o], data[o + 1], data[o + 2]]);
      }
    }
    return out;
  }),
  marks: Array.from(root.querySelectorAll('.ai-rowmark')).map(m => {
    const box = m.getBoundingClientRect();
    const canvas = m.parentNode.querySelector('canvas').getBoundingClientRect();
    return [(box.top - canvas.top) / canvas.height, box.height / canvas.height];
  }),
  staticLeft: root.querySelectorAll('.ai-static').length,
})"""


@pytest.fixture(scope="module")
def model() -> ind.TrainingRun:
    # Enough steps for the heads to form; the chapter trains 400.
    return ind.train(ind.init_params(0), steps=150)


@pytest.fixture(scope="module")
def explorer(model):
    evaluation = ind.make_batch(ind.EVAL_SEED, 40)
    return induction_explorer(model.params, evaluation, [3, 0, 7])


def snapshot(root) -> dict:
    return root.evaluate(SNAPSHOT_JS)


def check_state(snap: dict, params: ind.Params | None = None) -> dict:
    """Assert that the page shows what Python computes for its state; return the state."""
    assert not snap["error"], f"explorer failed to start: {snap['error']}"
    assert snap["staticLeft"] == 0 and snap["canvases"] == 4
    data = json.loads(snap["data"])
    state = json.loads(snap["state"])
    result = json.loads(snap["result"])
    tokens = state["tokens"]
    n = len(tokens)
    exported = _params_from_data(data)
    gate = ind.head_mask_without([divmod(i, data["num_heads"]) for i in state["removed"]])
    out = ind.forward(exported, [tokens], head_mask=gate)
    for layer in range(2):
        np.testing.assert_allclose(
            np.asarray(result["weights"][layer]), out.weights[layer][0], atol=TOLERANCE, rtol=0
        )
    # What the reader sees in each heatmap: the ramp colour of each weight (attn_book.colors),
    # grey above the diagonal; and the box around the selected row.
    future = ~causal_mask(n)
    for index, pixels in enumerate(snap["pixels"]):
        layer, head = divmod(index, 2)
        rgb = np.asarray(pixels, dtype=float).reshape(n, n, 3)
        expected = ramp()[ramp_index(out.weights[layer][0, head])].astype(float)
        error = np.abs(rgb - expected).max(axis=2)
        bad = np.argwhere(~future & (error > PIXEL_TOLERANCE))
        assert bad.size == 0, f"{index}: cells {bad[:5].tolist()} show wrong colours"
        grey = rgb[future]
        assert np.all(grey == grey[:1]) and not np.any(np.all(grey == expected[future], axis=-1))
    for top, height in snap["marks"]:
        assert top == pytest.approx(state["query"] / n, abs=0.02)
        assert height == pytest.approx(1 / n, abs=0.02)
    probs = ind.next_token_probabilities(out.logits[0])
    np.testing.assert_allclose(np.asarray(result["probs"]), probs, atol=TOLERANCE, rtol=0)
    if params is not None:  # the model itself, not only the exported weights
        reference = ind.forward(params, [tokens], head_mask=gate)
        np.testing.assert_allclose(
            np.asarray(result["probs"]),
            ind.next_token_probabilities(reference.logits[0]),
            atol=TOLERANCE,
            rtol=0,
        )
    # What the reader sees: the tokens, the predicted token and its probability at each position.
    assert snap["positions"] == [str(t) for t in tokens]
    best = probs.argmax(axis=1)
    for i in range(n):
        right = i + 1 < n and tokens[i + 1] == best[i]
        assert snap["preds"][i] == f"{best[i]}" + ("\u2713" if right else ""), (i, snap["preds"])
        assert float(snap["probs"][i]) == pytest.approx(probs[i, best[i]], abs=5e-3)
    assert snap["pressed"].count("true") == 1 and snap["pressed"][state["query"]] == "true"
    assert snap["checked"] == [i in state["removed"] for i in range(4)]
    assert snap["readout"][0].startswith(
        f"Position {state['query']}, token {tokens[state['query']]}"
    )
    assert len(snap["readout"]) == 5 and snap["readout"][3].startswith("layer 2 head 1 looks")
    return state


def _params_from_data(data: dict) -> ind.Params:
    p = data["params"]
    params = {
        "embed": np.asarray(p["embed"]),
        "pos_embed": np.asarray(p["pos_embed"]),
        "unembed": np.asarray(p["unembed"]),
    }
    for layer, weights in enumerate(p["layers"], start=1):
        for name, value in weights.items():
            params[f"layer{layer}.{name}"] = np.asarray(value)
    return params


def run_tokens(root, text: str, *, keyboard: bool = True) -> dict:
    type_and_submit(root, "input.ai-tokens", "button.ai-run", text, keyboard=keyboard)
    return snapshot(root)


def drive(root, params: ind.Params | None = None) -> int:
    """Use every control; check each state against Python. Returns the states checked."""
    checked = 0
    snap = snapshot(root)
    check_state(snap, params)
    data = json.loads(snap["data"])
    for index in range(len(data["examples"])):
        root.locator("select.ai-example").select_option(str(index))
        state = check_state(snapshot(root), params)
        assert state["tokens"] == data["examples"][index]["tokens"]
        assert state["query"] == data["examples"][index]["query"]
        checked += 1
    boxes = root.locator(".ai-remove input")
    for first in range(4):  # each head, then each pair with the next head
        boxes.nth(first).check()
        assert check_state(snapshot(root), params)["removed"] == [first]
        if first < 3:
            boxes.nth(first + 1).check()
            assert check_state(snapshot(root), params)["removed"] == [first, first + 1]
            boxes.nth(first + 1).uncheck()
        boxes.nth(first).uncheck()
        checked += 2
    for position in (0, 5, 11):
        root.locator("button.ai-pos").nth(position).click()
        assert check_state(snapshot(root), params)["query"] == position
        checked += 1
    # Clicking a row of a heatmap selects that query too.
    canvas = root.locator("canvas.ai-canvas").nth(2)
    box = canvas.bounding_box()
    n = len(json.loads(snapshot(root)["state"])["tokens"])
    canvas.click(position={"x": box["width"] * 0.5 / n, "y": box["height"] * 7.5 / n})
    assert check_state(snapshot(root), params)["query"] == 7
    for text in ("3 1 4 1 5 9 2 6 5 3 5 8 9 7 9 3", "7", " ".join(["15"] * 24), "0,1,2, 0,1,2"):
        state = check_state(run_tokens(root, text), params)
        assert state["tokens"] == ind.parse_tokens(text) and state["example"] == -1
        checked += 1
    return checked + 2


# --------------------------------------------------------------------------- standalone


def test_explorer_runs_the_trained_model(explorer, model, new_page):
    page, log = new_page()
    standalone(page, explorer)
    root = page.locator(".attn-induction")
    data = json.loads(snapshot(root)["data"])
    # The weights the page carries are the trained model's.
    exported = _params_from_data(data)
    assert set(exported) == set(model.params)
    for name, value in model.params.items():
        np.testing.assert_allclose(exported[name], value, atol=TOLERANCE, rtol=0, err_msg=name)
    assert drive(root, model.params) >= 20
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / "standalone__induction_explorer_light.png"))
    assert log.external == [] and log.console_errors == [] and log.page_errors == []


@pytest.mark.parametrize(
    "text",
    ["", "   ", HOSTILE, "1 2 16", "1.5", "-3", " ".join(["1"] * 25), "</script><b>x</b>"],
)
def test_bad_input_shows_pythons_message_as_text_and_keeps_the_view(text, explorer, new_page):
    page, log = new_page()
    standalone(page, explorer)
    root = page.locator(".attn-induction")
    before = snapshot(root)
    with pytest.raises(ValueError) as python:
        ind.parse_tokens(text)
    after = run_tokens(root, text, keyboard=text != "")
    assert after["inputError"] == str(python.value)
    assert after["message"] == f"{python.value} (showing the last valid sequence)"
    assert after["invalid"] == "true"
    assert after["state"] == before["state"] and after["result"] == before["result"]
    created = elements_from_text(page, ".attn-induction b")
    assert created == [0, 0], "the reader's text was parsed as HTML"
    assert log.dialogs == [] and log.page_errors == [] and log.console_errors == []
    # A valid sequence clears the message.
    after = run_tokens(root, "1 2 3")
    assert after["message"] == "" and after["invalid"] is None and after["inputError"] is None


def test_phone_width_only_the_strip_scrolls(explorer, new_page):
    page, log = new_page(viewport={"width": 390, "height": 800})
    standalone(page, explorer)
    root = page.locator(".attn-induction")
    check_state(snapshot(root))
    assert_fits(root)
    widths = page.evaluate(
        """() => {
      const root = document.querySelector('.attn-induction');
      const right = root.getBoundingClientRect().right;
      const over = Array.from(root.querySelectorAll(
          '.ai-form, .ai-form *, .ai-remove, .ai-heads, canvas, .ai-readout, .ai-readout p,'
          + ' .ai-message, .ai-strip'))
        .filter(el => el.getBoundingClientRect().right > right + 0.5)
        .map(el => el.className || el.tagName);
      const strip = root.querySelector('.ai-strip');
      return {page: document.documentElement.scrollWidth, over,
              strip: [strip.scrollWidth, strip.clientWidth]};
    }"""
    )
    assert widths["page"] <= 390, widths
    assert widths["over"] == [], widths
    assert widths["strip"][0] > widths["strip"][1], "24 positions scroll inside the strip"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / "standalone__induction_explorer_390px.png"), full_page=True
    )
    assert log.console_errors == [] and log.page_errors == []


def test_keyboard_alone_operates_it_with_a_visible_focus(explorer, new_page):
    page, log = new_page()
    standalone(page, explorer)
    root = page.locator(".attn-induction")
    order = []
    page.locator("body").focus()
    for _ in range(9):
        page.keyboard.press("Tab")
        f = focused(page)
        order.append([f["className"] or f["type"] or f["tag"], *f["outline"][:2]])
    names = [name for name, _, _ in order]
    assert names[:3] == ["ai-example", "ai-tokens", "ai-run"], names
    assert names[3:7] == ["checkbox"] * 4 and names[7:] == ["ai-pos", "ai-pos"], names
    for name, style, width in order:
        assert style != "none" and width != 0, (name, style, width)
    # Space on the focused first position button... Enter selects it; Space ticks a box.
    page.keyboard.press("Enter")
    assert json.loads(snapshot(root)["state"])["query"] == 1
    root.locator(".ai-remove input").nth(1).focus()
    page.keyboard.press("Space")
    assert check_state(snapshot(root))["removed"] == [1]
    root.locator("input.ai-tokens").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("5 6 7 5 6")
    page.keyboard.press("Enter")
    assert check_state(snapshot(root))["tokens"] == [5, 6, 7, 5, 6]
    assert log.page_errors == []


def test_dark_theme(explorer, new_page):
    page, log = new_page(color_scheme="dark")
    standalone(page, explorer, theme="dark")
    root = page.locator(".attn-induction")
    check_state(snapshot(root))
    background, text = root.evaluate(
        "r => [getComputedStyle(r).backgroundColor, getComputedStyle(r).color]"
    )
    assert background == "rgb(22, 27, 34)" and text == "rgb(230, 237, 243)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / "standalone__induction_explorer_dark.png"))
    assert log.console_errors == [] and log.page_errors == []


def test_static_table_without_javascript(explorer, new_page):
    page, _ = new_page(java_script=False)
    standalone(page, explorer)
    table = page.locator(".attn-induction table.ai-static-table")
    assert table.count() == 1
    tokens = explorer.data["examples"][0]["tokens"]
    cells = table.locator("tr").nth(1).locator("td").all_text_contents()
    assert cells == [str(t) for t in tokens]


def test_two_explorers_on_one_page_are_independent(explorer, new_page):
    page, log = new_page()
    standalone(page, explorer, explorer)
    roots = page.locator(".attn-induction")
    assert roots.count() == 2
    run_tokens(roots.nth(1), "1 2 3 1 2")
    assert json.loads(snapshot(roots.nth(0))["state"])["example"] == 0
    assert check_state(snapshot(roots.nth(1)))["tokens"] == [1, 2, 3, 1, 2]
    assert log.page_errors == []


# --------------------------------------------------------------------------- in the book


@pytest.mark.parametrize("rel", book_params(INDUCTION_PAGES, "induction explorer"))
def test_induction_explorer_in_book_runs_the_chapters_model(rel, book_page):
    page, log = book_page(rel, INDUCTION_PAGES, "the induction explorer")
    # The chapter's model: seed 0 and the default settings (the chapter's training).
    params = ind.train(ind.init_params(0)).params
    root = page.locator(".attn-induction").first
    root.scroll_into_view_if_needed()
    exported = _params_from_data(json.loads(snapshot(root)["data"]))
    for name, value in params.items():
        np.testing.assert_allclose(exported[name], value, atol=TOLERANCE, rtol=0, err_msg=name)
    assert drive(root, params) >= 20
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / f"{page_name(rel)}__induction.png"))
    assert log.external == [] and log.console_errors == [] and log.page_errors == []
