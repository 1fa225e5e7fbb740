"""Chapter 4's own tools: head_shares, the W_o widget, the diagram's notation, exercise verdicts."""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
import pytest

from attn_book.diagrams import multi_head_diagram
from attn_book.exercises import verdict
from attn_book.exercises.chapter4 import (
    PAPER_D_MODEL,
    labelled_input,
    pytorch_mha_parameter_count,
)
from attn_book.heads import chapter_projections, head_shares, random_projections
from attn_book.tokens import embed, tokenize
from attn_book.widgets.multi_head import multi_head_widget
from attn_core import (
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    split_heads,
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


def test_split_exercise_names_the_token_a_scrambled_row_holds():
    x = labelled_input((2, 4, 6))
    assert x[1, 2, 5] == 10_000 + 200 + 5
    passed, text = verdict("4.1", lambda x, h: split_heads(x[..., ::-1, :], h))
    text = " ".join(text.split())
    assert not passed and "row 0 of head 1 holds features of token 4, not of token 0" in text
    passed, text = verdict("4.1", lambda x, h: split_heads(x[::-1] if x.ndim == 3 else x, h))
    assert not passed and "mixed the sequences of the batch" in " ".join(text.split())


def test_causal_exercise_says_which_head_differs():
    def one_head_off(x, w_q, w_k, w_v, w_o, num_heads):
        q, k, v = (split_heads(x @ w, num_heads) for w in (w_q, w_k, w_v))
        v = v.copy()
        v[-1] *= 2  # the last head's values are off
        context, _ = scaled_dot_product_attention(q, k, v, causal_mask(len(x)))
        return merge_heads(context) @ w_o

    passed, text = verdict("4.2", one_head_off)
    text = " ".join(text.split())
    assert not passed
    assert "the context vectors of head 2" in text and "(head 1 is right)" in text


def test_causal_exercise_accepts_a_loop_and_float32():
    def loop(x, w_q, w_k, w_v, w_o, num_heads):
        x, w_q, w_k, w_v, w_o = (a.astype(np.float32) for a in (x, w_q, w_k, w_v, w_o))
        d_head = x.shape[1] // num_heads
        contexts = []
        for i in range(num_heads):
            cols = slice(i * d_head, (i + 1) * d_head)
            mask = causal_mask(len(x))
            c, _ = scaled_dot_product_attention(
                x @ w_q[:, cols], x @ w_k[:, cols], x @ w_v[:, cols], mask
            )
            contexts.append(c)
        return np.concatenate(contexts, axis=-1) @ w_o

    assert verdict("4.2", loop)[0]


def test_parameter_count_exercise_takes_whole_floats_and_explains_them():
    right = pytorch_mha_parameter_count(PAPER_D_MODEL)
    assert right == 4 * 512**2 + 4 * 512
    assert verdict("4.3", float(right))[0]
    passed, text = verdict("4.3", float(4 * 512**2))
    assert not passed and "without biases" in " ".join(text.split())
