"""Chapter 5's exercises: masks combined, masking after the softmax, cross-attention, a KV cache."""

from __future__ import annotations

import numpy as np

from attn_book.exercises.core import function_exercise, value_exercise
from attn_book.tokens import (
    EXAMPLE_SENTENCES,
    embed,
    pad_tokens,
    self_attention_projections,
    tokenize,
)
from attn_core import causal_mask, key_padding_mask, scaled_dot_product_attention, softmax


def combined_mask(lengths, n):
    """5.1: causal AND key padding, shape (batch, n, n)."""
    return causal_mask(n) & key_padding_mask(lengths, n)


function_exercise(
    "5.1",
    "Combine a causal and a padding mask",
    "Query i may see key j if j <= i (causal_mask(n)) AND key j is real (key_padding_mask("
    "lengths, n), shape (batch, 1, n)): combine them with &; a padding query keeps real keys.",
    combined_mask,
    [(f"for lengths={ls}, n={max(ls)}", (ls, max(ls))) for ls in ([3, 1], [2, 4], [4, 1, 3])],
    [
        (
            lambda lengths, n: np.broadcast_to(causal_mask(n), (len(lengths), n, n)),
            "your mask lets queries see padding keys: AND it with key_padding_mask",
        ),
        (
            lambda lengths, n: np.broadcast_to(key_padding_mask(lengths, n), (len(lengths), n, n)),
            "your mask lets queries see keys in their future: AND it with causal_mask(n)",
        ),
        (
            lambda ls, n: combined_mask(ls, n) & key_padding_mask(ls, n).swapaxes(-1, -2),
            "a padding mask masks keys only: a padding query row keeps the real keys",
        ),
    ],
    axes=("sequence", "query", "key"),
)


def mask_after(weights, mask):
    """5.2: zero the masked weights, divide each row by its sum (a row with none stays 0)."""
    kept = np.where(mask, weights, 0.0)
    totals = kept.sum(axis=-1, keepdims=True)
    return kept / np.where(totals == 0, 1.0, totals)


_X = embed(tokenize(EXAMPLE_SENTENCES["pronoun"]))  # the chapter's sentence
_W_Q, _W_K, _W_V = self_attention_projections()
_WEIGHTS = softmax((_X @ _W_Q) @ (_X @ _W_K).T / np.sqrt(_W_Q.shape[1]))
_N = len(_X)

function_exercise(
    "5.2",
    "Mask after the softmax, exactly",
    "np.where(mask, weights, 0.0), then divide each row by its new sum; a row with no allowed "
    "key sums to 0: leave it all zeros.",
    mask_after,
    [
        ("for the causal mask", (_WEIGHTS, causal_mask(_N))),
        (
            "for causal AND left padding (rows 0 to 2 have no allowed key)",
            (_WEIGHTS, causal_mask(_N) & (np.arange(_N) >= 3)),
        ),
    ],
    [
        (lambda w, m: w * m, "the rows no longer sum to 1: divide each by its sum"),
        (lambda w, m: w * m / (w * m).sum(-1, keepdims=True), "a row with no key gives 0/0 = NaN"),
        (lambda w, m: w, "you returned the weights unchanged: zero the masked ones"),
    ],
    axes=("query", "key"),
)


def cross_attention(y, memory, src_lengths, w_q, w_k, w_v):
    """5.3: queries from the decoder, keys and values from the padded source."""
    mask = key_padding_mask(src_lengths, memory.shape[-2])
    return scaled_dot_product_attention(y @ w_q, memory @ w_k, memory @ w_v, mask)


_TARGETS = [tokenize(t) for t in ("it was tired", "the cat slept")]
_SOURCES = [tokenize(s) for s in ("the cat sat because it was tired", "the fluffy cat slept")]
_CROSS = (
    np.stack([embed(t) for t in _TARGETS]),
    np.stack([embed(s) for s in pad_tokens(_SOURCES)]),
    [len(s) for s in _SOURCES],
    _W_Q,
    _W_K,
    _W_V,
)


def _cross_causal(y, memory, src_lengths, w_q, w_k, w_v):
    """A causal mask where cross-attention has none."""
    mask = key_padding_mask(src_lengths, len(memory[0])) & np.tri(
        len(y[0]), len(memory[0]), dtype=bool
    )
    return scaled_dot_product_attention(y @ w_q, memory @ w_k, memory @ w_v, mask)


function_exercise(
    "5.3",
    "Cross-attention with a source padding mask",
    "Queries y @ w_q; keys memory @ w_k and values memory @ w_v; the mask "
    "key_padding_mask(src_lengths, n_src), no causal mask.",
    cross_attention,
    [("for the chapter's batch (3 decoder tokens, sources of 7 and 4 words)", _CROSS)],
    [
        (
            lambda y, m, lengths, wq, wk, wv: scaled_dot_product_attention(y @ wq, m @ wk, m @ wv),
            "the queries see padding keys: pass key_padding_mask(src_lengths, n_src)",
        ),
        (_cross_causal, "you used a causal mask: cross-attention sees the whole source"),
    ],
    parts=("context", "weights"),
)


def decode_step(x_t, k_cache, v_cache, w_q, w_k, w_v):
    """5.4: append the new key and value, then attend with the new query."""
    k_cache = np.concatenate([k_cache, x_t @ w_k])
    v_cache = np.concatenate([v_cache, x_t @ w_v])
    return scaled_dot_product_attention(x_t @ w_q, k_cache, v_cache)[0], k_cache, v_cache


def _alone(x_t, k_cache, v_cache, w_q, w_k, w_v):
    """The new token attends only to itself."""
    _, k_cache, v_cache = decode_step(x_t, k_cache, v_cache, w_q, w_k, w_v)
    return scaled_dot_product_attention(x_t @ w_q, x_t @ w_k, x_t @ w_v)[0], k_cache, v_cache


function_exercise(
    "5.4",
    "Decode with a KV cache",
    "Append x_t @ w_k and x_t @ w_v to the caches first (np.concatenate), then "
    "scaled_dot_product_attention(x_t @ w_q, k_cache, v_cache); no mask.",
    decode_step,
    [
        (
            f"for token {t} " + (f"(caches of tokens 0 to {t - 1})" if t else "(empty caches)"),
            (_X[t : t + 1], (_X @ _W_K)[:t], (_X @ _W_V)[:t], _W_Q, _W_K, _W_V),
        )
        for t in range(_N)
    ],
    [
        (_alone, "the new token attended only to itself, not to the cached tokens"),
        (lambda *a: (decode_step(*a)[0], *a[1:3]), "return the caches with the new rows appended"),
        (
            lambda *a: (*decode_step(*a)[:2], np.concatenate([a[2], decode_step(*a)[0]])),
            "your value cache keeps the output; it keeps the value x_t @ w_v",
        ),
    ],
    parts=("output", "k_cache", "v_cache"),
)

_LAYERS, _D_MODEL, _HEADS, _TOKENS = 2, 64, 4, 20
_SIZE = _LAYERS * 2 * _TOKENS * _D_MODEL  # a key and a value of d_model numbers each

value_exercise(
    "5.5",
    "How big is a KV cache?",
    "Each layer keeps a key AND a value of d_model numbers (num_heads x d_head) for every "
    "token so far.",
    _SIZE,
    [
        (_SIZE // 2, "that is half: each layer keeps a key AND a value for every token"),
        (_SIZE * _HEADS, "the heads split d_model; they do not multiply it"),
    ],
)
