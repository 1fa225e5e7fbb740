"""Chapter 4's diagram: every shape in the book's notation, and both projections."""

from __future__ import annotations

from attn_book.diagrams import multi_head_diagram


def test_diagram_shows_every_shape_in_the_books_notation_and_both_projections():
    fig = multi_head_diagram(10, 8, 4)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts) + fig.axes[0].get_title()
    for shape in ("10 x 8", "10 x 4 x 2", "4 x 10 x 2", "4 x 10 x 10"):
        assert shape in texts
    assert "H = 4 heads" in texts and "(n, H, d_head)" in texts and "(H, n, d_head)" in texts
    assert "h = 4" not in texts and "(n, h," not in texts and "swap n, H" in texts
    assert "W_q, W_k, W_v: 8 x 8 each" in texts and "d_model x d_k" in texts
    assert "W_o: 8 x 8, mixes the heads" in texts
