"""Drive one kernel-free explorer in the browser and check it against attn_core.

The expected weights are recomputed here from the JSON data embedded in the
page and the state the explorer exposes (``data-state``), with
``attn_core.multi_head_attention`` and the mask of
``attn_book.choices.mask_for_choice``, so the page's JavaScript is checked
against the library, not against itself.

What the reader sees is checked too: for up to 16 positions the heatmap is a
table and every cell's ``data-weight`` must match, and its colour must be the
ramp colour (``attn_book.colors``) of its weight; above that it is a canvas,
and the colour of every cell's centre pixel must be the ramp colour of the
expected weight (masked cells: not opaque, striped over the page), so a canvas
drawn from wrong or transposed weights fails. The bars' numbers (the selected
query's weights as text, the keyboard reader's view) must match in both.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from attn_book.choices import MASK_RULES, mask_for_choice
from attn_book.colors import ramp, ramp_index
from attn_core import multi_head_attention

TOLERANCE = 1e-6
# Canvas cells: a weight within 1e-6 of the expected one may round to the next
# of the 256 colour steps, a difference of a few units in one channel.
PIXEL_TOLERANCE = 4

SNAPSHOT_JS = """root => ({
  data: root.querySelector('script.ae-data').textContent,
  state: root.getAttribute('data-state'),
  weights: root.getAttribute('data-weights'),
  error: root.getAttribute('data-ae-error'),
  view: root.getAttribute('data-view'),
  cells: Array.from(root.querySelectorAll('td.ae-cell')).map(td => [
    Number(td.dataset.row), Number(td.dataset.col), td.dataset.weight,
    td.dataset.masked === 'true', getComputedStyle(td).backgroundColor]),
  canvases: root.querySelectorAll('canvas.ae-canvas').length,
  // The centre pixel [r, g, b, a] of every canvas cell, row by row.
  pixels: (() => {
    const canvas = root.querySelector('canvas.ae-canvas');
    if (!canvas) { return null; }
    const size = Number(canvas.dataset.cell), n = Math.round(canvas.width / size);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const out = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const o = 4 * (Math.floor((i + 0.5) * size) * canvas.width + Math.floor((j + 0.5) * size));
        out.push([data[o], data[o + 1], data[o + 2], data[o + 3]]);
      }
    }
    return out;
  })(),
  barValues: Array.from(root.querySelectorAll('.ae-bar-row .ae-bar-value')).map(
    s => s.textContent),
  tokens: Array.from(root.querySelectorAll('button.ae-token')).map(
    b => [b.textContent, b.getAttribute('aria-pressed')]),
  queries: Array.from(root.querySelectorAll('button.ae-query')).map(b => b.textContent),
  pressedQuery: Array.from(root.querySelectorAll('button.ae-query[aria-pressed="true"]')).map(
    b => Number(b.dataset.row)),
  barsTitle: (root.querySelector('.ae-bars-title') || {}).textContent,
  bars: root.querySelectorAll('.ae-bar-row').length,
  readout: (root.querySelector('.ae-readout') || {}).textContent,
  headOptions: root.querySelectorAll('select.ae-head option').length,
  staticLeft: root.querySelectorAll('.ae-static').length,
})"""


def expected_weights(
    data: dict[str, Any], state: dict[str, Any]
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Positions shown, the head's weights and the allowed mask, computed by attn_core."""
    sentence = data["sentences"][state["sentence"]]
    active = [bool(a) for a in state["active"]]
    choice = state["mask"]
    n_all = len(sentence["tokens"])
    if MASK_RULES[choice]["padding"]:
        positions = list(range(n_all))  # switched-off tokens are padding
    else:
        positions = [i for i in range(n_all) if active[i]]
    real = [active[p] for p in positions]
    x = np.asarray(sentence["x"], dtype=np.float64)[positions]
    allowed = mask_for_choice(choice, real)
    w = data["weights"]
    _, weights = multi_head_attention(
        x,
        *(np.asarray(w[name], dtype=np.float64) for name in ("w_q", "w_k", "w_v", "w_o")),
        state["heads"],
        allowed,
    )
    return positions, weights[state["head"]], allowed


