"""The soft-lookup view's kernel feed: its controls recompute, bad input keeps the last view."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.views.lookup import lookup_outputs, lookup_view

NAMES = ["cat", "dog", "cow"]
KEYS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
VALUES = np.array([[10.0, 0.0], [0.0, 10.0], [-10.0, 5.0]])
PRESETS = {"one key": ([2.0, 0.0], 0.5), "several keys": ([1.0, 1.0], 1.0)}


@pytest.fixture
def live():
    return lookup_view(NAMES, KEYS, VALUES, query=[0.8, 0.5], presets=PRESETS)


def shows(view, query, temperature) -> None:
    expected = lookup_outputs(query, KEYS, VALUES, temperature)
    for key, value in expected.items():
        assert getattr(view, key) == pytest.approx(value), key


def test_the_controls_recompute_and_read_back(live):
    view = live.view
    x, y, temperature, presets = live.children[1].children
    shows(view, [0.8, 0.5], 1.0)
    x.value, temperature.value = -1.0, 0.2
    shows(view, [-1.0, 0.5], 0.2)
    presets.value = "one key"  # the query and its temperature, on the sliders too
    shows(view, [2.0, 0.0], 0.5)
    assert (x.value, y.value, temperature.value, view.preset) == (2.0, 0.0, 0.5, "one key")
    assert view.effective < 1.5
    y.value = 0.05  # away from the preset: no preset is chosen
    assert view.preset == "" and presets.value is None
    view.choose("several keys")  # a tie: the first of the tied keys, as np.argmax
    assert presets.value == "several keys" and view.ties == [0, 1] and view.best == 0
    assert view.effective > 1.5


def test_bad_input_keeps_the_last_good_view_and_the_other_controls_work(live):
    view = live.view
    x = live.children[1].children[0]
    before = view.soft_weights
    view.temperature = 0.0
    assert view.error and view.soft_weights == before
    x.value = -2.0  # still recomputes, at the last good temperature
    shows(view, [-2.0, 0.5], 1.0)
    assert view.error
    view.temperature = 1e-320  # positive, but 1 / τ overflows
    assert view.error and view.query == [-2.0, 0.5]
    view.move(1.0, 1.0, temperature=2.0)
    shows(view, [1.0, 1.0], 2.0)
    assert view.error == ""
