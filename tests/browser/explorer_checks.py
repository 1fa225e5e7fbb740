"""Drive one kernel-free explorer in the browser and check it against attn_core.

The expected weights are recomputed here from the JSON data embedded in the
page and the state the explorer exposes (``data-state``), with
``attn_core.multi_head_attention`` and masks built from attn_core's rules, so
the page's JavaScript is checked against the library, not against itself.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from attn_core.attention import causal_mask
from attn_core.multihead import multi_head_attention

TOLERANCE = 1e-6

SNAPSHOT_JS = """root => ({
  data: root.querySelector('script.ae-data').textContent,
  state: root.getAttribute('data-state'),
  weights: root.getAttribute('data-weights'),
  error: root.getAttribute('data-ae-error'),
  cells: Array.from(root.querySelectorAll('td.ae-cell')).map(td => [
    Number(td.dataset.row), Number(td.dataset.col), td.dataset.weight,
    td.dataset.masked === 'true']),
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


def expected_weights(data: dict[str, Any], state: dict[str, Any]) -> tuple[list[int], np.ndarray,
                                                                              np.ndarray]:
    """Positions shown, the head's weights and the allowed mask, computed by attn_core."""
    sentence = data["sentences"][state["sentence"]]
    active = [bool(a) for a in state["active"]]
    mask_mode = state["mask"]
    padding = "padding" in mask_mode
    n_all = len(sentence["tokens"])
    positions = list(range(n_all)) if padding else [i for i in range(n_all) if active[i]]
    x = np.asarray(sentence["x"], dtype=np.float64)[positions]
    n = len(positions)
    allowed = np.ones((n, n), dtype=bool)
    if "causal" in mask_mode:
        allowed &= causal_mask(n)
    if padding:
        valid = np.asarray(active, dtype=bool)
        allowed &= valid[:, None] & valid[None, :]
    w = data["weights"]
    _, weights = multi_head_attention(
        x,
        *(np.asarray(w[name], dtype=np.float64) for name in ("w_q", "w_k", "w_v", "w_o")),
        state["heads"],
        None if mask_mode == "none" else allowed,
    )
    return positions, weights[state["head"]], allowed


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
    assert len(snap["cells"]) == n * n
    cells = np.zeros((n, n))
    masked = np.zeros((n, n), dtype=bool)
    for row, col, value, is_masked in snap["cells"]:
        cells[row, col] = float(value)
        masked[row, col] = is_masked
    np.testing.assert_allclose(cells, expected, atol=TOLERANCE, rtol=0, err_msg=str(state))
    np.testing.assert_array_equal(masked, ~allowed, err_msg=f"masked cells differ: {state}")
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
            if "padding" in mask:
                # The switched-off token stays as a padding row of zeros.
                assert len(state["positions"]) == n_all
                root.locator("button.ae-query").nth(1).click()
                snap = snapshot(root)
                state = check_snapshot(snap)
                checked += 1
                assert state["query"] == 1
                assert "masked" in snap["readout"]
            else:
                assert 1 not in state["positions"]
            root.locator("button.ae-token").nth(1).click()
            state = check()
            assert state["active"][1] is True
        last = len(state["positions"]) - 1
        root.locator("button.ae-query").nth(last).click()
        state = check()
        assert state["query"] == last
        if "causal" in mask:
            # Query 0 may see key 0 only.
            root.locator("button.ae-query").nth(0).click()
            snap = snapshot(root)
            masked_row0 = [c for c in snap["cells"] if c[0] == 0 and c[3]]
            assert len(masked_row0) == len(state["positions"]) - 1, state
    # Hovering a cell reads out its weight.
    cell = root.locator("td.ae-cell").nth(0)
    cell.hover()
    value = float(cell.get_attribute("data-weight"))
    assert f"{value:.6f}" in snapshot(root)["readout"]
    # Sentence: every sentence offered (tokens reset to all on).
    for index in range(len(data["sentences"])):
        root.locator("select.ae-sentence").select_option(str(index))
        state = check()
        assert state["sentence"] == index and all(state["active"])
    return checked
