"""Chapter 7's library (attn_book.scale) and the tiling stepper's Python feed."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from attn_book.decoding import decoder_forward, random_decoder
from attn_book.scale import (
    grouped_query_attention,
    kv_cache_bytes_per_token,
    measure_scaling,
    online_softmax_output,
    online_softmax_step,
    ring_buffer_decode,
    sliding_window_mask,
)
from attn_book.views.tiling import tiling_view
from attn_core import causal_mask, scaled_dot_product_attention, softmax


@pytest.mark.parametrize("block", [1, 3, 7, 20])
def test_the_online_softmax_by_blocks_is_the_softmax_even_for_rows_with_no_key(block):
    rng = np.random.default_rng(block)
    scores = np.where(rng.random((6, 20)) < 0.5, 40 * rng.normal(size=(6, 20)), -np.inf)
    scores[0] = -np.inf  # a query with no allowed key
    scores[1, :10] = -np.inf  # one whose first blocks are all masked
    values = rng.normal(size=(20, 3))
    m, total, acc = np.full(6, -np.inf), np.zeros(6), np.zeros((6, 3))
    for j in range(0, 20, block):
        m, total, acc = online_softmax_step(
            m, total, acc, scores[:, j : j + block], values[j : j + block]
        )
    out = online_softmax_output(total, acc)
    np.testing.assert_allclose(out, softmax(scores) @ values, rtol=0, atol=1e-12)
    assert not out[0].any() and np.isneginf(m[0])


def test_grouped_query_attention_is_attention_on_each_groups_kv_head_in_order():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(6, 5, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 3))
    mask = causal_mask(5)
    out = grouped_query_attention(q, k, v, mask)
    for h in range(6):  # query heads 0, 1, 2 share K/V head 0; 3, 4, 5 share K/V head 1
        np.testing.assert_allclose(
            out[h], scaled_dot_product_attention(q[h], k[h // 3], v[h // 3], mask)[0]
        )
    tiled = scaled_dot_product_attention(q, np.tile(k, (3, 1, 1)), np.tile(v, (3, 1, 1)), mask)[0]
    assert not np.allclose(out, tiled)
    np.testing.assert_allclose(
        grouped_query_attention(q, q, q), scaled_dot_product_attention(q, q, q)[0]
    )


@pytest.mark.parametrize("window", [1, 3, 9, 30])
def test_a_ring_buffer_decodes_as_full_recomputation_under_the_window_mask(window):
    rng = np.random.default_rng(window)
    q, k, v = rng.normal(size=(3, 2, 9, 4))  # two heads of 9 tokens
    decoded, keys, values = ring_buffer_decode(q, k, v, window)
    mask = sliding_window_mask(9, window)
    np.testing.assert_allclose(decoded, scaled_dot_product_attention(q, k, v, mask)[0], atol=1e-12)
    assert keys.shape == (2, window, 4) and values.shape == (2, window, 4)
    assert mask.sum(axis=1).tolist() == [min(i + 1, window) for i in range(9)]
    assert np.array_equal(mask, mask & causal_mask(9))


def test_the_bytes_per_token_are_what_a_kv_cache_stores():
    for layers, heads, d_model in [(1, 1, 8), (2, 4, 64), (3, 2, 16)]:
        x = np.random.default_rng(layers).normal(size=(7, d_model))
        _, cache = decoder_forward(x, random_decoder(layers, d_model), heads, return_cache=True)
        stored = sum(a.nbytes for a in cache.keys + cache.values) / 7
        assert stored == kv_cache_bytes_per_token(layers, heads, d_model // heads, 8)


def test_the_plain_form_holds_the_score_matrix_and_the_tiles_do_not():
    s = measure_scaling([256, 1024], d=16, repeats=1)
    assert np.all(s.naive_peak >= 4 * s.lengths**2) and s.tiled_peak[-1] < s.naive_peak[-1] / 4
    assert np.all(s.naive_seconds > 0) and np.all(s.tiled_seconds > 0)


def test_the_kernel_view_follows_its_controls_and_the_readers_step():
    live = tiling_view(n=12, block=4, query_block=1)
    view, (n, block, query, causal, done) = live.view, live.children[1].children
    assert view.rows == [4, 5, 6, 7] and done.max == 3 and query.max == 3
    start = dict(view.output)
    done.value = 3
    assert view.done == 3 and view.output != start and view.difference < 1e-12
    causal.value = True  # query block 2 of 3: key block 3 is skipped, so 2 are done
    assert view.skipped == [8] and view.done == done.value == 2
    calls = []
    view.use(lambda *state: calls.append(1) or online_softmax_step(*state))  # the reader's step
    assert calls and view.error == "" and view.difference < 1e-12
    good = dict(view.output)
    view.use(lambda m, total, acc, scores, values: (m, total))  # not a state
    assert view.error and view.output == good
    with pytest.raises(traitlets.TraitError):  # input no control gives
        view.n = 1000
    view.use(None)
    n.value, block.value = 20, 5
    assert view.error == "" and view.rows == [5, 6, 7, 8, 9] and query.max == 4
