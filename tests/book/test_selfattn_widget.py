"""Tests of the chapter 3 widget and the Pillow heatmap it draws with."""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import pytest
from PIL import Image

from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.tokens import MAX_TOKENS, embed, narrow_projections, tokenize
from attn_book.widgets.self_attention import (
    render_self_attention,
    self_attention,
    self_attention_widget,
)
from attn_core import scaled_dot_product_attention


def test_self_attention_steps_match_the_library():
    tokens = tokenize("the cat sat on the mat because it was tired")
    steps = self_attention(tokens)
    x = embed(tokens)
    # Chapter 3's running example: d_model = 8, d_k = 7, d_v = 6.
    w_q, w_k, w_v = narrow_projections()
    context, weights = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v)
    np.testing.assert_allclose(steps["weights"], weights)
    np.testing.assert_allclose(steps["context"], context)
    assert steps["q"].shape == (10, 7) and steps["context"].shape == (10, 6)
    np.testing.assert_allclose(steps["scores"], (x @ w_q) @ (x @ w_k).T / np.sqrt(7))
    unscaled = self_attention(tokens, scaled=False)
    # Without the scale the softmax is sharper: the top weight of every row grows.
    assert np.all(unscaled["weights"].max(axis=1) >= steps["weights"].max(axis=1) - 1e-12)


def test_render_returns_png_and_clamps_query():
    png = render_self_attention("the cat sat", True, 99)
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size[0] > 300


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("?!?", "no words"),
        ("word " * 200, "text has 200 words; the limit is 64"),
        ("word " * (MAX_TOKENS + 1), f"the limit is {MAX_TOKENS}"),
    ],
)
def test_render_rejects_bad_text(text, message):
    with pytest.raises(ValueError, match=message):
        render_self_attention(text, True, 0)


def test_widget_redraws_and_keeps_last_image_on_bad_input():
    view = self_attention_widget()
    bundle = view._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert view.controls["query"].value == tokenize(view.controls["text"].value).index("it")
    first = view.image.value
    view.controls["scaled"].value = False
    second = view.image.value
    assert second != first and view.status.value == ""
    view.controls["query"].value = 0
    assert view.image.value != second
    last = view.image.value
    for bad, message in [("", "empty"), ("...", "no words"), ("a " * 200, "200 words")]:
        view.controls["text"].value = bad
        assert view.image.value == last
        assert message in view.status.value
    # Markup and emoji are left out of the words, and the widget says so in one line.
    view.controls["text"].value = "<b>hi</b> \U0001f642"
    assert "left out" in view.status.value and "b hi b" in view.status.value
    view.controls["text"].value = "<b>hi</b> <script>x</script>"
    assert view.image.value != last
    assert "left out" in view.status.value and "b hi b script x script" in view.status.value
    assert "<script>" not in view.status.value and "showing the last" not in view.status.value


def test_widget_fits_query_slider_to_sentence():
    view = self_attention_widget("the cat and the dog ate because they were hungry")
    assert view.controls["query"].value == 7
    view.controls["text"].value = "a cat sat"
    assert view.controls["query"].max == 2 and view.controls["query"].value == 2
    assert view.status.value == ""


def test_widget_redraw_is_fast():
    # Generous bound (CPU time, median) so a busy CI machine does not flake;
    # benchmarks report the real figures.
    view = self_attention_widget()
    times = []
    for query in range(10):
        start = time.process_time()
        view.controls["query"].value = query
        times.append(time.process_time() - start)
    assert np.median(times) < 0.2


def test_heatmaps_png_checks_labels():
    with pytest.raises(ValueError, match="labels"):
        heatmaps_png([Panel(np.eye(2), ["a"], ["a", "b"])])
    with pytest.raises(ValueError, match="empty"):
        heatmaps_png([])


def test_heatmaps_png_colours_follow_values():
    matrix = np.array([[0.0, 1.0]])
    png = heatmaps_png([Panel(matrix, ["q"], ["k0", "k1"], title="")], cell=40)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    # viridis: 0 is dark purple, 1 is bright yellow; find both colours in the image.
    purple, yellow = np.array([68, 1, 84]), np.array([253, 231, 36])
    flat = image.reshape(-1, 3)
    assert (np.abs(flat - purple).sum(axis=1) < 10).sum() > 1000
    assert (np.abs(flat - yellow).sum(axis=1) < 10).sum() > 1000


def test_heatmaps_png_writes_a_lossless_png():
    from attn_book.heatmap_png import _png

    pixels = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    decoded = Image.open(io.BytesIO(_png(Image.fromarray(pixels))))
    assert decoded.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(decoded), pixels)


def test_heatmaps_png_label_caches_follow_the_labels():
    # Labels, label blocks and legends are cached across redraws: the same panels
    # give the same bytes, and other labels a picture of their own.
    matrix = np.eye(3)
    first = heatmaps_png([Panel(matrix, ["a", "b", "c"], ["x", "y", "z"], title="t")])
    assert heatmaps_png([Panel(matrix, ["a", "b", "c"], ["x", "y", "z"], title="t")]) == first
    other = heatmaps_png([Panel(matrix, ["a", "b", "d"], ["x", "y", "z"], title="t")])
    a, b = (
        np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int) for png in (first, other)
    )
    # They differ in the last row label only: left of the cells, in the last row.
    ys, xs = np.nonzero(np.abs(a - b).max(axis=2))
    cells_y, cells_x = np.nonzero(np.abs(a - [68, 1, 84]).max(axis=2) <= 1)  # viridis 0
    assert len(xs) > 10
    assert xs.max() < cells_x.min()
    assert ys.min() >= cells_y.min() + 2 * (cells_y.max() - cells_y.min()) // 3
