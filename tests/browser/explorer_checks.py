"""Drive one kernel-free explorer in the browser and check it against attn_core.

The expected weights are recomputed here from the JSON data embedded in the
page and the state the explorer exposes (``data-state``), with
``attn_core.multi_head_attention`` and the mask of
``attn_book.choices.mask_for_choice``, so the page's JavaScript is checked
against the library, not against itself. For a sentence the reader typed,
the tokens and vectors come from ``attn_book.tokens.tokenize`` and ``embed``
applied to the text in the box, so the page's tokenizer and embedding are
checked too.

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
from attn_book.tokens import dropped_note, embed, tokenize
from attn_core import multi_head_attention
from tests.browser.accessibility import css_rgb

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
  // The row headers: query buttons (table) or row labels (canvas).
  queries: Array.from(root.querySelectorAll('button.ae-query, .ae-rowlabel')).map(
    b => b.textContent),
  pressedQuery: Array.from(root.querySelectorAll(
    'button.ae-query[aria-pressed="true"], .ae-rowlabel.ae-current')).map(
    b => Number(b.dataset.row)),
  queryMenu: Array.from(root.querySelectorAll('select.ae-query-select option')).map(
    o => o.textContent),
  queryChosen: (root.querySelector('select.ae-query-select') || {}).value,
  barsTitle: (root.querySelector('.ae-bars-title') || {}).textContent,
  bars: root.querySelectorAll('.ae-bar-row').length,
  readout: (root.querySelector('.ae-readout') || {}).textContent,
  headOptions: root.querySelectorAll('select.ae-head option').length,
  staticLeft: root.querySelectorAll('.ae-static').length,
  text: (root.querySelector('input.ae-text') || {}).value,
  message: (root.querySelector('.ae-message') || {}).textContent,
  messageError: (root.querySelector('.ae-message') || {classList: {contains: () => false}})
    .classList.contains('ae-error'),
  invalid: (root.querySelector('input.ae-text') || {getAttribute: () => null})
    .getAttribute('aria-invalid'),
})"""


