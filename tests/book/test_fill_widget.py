"""Tests of chapter 5's fill values (attn_book.fills) and its widget (attn_book.widgets.masking)."""

from __future__ import annotations

import base64
import io

import ipywidgets as widgets
import numpy as np
import PIL.Image
import pytest

from attn_book.fills import fill_scores, textbook_softmax
from attn_book.widgets.masking import (
    ALLOWED,
    FILLS,
    fill_value_row,
    fill_value_widget,
    row_verdict,
)
from attn_core import softmax


def test_fill_scores_replaces_or_adds_in_the_chosen_precision():
    scores = np.array([[1.0, 2.0, 3.0]])
    allowed = np.array([True, True, False])
    np.testing.assert_array_equal(fill_scores(scores, allowed, -1e4), [[1.0, 2.0, -1e4]])
    np.testing.assert_array_equal(
        fill_scores(scores, allowed, -1e4, how="add"), [[1.0, 2.0, 3.0 - 1e4]]
    )
    as_16 = fill_scores(scores, allowed, -1e9, precision="float16")
    assert as_16.dtype == np.float16 and np.isneginf(as_16[0, 2])
    assert fill_scores(scores, allowed, -np.inf).dtype == np.float64


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"how": "multiply"}, ValueError, "how must be one of"),
        ({"precision": "float8"}, ValueError, "precision must be one of"),
        ({"fill": 5.0}, ValueError, "fill must be a number <= 0"),
        ({"fill": np.nan}, ValueError, "fill must be a number <= 0"),
        ({"allowed": np.array([1, 0, 1])}, TypeError, "allowed must be a boolean array"),
        ({"scores": [[1.0, 1e6, 0.0]], "precision": "float16"}, ValueError, "finite in float16"),
    ],
)
def test_fill_scores_rejects_bad_input(kwargs, error, message):
    args = {"scores": [[1.0, 2.0, 3.0]], "allowed": np.array([True, False, True]), "fill": -1e4}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        fill_scores(args.pop("scores"), args.pop("allowed"), args.pop("fill"), **args)


def test_textbook_softmax_is_nan_only_where_attn_core_gives_zeros():
    x = np.array([[0.0, 1.0], [-np.inf, -np.inf]])
    np.testing.assert_allclose(textbook_softmax(x)[0], softmax(x)[0])
    assert np.isnan(textbook_softmax(x)[1]).all() and not softmax(x)[1].any()
    assert textbook_softmax(np.array([1, 1])).dtype == np.float64


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
        ({"how": "times"}, ValueError, "how must be one of"),
        ({"masked_score": -1}, ValueError, "masked_score must be at least 0"),
        ({"masked_score": 1.5}, TypeError, "masked_score must be an int"),
        ({"every_key_masked": "yes"}, TypeError, "every_key_masked must be a bool"),
    ],
)
def test_widget_rejects_bad_starting_values(kwargs, error, message):
    with pytest.raises(error, match=message):
        fill_value_widget(**kwargs)
