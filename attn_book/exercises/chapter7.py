"""Chapter 7's exercises: the online softmax, a KV cache's bytes, grouped-query attention,
the blocks a causal mask skips."""

from __future__ import annotations

import math

import numpy as np

from attn_book.exercises.core import function_exercise, value_exercise
from attn_book.scale import (
    grouped_query_attention,
    kv_cache_bytes_per_token,
    online_softmax_output,
    online_softmax_step,
    sliding_window_mask,
)
from attn_core import scaled_dot_product_attention


def _by_blocks(step):
    """The online softmax of ``scores @ values`` with ``step``, one block of keys at a time."""

    def online(scores, values, block_size):
        m, total = np.full(len(scores), -np.inf), np.zeros(len(scores))
        acc = np.zeros((len(scores), values.shape[-1]))
        for j in range(0, scores.shape[-1], block_size):
            m, total, acc = step(
                m, total, acc, scores[:, j : j + block_size], values[j : j + block_size]
            )
        return online_softmax_output(total, acc)

    return online


def _step_without(rescale_total=True, rescale_acc=True, guard=True, running_max=True):
    """An online softmax step with one of its parts left out."""

    def step(m, total, acc, scores, values):
        new_m = np.maximum(m, scores.max(axis=-1)) if running_max else np.zeros_like(m)
        shift = np.where(np.isneginf(new_m), 0.0, new_m) if guard else new_m
        rescale = np.exp(m - shift) if running_max else np.ones_like(m)
        p = np.exp(scores - shift[:, None])
        total = (total * rescale if rescale_total else total) + p.sum(axis=-1)
        return new_m, total, (acc * rescale[:, None] if rescale_acc else acc) + p @ values

    return step


_RNG = np.random.default_rng(7)
_GROWING = np.sort(_RNG.normal(size=(4, 10)) * 2, axis=-1)  # each query's maximum grows
_GROWING[1] = _GROWING[1, ::-1]  # ... but not query 2's
_NEAR_1000 = 1000 + np.round(_RNG.normal(size=(3, 9)) * 8) / 8  # exact in float32 too
_WINDOW = np.where(sliding_window_mask(8, 3)[2:], _RNG.normal(size=(6, 8)), -np.inf)
_WINDOW[0] = -np.inf  # a query with no key at all

function_exercise(
    "7.1",
    "The online softmax, block by block",
    "Per query keep m (the largest score so far), total (the sum of exp(score - m)) and acc "
    "(the sum of exp(score - m) * value). When a block raises m, multiply total AND acc by "
    "exp(m_old - m_new); where m is still -inf, subtract 0 instead. Return acc / total (0 if 0).",
    _by_blocks(online_softmax_step),
    [
        ("for 4 queries and 10 keys in blocks of 4", (_GROWING, _RNG.normal(size=(10, 2)), 4)),
        ("for scores near 1000, in blocks of 3", (_NEAR_1000, _RNG.normal(size=(9, 3)), 3)),
        (
            "for a window mask (queries that see no key yet), blocks of 2",
            (_WINDOW, _RNG.normal(size=(8, 2)), 2),
        ),
        ("for blocks of 1 key", (_GROWING, _RNG.normal(size=(10, 2)), 1)),
    ],
    [
        (
            _by_blocks(_step_without(running_max=False)),
            "exp(score) overflows to inf without a running maximum: subtract it before exp",
        ),
        (
            _by_blocks(_step_without(rescale_total=False, rescale_acc=False)),
            "when the maximum grows, the old sums (total and acc) must be multiplied by "
            "exp(m_old - m_new)",
        ),
        (
            _by_blocks(_step_without(rescale_acc=False)),
            "you rescaled the running sum but not acc, the output: multiply it by "
            "exp(m_old - m_new) too",
        ),
        (
            _by_blocks(_step_without(guard=False)),
            "a query with no allowed key yet gives exp(-inf - (-inf)) = NaN: where m is -inf, "
            "subtract 0",
        ),
        (
            lambda *args: np.nan_to_num(_by_blocks(_step_without(guard=False))(*args)),
            "replacing NaN at the end is too late: a query that saw no key in its first blocks "
            "got NaN from exp(-inf - (-inf)), and the NaN stayed in its sums after later keys "
            "arrived. Where m is still -inf, subtract 0 instead",
        ),
    ],
    axes=("query", "feature"),
)

