"""Tests of attn_book.decoding: KV-cache decoding equals full recomputation."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.decoding import (
    KVCache,
    decode,
    decode_step,
    decoder_forward,
    empty_cache,
    random_decoder,
    time_new_token,
)
from attn_core import causal_mask, multi_head_attention


@pytest.mark.parametrize(("num_layers", "d_model", "num_heads"), [(1, 8, 1), (2, 8, 4), (3, 12, 3)])
def test_cached_decoding_equals_full_recomputation(num_layers, d_model, num_heads):
    layers = random_decoder(num_layers, d_model, seed=5)
    x = np.random.default_rng(1).normal(size=(9, d_model))
    cached, cache = decode(x, layers, num_heads)
    full, full_cache = decoder_forward(x, layers, num_heads, return_cache=True)
    np.testing.assert_allclose(cached, full, rtol=0, atol=1e-12)
    assert cache.length == 9 and len(cache.keys) == num_layers
    assert cache.keys[0].shape == (num_heads, 9, d_model // num_heads)
    for k, k_full in zip(
        cache.keys + cache.values, full_cache.keys + full_cache.values, strict=True
    ):
        np.testing.assert_allclose(k, k_full, rtol=0, atol=1e-12)
    assert cache.size == num_layers * 2 * 9 * d_model


def test_one_layer_is_multi_head_attention_plus_the_residual():
    layers = random_decoder(1, 8)
    x = np.random.default_rng(0).normal(size=(5, 8))
    out, _ = multi_head_attention(x, *layers[0], 2, mask=causal_mask(5))
    np.testing.assert_allclose(decoder_forward(x, layers, 2), x + out)


def test_decoding_continues_from_a_prefilled_cache():
    layers = random_decoder(2, 8)
    x = np.random.default_rng(2).normal(size=(7, 8))
    _, prefix = decoder_forward(x[:4], layers, 2, return_cache=True)
    rest, cache = decode(x[4:], layers, 2, cache=prefix)
    np.testing.assert_allclose(rest, decoder_forward(x, layers, 2)[4:], atol=1e-12)
    assert cache.length == 7 and prefix.length == 4  # the prefix cache is not changed


def test_a_step_leaves_its_cache_alone_and_needs_no_mask():
    layers = random_decoder(2, 8)
    cache = empty_cache(layers, 4)
    out, longer = decode_step(np.ones(8), layers, 4, cache)
    assert cache.length == 0 and longer.length == 1 and out.shape == (8,)


def test_bad_input_gets_clear_errors():
    layers = random_decoder(2, 8)
    cache = empty_cache(layers, 2)
    with pytest.raises(ValueError, match=r"x_t must have shape \(d_model,\) with d_model=8"):
        decode_step(np.ones(5), layers, 2, cache)
    with pytest.raises(ValueError, match="cache must hold 2 layers"):
        decode_step(np.ones(8), layers, 4, cache)
    with pytest.raises(TypeError, match="cache must be a KVCache"):
        decode_step(np.ones(8), layers, 2, {"k": []})
    with pytest.raises(ValueError, match="does not divide d_model=8"):
        decoder_forward(np.ones((3, 8)), layers, 3)
    with pytest.raises(ValueError, match="layers must be a non-empty list"):
        decoder_forward(np.ones((3, 8)), [], 2)
    with pytest.raises(ValueError, match=r"layers\[1\]\[0\] must have shape \(8, 8\)"):
        decoder_forward(np.ones((3, 8)), [layers[0], (np.ones((4, 4)),) * 4], 2)
    with pytest.raises(ValueError, match="x holds no tokens"):
        decode(np.ones((0, 8)), layers, 2)
    with pytest.raises(ValueError, match="contains NaN"):
        decoder_forward(np.full((3, 8), np.nan), layers, 2)
    with pytest.raises(ValueError, match="lengths must be a non-empty list"):
        time_new_token([], layers, 2)
    with pytest.raises(ValueError, match="repeats must be at least 1"):
        time_new_token([4], layers, 2, repeats=0)
    with pytest.raises(ValueError, match="num_layers must be at least 1"):
        random_decoder(0, 8)


def test_time_new_token_reports_each_length():
    costs = time_new_token([1, 3, 6], random_decoder(1, 8), 2, repeats=2)
    assert [c.n for c in costs] == [1, 3, 6]
    assert all(c.with_cache > 0 and c.without_cache > 0 for c in costs)


def test_kv_cache_is_frozen():
    cache = empty_cache(random_decoder(1, 4), 2)
    assert isinstance(cache, KVCache)
    with pytest.raises(AttributeError):
        cache.keys = ()  # type: ignore[misc]
