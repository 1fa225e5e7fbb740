"""Tests of chapter 5's fill-value widget (attn_book.widgets.masking)."""

from __future__ import annotations

import base64
import io

import ipywidgets as widgets
import numpy as np
import PIL.Image
import pytest

from attn_book.widgets.masking import (
    ALLOWED,
    FILLS,
    fill_value_row,
    fill_value_widget,
    row_verdict,
)


def test_rows_the_widget_shows_for_each_case():
    # The right way: masked keys get exactly 0, in both precisions.
    for precision in ("float64", "float16"):
        allowed, _, w = fill_value_row("-inf", "replace", precision, 15000, False, "attn_core")
        assert np.all(w[~allowed] == 0) and np.isclose(float(w.sum()), 1.0, atol=1e-3)
    # Case (a): an additive -1e4 loses against masked scores of 15000.
    allowed, filled, w = fill_value_row("-1e4", "add", "float64", 15000, False, "attn_core")
    assert w[~allowed].sum() > 0.99 and np.all(filled[~allowed] == 5000)
    assert "leaks" in row_verdict(allowed, w)
    # -1e9 overflows to -inf in float16 and still masks.
    _, filled, w = fill_value_row("-1e9", "replace", "float16", 0, False, "attn_core")
    assert np.isneginf(filled[~ALLOWED]).all() and w.dtype == np.float16
    # Case (b): every key masked.
    allowed, _, w = fill_value_row("-inf", "replace", "float64", 0, True, "attn_core")
    assert not allowed.any() and not w.any() and "all zeros" in row_verdict(allowed, w)
    allowed, _, w = fill_value_row("-inf", "replace", "float64", 0, True, "textbook")
    assert np.isnan(w).all() and "NaN" in row_verdict(allowed, w)
    allowed, _, w = fill_value_row("-1e4", "replace", "float64", 0, True, "attn_core")
    np.testing.assert_allclose(w, 1 / 6)
    assert "it reads keys it must not" in row_verdict(allowed, w)
    # A finite fill of -100 leaves a tiny weight, not an exact 0.
    allowed, _, w = fill_value_row("-100", "replace", "float64", 0, False, "attn_core")
    assert 0 < w[~allowed].sum() < 1e-6 and "not exactly" in row_verdict(allowed, w)


def _png_size(png: bytes) -> tuple[int, int]:
    return PIL.Image.open(io.BytesIO(png)).size


def test_widget_redraws_and_keeps_the_last_figure_for_bad_input():
    view = fill_value_widget()
    bundle = view._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert set(view.controls) == {
        "fill",
        "how",
        "precision",
        "masked_score",
        "every_key_masked",
        "softmax",
    }
    assert list(view.controls["fill"].options) == list(FILLS)
    first = view.image.value
    view.controls["fill"].value = "-inf"
    second = view.image.value
    assert second != first and view.status.value == ""
    view.controls["every_key_masked"].value = True
    view.controls["softmax"].value = "textbook"
    assert view.image.value != second and view.status.value == ""
    last = view.image.value
    view.controls["masked_score"].max = 100_000  # as if a reader could go past the limit
    view.controls["masked_score"].value = 50_000
    assert "masked score must be between 0 and 20000" in view.status.value
    assert view.image.value == last


def test_widget_sits_beside_its_controls_and_fits_a_laptop():
    view = fill_value_widget()
    assert isinstance(view.widget, widgets.HBox)
    column, image = view.widget.children
    assert image is view.image and view.controls["fill"] in column.children
    width, height = _png_size(view.image.value)
    assert width < 700 and height < 400, (width, height)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"fill": "-1e5"}, ValueError, "fill must be one of"),
        ({"softmax": "numpy"}, ValueError, "softmax must be one of"),
        ({"masked_score": -1}, ValueError, "masked_score must be at least 0"),
        ({"masked_score": 1.5}, TypeError, "masked_score must be an int"),
        ({"every_key_masked": "yes"}, TypeError, "every_key_masked must be a bool"),
    ],
)
def test_widget_rejects_bad_starting_values(kwargs, error, message):
    with pytest.raises(error, match=message):
        fill_value_widget(**kwargs)