def ramp_rgb(weights: np.ndarray) -> np.ndarray:
    """RGB (0..255) of each weight on the book's colour ramp (attn_book.colors)."""
    return ramp()[ramp_index(weights)].astype(float)


def css_rgb(colour: str) -> list[float]:
    """[r, g, b] of a computed ``rgb(...)`` colour."""
    return [float(v) for v in colour[colour.index("(") + 1 : -1].split(",")[:3]]


def shown_masked(snap: dict[str, Any], n: int) -> np.ndarray:
    """Which cells the reader sees as masked (table classes or transparent pixels)."""
    if snap["view"] == "canvas":
        return np.asarray(snap["pixels"], dtype=float)[:, 3].reshape(n, n) < 255
    masked = np.zeros((n, n), dtype=bool)
    for row, col, _value, is_masked, _colour in snap["cells"]:
        masked[row, col] = is_masked
    return masked


def check_snapshot(snap: dict[str, Any]) -> dict[str, Any]:
    """Assert that what the explorer shows equals attn_core; return the parsed state."""
    assert not snap["error"], f"explorer failed to start: {snap['error']}"
    assert snap["staticLeft"] == 0, "the static fallback was not replaced by the explorer"
    data = json.loads(snap["data"])
    state = json.loads(snap["state"])
    shown = np.asarray(json.loads(snap["weights"]), dtype=np.float64)
    positions, expected, allowed = expected_weights(data, state)
    assert state["positions"] == positions, (state, positions)
    assert shown.shape == expected.shape, (shown.shape, expected.shape, state)
    np.testing.assert_allclose(shown, expected, atol=TOLERANCE, rtol=0, err_msg=str(state))
    n = len(positions)
    if n <= 16:
        assert snap["view"] == "table" and snap["canvases"] == 0, snap["view"]
        assert len(snap["cells"]) == n * n
        cells = np.zeros((n, n))
        colours = np.zeros((n, n, 3))
        for row, col, value, _masked, colour in snap["cells"]:
            cells[row, col] = float(value)
            colours[row, col] = css_rgb(colour)
        np.testing.assert_allclose(cells, expected, atol=TOLERANCE, rtol=0, err_msg=str(state))
        error = np.abs(colours - ramp_rgb(expected)).max(axis=2)
        bad = np.argwhere(allowed & (error > PIXEL_TOLERANCE))
        assert bad.size == 0, f"table cells {bad[:5].tolist()} show wrong colours: {state}"
    else:
        assert snap["view"] == "canvas" and snap["cells"] == [], snap["view"]
        pixels = np.asarray(snap["pixels"], dtype=float)
        assert pixels.shape == (n * n, 4), (pixels.shape, n)
        rgb = pixels[:, :3].reshape(n, n, 3)
        error = np.abs(rgb - ramp_rgb(expected)).max(axis=2)
        bad = np.argwhere(allowed & (error > PIXEL_TOLERANCE))
        assert bad.size == 0, f"canvas cells {bad[:5].tolist()} show wrong colours: {state}"
    masked = shown_masked(snap, n)
    np.testing.assert_array_equal(masked, ~allowed, err_msg=f"masked cells differ: {state}")
    query = state["query"]
    assert len(snap["barValues"]) == n
    for j, text in enumerate(snap["barValues"]):
        if allowed[query, j]:
            assert abs(float(text) - expected[query, j]) <= 5e-4, (j, text, state)
        else:
            assert text == "masked", (j, text, state)
    tokens = data["sentences"][state["sentence"]]["tokens"]
    assert [t for t, _ in snap["tokens"]] == tokens
    assert [p == "true" for _, p in snap["tokens"]] == state["active"]
    assert len(snap["queries"]) == n and snap["bars"] == n
    assert snap["pressedQuery"] == [state["query"]]
    assert snap["headOptions"] == state["heads"]
    query_token = tokens[positions[state["query"]]]
    assert query_token in snap["barsTitle"], (query_token, snap["barsTitle"])
    return state