def sentence_of(data: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """The sentence shown (tokens and vectors), by Python: typed text goes through
    attn_book.tokens.tokenize and embed, whatever the page made of it."""
    custom = state.get("custom")
    if state["sentence"] < len(data["sentences"]):
        assert custom is None, state
        return data["sentences"][state["sentence"]]
    assert state["sentence"] == len(data["sentences"]) and custom, state
    tokens = tokenize(custom["text"])
    assert custom["tokens"] == tokens, (custom, tokens)
    return {"tokens": tokens, "x": embed(tokens, data["d_model"])}


def expected_weights(
    data: dict[str, Any], state: dict[str, Any]
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Positions shown, the head's weights and the allowed mask, computed by attn_core."""
    sentence = sentence_of(data, state)
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
    tokens = sentence_of(data, state)["tokens"]
    assert [t for t, _ in snap["tokens"]] == tokens
    assert [p == "true" for _, p in snap["tokens"]] == state["active"]
    assert len(snap["queries"]) == n and snap["bars"] == n
    assert snap["pressedQuery"] == [state["query"]]
    labels = [
        tokens[p]
        if state["active"][p] or not MASK_RULES[state["mask"]]["padding"]
        else f"{tokens[p]} (pad)"
        for p in positions
    ]
    assert snap["queries"] == labels
    assert snap["queryMenu"] == [f"{i + 1}: {label}" for i, label in enumerate(labels)]
    assert snap["queryChosen"] == str(state["query"])
    assert snap["headOptions"] == state["heads"]
    query_token = tokens[positions[state["query"]]]
    assert query_token in snap["barsTitle"], (query_token, snap["barsTitle"])
    return state


def snapshot(root) -> dict[str, Any]:
    return root.evaluate(SNAPSHOT_JS)


def pick_query(root, i: int) -> None:
    """Select query row i with the pointer: its button (table) or row label (canvas)."""
    root.locator("button.ae-query, .ae-rowlabel").nth(i).click()


def choose(root: Any, selector: str, value: str) -> None:
    """Pick ``value`` in a menu, as a reader would.

    A menu with a single choice is out of sight (there is nothing to pick):
    then check that it is hidden and already holds that one value.
    """
    menu = root.locator(selector)
    if menu.is_visible():
        menu.select_option(value)
        return
    options = menu.locator("option")
    assert options.count() == 1, f"{selector} is hidden but offers {options.count()} choices"
    assert menu.input_value() == value


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
        choose(root, "select.ae-heads", str(heads))
        assert check()["heads"] == heads
        for head in sorted({0, heads - 1}):
            choose(root, "select.ae-head", str(head))
            assert check()["head"] == head
    # Mask: every mode offered, with a token switched off, and a query clicked.
    for mask in data["masks"]:
        choose(root, "select.ae-mask", mask)
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
                pick_query(root, 1)
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
        pick_query(root, last)
        state = check()
        assert state["query"] == last
        if MASK_RULES[mask]["causal"]:
            # Query 0 may see key 0 only.
            pick_query(root, 0)
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
        pick_query(root, 0)
        canvas.click(position=spot)
    else:
        cell = root.locator(f'td.ae-cell[data-row="{i}"][data-col="{j}"]')
        cell.hover()
        assert f"{float(cell.get_attribute('data-weight')):.6f}" in snapshot(root)["readout"]
        pick_query(root, 0)
        cell.click()
    assert check()["query"] == i
    # The keyboard: the query menu (every view), and a query button (table).
    root.locator("select.ae-query-select").select_option("1")
    assert check()["query"] == 1
    if snapshot(root)["view"] == "table":
        root.locator("button.ae-query").nth(2).focus()
        root.page.keyboard.press("Enter")
        assert check()["query"] == 2
        root.page.keyboard.press("ArrowUp")
        assert check()["query"] == 1
    # Sentence: every sentence offered (tokens reset to all on).
    for index in range(len(data["sentences"])):
        root.locator("select.ae-sentence").select_option(str(index))
        state = check()
        assert state["sentence"] == index and all(state["active"])
    return checked


def check_typed(root, text: str) -> dict[str, Any] | None:
    """Type ``text`` into the sentence box (replacing it) and check the result
    against attn_book.tokens: the tokens, weights and note of good text, or
    tokenize's message for bad text with the last view kept. Returns the state
    (None for bad text)."""
    before = snapshot(root)
    root.locator("input.ae-text").fill(text)
    snap = snapshot(root)
    typed = snap["text"]
    # A text box drops line breaks from what is typed or pasted; the rest stays.
    assert typed == text.replace("\r", "").replace("\n", ""), (typed, text)
    try:
        tokenize(typed)
    except ValueError as exc:
        assert snap["message"] == str(exc), (snap["message"], str(exc))
        assert snap["messageError"] and snap["invalid"] == "true"
        # The last view stays as it was.
        assert (snap["state"], snap["weights"]) == (before["state"], before["weights"])
        return None
    state = check_snapshot(snap)
    assert state["custom"]["text"] == typed
    assert snap["message"] == dropped_note(typed), (snap["message"], dropped_note(typed))
    assert not snap["messageError"] and snap["invalid"] is None
    return state


#: Sentences a reader might type: unknown words, capitals, punctuation, digits,
#: apostrophes, other scripts, markup, emoji; then text tokenize refuses.
TYPED = [
    "the zyzzyva cat sat on the mat because it was tired",
    "The Quick brown fox JUMPS over the lazy dog!",
    "<img src=x onerror=alert(1)> it's   a trap",
    "café naïve über Σοφία ΔΙΟΣ 中文 İstanbul",
    "rock'n'roll isn't dead '' 'quoted' 42 3.14",
    "constructor __proto__ toString hasOwnProperty valueOf",
    "the cat \U0001f642 sat \U0001fae8 on the mat",
    "",
    "   ",
    "?!... \U0001f642 <>",
    " ".join(["word"] * 65),
    "the cat",
]


def exercise_typing(root, texts: list[str] = TYPED) -> int:
    """Type each text into the box and check it (see check_typed); returns the count."""
    for text in texts:
        check_typed(root, text)
    # The menu goes back to a sentence offered, and the box shows its text.
    root.locator("select.ae-sentence").select_option("0")
    snap = snapshot(root)
    data = json.loads(snap["data"])
    state = check_snapshot(snap)
    assert state["sentence"] == 0 and snap["text"] == data["sentences"][0]["text"]
    assert snap["message"] == "" and not snap["messageError"]
    return len(texts)