_PER_TOKEN = kv_cache_bytes_per_token(layers=28, kv_heads=4, head_dim=128, number_bytes=2)

value_exercise(
    "7.2",
    "Bytes of KV cache per token",
    "Each layer keeps a key AND a value per K/V head (not per query head), of head_dim numbers "
    "of 2 bytes each.",
    _PER_TOKEN,
    [
        (
            _PER_TOKEN // 2,
            "that is half: count a key AND a value per layer and K/V head, and 2 bytes a number",
        ),
        (_PER_TOKEN / 1024, "that is in KiB (1 KiB = 1024 bytes): give the number of bytes"),
        (_PER_TOKEN * 7, "you counted the 28 query heads: only the 4 K/V heads are cached"),
        (_PER_TOKEN * 2, "bfloat16 numbers take 2 bytes, not 4"),
    ],
)


def _heads(h, g):
    """Queries of h heads; keys and values of g heads."""
    return _RNG.normal(size=(h, 5, 3)), _RNG.normal(size=(g, 5, 3)), _RNG.normal(size=(g, 5, 2))


def _tiled_heads(q, k, v):
    """The K/V heads tiled (0, 1, 0, 1): query head h reads K/V head h % G."""
    k, v = (np.tile(x, (len(q) // len(k), 1, 1)) for x in (k, v))
    return scaled_dot_product_attention(q, k, v)[0]


def _by_group_count(q, k, v):
    """Query head h on K/V head h // G (the number of groups, not the group's size)."""
    heads = [
        scaled_dot_product_attention(q[h], k[h // len(k)], v[h // len(k)]) for h in range(len(q))
    ]
    return np.stack([context for context, _ in heads])


function_exercise(
    "7.3",
    "Grouped-query attention",
    "Query heads 0..H/G-1 share K/V head 0, the next H/G share K/V head 1, ...: repeat each K/V "
    "head H/G times in place (np.repeat on the heads axis), then scaled_dot_product_attention.",
    grouped_query_attention,
    [(f"for {h} query heads and {g} K/V heads", _heads(h, g)) for h, g in [(4, 2), (6, 3), (4, 1)]]
    + [("for 4 query heads and 4 K/V heads (multi-head)", _heads(4, 4))],
    [
        (
            _tiled_heads,
            "query head h must use K/V head h // (H/G), not h % G: repeat each K/V head in "
            "place (np.repeat), do not tile the list (np.tile)",
        ),
        (
            _by_group_count,
            "query head h uses K/V head h // (H/G), H/G being the query heads per group; "
            "h // G divides by the number of groups",
        ),
        (
            lambda q, k, v: scaled_dot_product_attention(q, k[:1], v[:1])[0],
            "every query head used K/V head 1 (index 0): that is multi-query attention",
        ),
    ],
    axes=("head", "query", "feature"),
)


def _skipped_blocks(n, block_size):
    """7.4: the (query block, key block) pairs above the diagonal."""
    return math.ceil(n / block_size) * (math.ceil(n / block_size) - 1) // 2


function_exercise(
    "7.4",
    "The blocks a causal mask skips",
    "With b = ceil(n / block_size) blocks of queries and of keys, query block i needs key "
    "blocks 0..i (the diagonal block is half allowed, so it is computed): count the others.",
    _skipped_blocks,
    [(f"for n={n}, block_size={b}", (n, b)) for n, b in [(8, 2), (10, 4), (4096, 128), (5, 8)]],
    [
        (
            lambda n, b: (n // b) * (n // b - 1) // 2,
            "a last, partial block counts too: there are ceil(n / block_size) blocks",
        ),
        (
            lambda n, b: math.ceil(n / b) * (math.ceil(n / b) + 1) // 2,
            "that is the number computed (on and below the diagonal): the blocks on the diagonal "
            "are computed, since each query sees the keys up to its own; count those above it",
        ),
        (
            lambda n, b: math.ceil(n / b) ** 2 / 2,
            "not exactly half: the diagonal blocks are computed",
        ),
    ],
)