def snapshot(root) -> dict[str, Any]:
    return root.evaluate(SNAPSHOT_JS)


def exercise_explorer(root) -> int:
    """Use every kind of control of one explorer; check each state. Returns states checked."""
    checked = 0

    def check() -> dict[str, Any]:
        nonlocal checked
        checked += 1
        return check_snapshot(snapshot(root))

    state = check()
    data = json.loads(snapshot(root)["data"])
    # Heads and head: every head count, first and last head of each.
    for heads in data["head_options"]:
        root.locator("select.ae-heads").select_option(str(heads))
        assert check()["heads"] == heads
        for head in sorted({0, heads - 1}):
            root.locator("select.ae-head").select_option(str(head))
            assert check()["head"] == head
    # Mask: every mode offered, with a token switched off, and a query clicked.
    for mask in data["masks"]:
        root.locator("select.ae-mask").select_option(mask)
        state = check()
        assert state["mask"] == mask
        n_all = len(state["active"])
        if n_all > 1:
            root.locator("button.ae-token").nth(1).click()
            state = check()
            assert state["active"][1] is False
            if MASK_RULES[mask]["padding"]:
                # The switched-off token stays as a padding position; its row
                # attends to the real keys and is marked as discarded.
                assert len(state["positions"]) == n_all
                root.locator("button.ae-query").nth(1).click()
                snap = snapshot(root)
                state = check_snapshot(snap)
                checked += 1
                assert state["query"] == 1
                assert "(pad)" in snap["barsTitle"] and "discarded" in snap["barsTitle"]
            else:
                assert 1 not in state["positions"]
            root.locator("button.ae-token").nth(1).click()
            state = check()
            assert state["active"][1] is True
        last = len(state["positions"]) - 1
        root.locator("button.ae-query").nth(last).click()
        state = check()
        assert state["query"] == last
        if MASK_RULES[mask]["causal"]:
            # Query 0 may see key 0 only.
            root.locator("button.ae-query").nth(0).click()
            snap = snapshot(root)
            n = len(state["positions"])
            assert shown_masked(snap, n)[0].sum() == n - 1, state
    # Hovering a cell reads out its weight; clicking a cell selects its row.
    snap = snapshot(root)
    n = len(json.loads(snap["state"])["positions"])
    i, j = n - 1, n // 2
    weights = json.loads(snap["weights"])
    if snap["view"] == "canvas":
        canvas = root.locator("canvas.ae-canvas")
        size = canvas.bounding_box()["width"] / n
        spot = {"x": (j + 0.5) * size, "y": (i + 0.5) * size}
        canvas.hover(position=spot)
        assert f"{weights[i][j]:.6f}" in snapshot(root)["readout"]
        assert f"{weights[i][j]:.6f}" in canvas.get_attribute("title")
        root.locator("button.ae-query").nth(0).click()
        canvas.click(position=spot)
    else:
        cell = root.locator(f'td.ae-cell[data-row="{i}"][data-col="{j}"]')
        cell.hover()
        assert f"{float(cell.get_attribute('data-weight')):.6f}" in snapshot(root)["readout"]
        root.locator("button.ae-query").nth(0).click()
        cell.click()
    assert check()["query"] == i
    # The keyboard reaches every query: Tab to a query button, Enter selects it.
    root.locator("button.ae-query").nth(1).focus()
    root.page.keyboard.press("Enter")
    assert check()["query"] == 1
    # Sentence: every sentence offered (tokens reset to all on).
    for index in range(len(data["sentences"])):
        root.locator("select.ae-sentence").select_option(str(index))
        state = check()
        assert state["sentence"] == index and all(state["active"])
    return checked
