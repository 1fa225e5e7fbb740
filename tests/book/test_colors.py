"""Tests of attn_book.colors: one weight ramp for matplotlib, Pillow and the browser."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from PIL import Image

from attn_book.colors import (
    STEPS,
    WEIGHT_CMAP,
    browser_ramp,
    hex_colour,
    ramp,
    ramp_index,
    text_colour,
    text_is_dark,
)
from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.plots import figure_to_png, show_heatmaps


def test_ramp_is_matplotlibs_colormap():
    colours = ramp()
    assert WEIGHT_CMAP == "viridis" and colours.shape == (STEPS, 3) and colours.dtype == np.uint8
    lut = matplotlib.colormaps[WEIGHT_CMAP](np.linspace(0, 1, STEPS))[:, :3] * 255
    assert np.abs(colours - lut).max() <= 0.5
    assert not colours.flags.writeable
    with pytest.raises(ValueError, match="cmap must be a matplotlib colormap"):
        ramp("no-such-map")


def test_ramp_index_bins_as_matplotlib_and_clips():
    values = np.array([-1.0, 0.0, 0.001, 0.5, 0.7, 0.999, 1.0, 3.0, np.nan])
    assert ramp_index(values).tolist() == [0, 0, 0, 128, 179, 255, 255, 255, 0]
    colormap = matplotlib.colormaps[WEIGHT_CMAP]
    finite = values[np.isfinite(values)]
    lut = (colormap(np.clip(finite, 0, 1))[:, :3] * 255).round()
    np.testing.assert_array_equal(ramp()[ramp_index(finite)], lut)
    assert ramp_index([-1.0, 0.0, 1.0], vmin=-1.0, vmax=1.0).tolist() == [0, 128, 255]


def test_text_colour_reads_on_every_step():
    colours = ramp().astype(float)
    dark = text_is_dark(colours)
    # Viridis gets brighter from purple to yellow: white text first, then black.
    assert not dark[0] and dark[-1] and np.all(np.diff(dark.astype(int)) >= 0)
    assert text_colour(colours[0]) == "#ffffff" and text_colour(colours[-1]) == "#000000"


def test_browser_ramp_is_the_same_ramp():
    sent = browser_ramp()
    assert sent["background"] == [hex_colour(c) for c in ramp()]
    assert sent["text"] == [text_colour(c) for c in ramp()]
    sent["background"][0] = "#000000"  # a caller's copy; the next one is intact
    assert browser_ramp()["background"][0] == "#440154"


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)


def _has(pixels: np.ndarray, rgb: np.ndarray, count: int = 50) -> bool:
    return int((np.abs(pixels - rgb).max(axis=1) <= 1).sum()) >= count


@pytest.mark.parametrize("value", [0.0, 0.3, 0.7, 1.0])
def test_matplotlib_and_pillow_draw_a_weight_in_the_same_colour(value):
    expected = ramp()[ramp_index(value)].astype(int)
    matrix = np.full((2, 2), value)
    pil = _pixels(heatmaps_png([Panel(matrix, ["a", "b"], ["a", "b"])], cell=40))
    mpl = _pixels(figure_to_png(show_heatmaps(matrix, annotate=False)))
    assert _has(pil, expected), (value, expected)
    assert _has(mpl, expected), (value, expected)
