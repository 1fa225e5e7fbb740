"""Chapter 4's own tools: head_shares, the W_o widget, the diagram's notation."""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
import pytest

from attn_book.diagrams import multi_head_diagram
from attn_book.heads import chapter_projections, head_shares, random_projections
from attn_book.tokens import embed, tokenize
from attn_book.widgets.multi_head import multi_head_widget
from attn_core import (
    causal_mask,
    multi_head_attention,
)


@pytest.mark.parametrize("num_heads", [1, 2, 4, 8])
def test_head_shares_add_up_to_the_output(num_heads):
    x = embed(tokenize("the cat sat on the mat"))
    w = chapter_projections()
    shares = head_shares(x, *w, num_heads)
    out, weights = multi_head_attention(x, *w, num_heads)
    np.testing.assert_allclose(shares.after.sum(axis=0), out, atol=1e-12)
    np.testing.assert_array_equal(shares.weights, weights)
    d_head = 8 // num_heads
    concat, _ = multi_head_attention(x, *w[:3], np.eye(8), num_heads)
    for i in range(num_heads):
        own = slice(i * d_head, (i + 1) * d_head)
        np.testing.assert_array_equal(shares.before[i][:, own], concat[:, own])
        rest = np.delete(shares.before[i], np.arange(own.start, own.stop), axis=1)
        assert not rest.any()
        np.testing.assert_allclose(shares.after[i], concat[:, own] @ w[3][own], atol=1e-12)


def test_head_shares_with_a_batch_a_mask_and_float32():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 6)).astype(np.float32)
    w = [m.astype(np.float32) for m in random_projections(6, seed=2)]
    shares = head_shares(x, *w, 3, mask=causal_mask(5))
    out, _ = multi_head_attention(x, *w, 3, causal_mask(5))
    assert shares.after.shape == (3, 3, 5, 6) and shares.after.dtype == np.float32
    np.testing.assert_allclose(shares.after.sum(axis=-3), out, atol=1e-5)


def test_head_shares_rejects_bad_input():
    w = chapter_projections()
    x = embed(["a", "b"])
    with pytest.raises(ValueError, match="w_o must have shape"):
        head_shares(x, *w[:3], np.eye(4), 2)
    with pytest.raises(ValueError, match="does not divide"):
        head_shares(x, *w, 3)
    with pytest.raises(ValueError, match="x must have at least 2 dimensions"):
        head_shares(np.ones(8), *w, 2)


def test_widget_draws_one_heads_share_before_and_after_w_o():
    view = multi_head_widget()
    assert "before and after W_o" in view.alt and "of 4 of 4" not in view.alt
    size = PIL.Image.open(io.BytesIO(view.fallback_png)).size
    assert size[0] > size[1]  # two panels side by side
    images = {view.image.value}
    for head in (1, 2, 3):
        view.controls["head"].value = head
        assert view.status.value == ""
        images.add(view.image.value)
    assert len(images) == 4  # every head draws its own share


def test_diagram_uses_the_books_notation_and_draws_both_projections():
    fig = multi_head_diagram(10, 8, 4)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts) + fig.axes[0].get_title()
    assert "H = 4 heads" in texts and "(n, H, d_head)" in texts and "(H, n, d_head)" in texts
    assert "h = 4" not in texts and "(n, h," not in texts and "swap n, H" in texts
    assert "W_q, W_k, W_v: 8 x 8 each" in texts and "d_model x d_k" in texts
    assert "W_o: 8 x 8, mixes the heads" in texts
