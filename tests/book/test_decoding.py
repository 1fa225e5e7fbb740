"""Tests of attn_book.decoding: KV-cache decoding equals full recomputation."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.decoding import decode, decode_step, decoder_forward, random_decoder
from attn_core import causal_mask, multi_head_attention


@pytest.mark.parametrize(("num_layers", "d_model", "num_heads"), [(1, 8, 1), (2, 8, 4), (3, 12, 3)])
def test_cached_decoding_equals_full_recomputation(num_layers, d_model, num_heads):
    layers = random_decoder(num_layers, d_model, seed=5)
    x = np.random.default_rng(1).normal(size=(9, d_model))
    cached, cache = decode(x, layers, num_heads)
    full, full_cache = decoder_forward(x, layers, num_heads, return_cache=True)
    np.testing.assert_allclose(cached, full, rtol=0, atol=1e-12)
    assert cache.length == 9 and cache.keys[0].shape == (num_heads, 9, d_model // num_heads)
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


def test_decoding_continues_from_a_prefilled_cache_and_leaves_it_alone():
    layers = random_decoder(2, 8)
    x = np.random.default_rng(2).normal(size=(7, 8))
    _, prefix = decoder_forward(x[:4], layers, 2, return_cache=True)
    rest, cache = decode(x[4:], layers, 2, cache=prefix)
    np.testing.assert_allclose(rest, decoder_forward(x, layers, 2)[4:], atol=1e-12)
    assert cache.length == 7 and prefix.length == 4
    out, longer = decode_step(x[4], layers, 2, prefix)
    np.testing.assert_allclose(out, rest[0])
    assert longer.length == 5
