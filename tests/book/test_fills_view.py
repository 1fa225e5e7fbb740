"""Chapter 5's fill-value view, Python feed (attn_book.views.fills)."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from attn_book.views.fills import fill_outputs, fills_view


def _row(*state):
    out = fill_outputs(*state)
    return np.array(out["allowed"]), out["filled"], out["weights"], out["verdict"]


def test_the_rows_of_the_chapters_cases():
    for precision in ("float64", "float16"):  # the right way: exactly 0, in both precisions
        allowed, _, w, verdict = _row("-inf", "replace", precision, 15000, False, "attn_core")
        assert verdict == "exact" and not w[~allowed].any() and w.dtype == np.dtype(precision)
    # (a) an additive -1e4 loses against masked scores of 15000
    allowed, filled, w, verdict = _row("-1e4", "add", "float64", 15000, False, "attn_core")
    assert verdict == "leak" and w[~allowed].sum() > 0.99 and np.all(filled[~allowed] == 5000)
    # (b) every key masked: zeros with attn_core, NaN with the textbook softmax, uniform if finite
    assert _row("-inf", "replace", "float64", 0, True, "attn_core")[3] == "zeros"
    assert np.isnan(_row("-inf", "replace", "float64", 0, True, "textbook")[2]).all()
    _, _, w, verdict = _row("-1e4", "replace", "float64", 0, True, "attn_core")
    assert verdict == "reads" and np.allclose(w, 1 / 6)
    # (c) -1e9 is -inf in float16
    _, filled, _, verdict = _row("-1e9", "replace", "float16", 0, False, "attn_core")
    assert np.isneginf(filled[-2:]).all() and verdict == "exact"
    allowed, _, w, verdict = _row("-100", "replace", "float64", 0, False, "attn_core")
    assert verdict == "tiny" and 0 < w[~allowed].sum() < 1e-6


def test_the_slider_is_disabled_exactly_where_the_masked_score_changes_nothing():
    for fill in ("-inf", "-1e9", "-1e4", "-100"):
        for how in ("replace", "add"):
            for precision in ("float64", "float16"):
                rows = [
                    fill_outputs(fill, how, precision, m, False, "attn_core") for m in (0, 9000)
                ]
                ignored = rows[0]["score_ignored"]
                same = np.array_equal(rows[0]["weights"], rows[1]["weights"]) and np.array_equal(
                    rows[0]["filled"], rows[1]["filled"]
                )
                assert bool(ignored) == same, (fill, how, precision)


def test_the_kernel_view_follows_its_controls():
    live = fills_view(fill="-100", masked_score=500)
    view = live.view
    menus = {c.description: c for c in live.children[1].children}
    assert menus["fill"].value == "-100" and menus["masked score"].value == 500
    first = dict(view.weights)
    menus["masked score"].value = 20_000
    assert view.weights != first and not menus["masked score"].disabled
    menus["fill is"].value = "replace"
    assert view.score_ignored == "replace" and menus["masked score"].disabled
    menus["mask every key"].value = True
    menus["softmax"].value = "textbook"
    menus["fill"].value = "-inf"
    assert view.verdict == "nan" and view.every_key_masked
    last = dict(view.weights)
    with pytest.raises(traitlets.TraitError):  # a reader's own value, out of range
        view.masked_score = 50_000
    assert view.weights == last and view.masked_score == 20_000
    assert view.page_html()  # NaN weights travel as bytes: JSON (allow_nan=False) takes them
