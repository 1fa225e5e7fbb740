"""Chapter 4's diagram and exercise verdicts."""

from __future__ import annotations

import numpy as np

from attn_book.diagrams import multi_head_diagram
from attn_book.exercises import verdict
from attn_book.exercises.chapter4 import (
    PAPER_D_MODEL,
    labelled_input,
    pytorch_mha_parameter_count,
)
from attn_core import causal_mask, merge_heads, scaled_dot_product_attention, split_heads


def test_diagram_shows_every_shape_in_the_books_notation_and_both_projections():
    fig = multi_head_diagram(10, 8, 4)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts) + fig.axes[0].get_title()
    for shape in ("10 x 8", "10 x 4 x 2", "4 x 10 x 2", "4 x 10 x 10"):
        assert shape in texts
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
