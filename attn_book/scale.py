"""Attention at scale (chapter 7): the online softmax, memory and time of naive and tiled
attention, the KV cache's bytes, grouped-query attention and a sliding window's ring buffer.

The attention itself is attn_core's: :func:`attn_core.scaled_dot_product_attention` (naive:
the whole score matrix at once) and :func:`attn_core.tiled_attention` (blocks of keys, an
online softmax). This module measures them, and holds what a serving system adds around them.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from attn_book.cost import min_time
from attn_core import scaled_dot_product_attention, tiled_attention

State = tuple[np.ndarray, np.ndarray, np.ndarray]


def online_softmax_step(
    m: np.ndarray, total: np.ndarray, acc: np.ndarray, scores: np.ndarray, values: np.ndarray
) -> State:
    """One block of keys of the online softmax, its output kept unscaled (FlashAttention-2).

    Parameters
    ----------
    m, total, acc : ndarray, shapes (n_q,), (n_q,), (n_q, d_v)
        For each query, the running maximum of its scores, the running sum of
        ``exp(score - m)`` and of ``exp(score - m) * value``; -inf, 0 and 0 before the first block.
    scores, values : ndarray, shapes (n_q, block), (block, d_v)
        The block's scores (-inf where masked) and its keys' values.

    Returns
    -------
    (m, total, acc) after the block; ``acc / total`` is the output so far. A query with
    no allowed key yet keeps m = -inf, total = 0, acc = 0 (never NaN).
    """
    new_m = np.maximum(m, scores.max(axis=-1))
    shift = np.where(np.isneginf(new_m), 0.0, new_m)  # exp(-inf - 0) = 0, where -inf - -inf is NaN
    rescale = np.exp(m - shift)  # the old sums were relative to m; now to new_m
    p = np.exp(scores - shift[:, None])
    return new_m, total * rescale + p.sum(axis=-1), acc * rescale[:, None] + p @ values


def online_softmax_output(total: np.ndarray, acc: np.ndarray) -> np.ndarray:
    """``acc / total`` per query: the output of the keys seen so far (zeros if there are none)."""
    return acc / np.where(total == 0, 1.0, total)[:, None]


def peak_bytes(fn: Callable[[], object]) -> int:
    """The peak of the memory NumPy allocates during one call of ``fn`` (tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@dataclass(frozen=True)
class Scaling:
    """Naive against tiled attention at each length: seconds (CPU, best of the repeats) and the
    peak bytes allocated during one call (the output included)."""

    lengths: np.ndarray
    d: int
    block_size: int
    naive_seconds: np.ndarray
    tiled_seconds: np.ndarray
    naive_peak: np.ndarray
    tiled_peak: np.ndarray


def measure_scaling(
    lengths: Sequence[int], d: int = 64, repeats: int = 2, block_size: int = 128, seed: int = 0
) -> Scaling:
    """Time and peak memory of one head of attention, naive and tiled, float32, on one thread.

    Parameters
    ----------
    lengths : sequence of int
        The sequence lengths n (queries = keys = values = n tokens).
    d : int
        Width of the queries, keys and values.
    repeats : int
        Timed calls per length and method (the best is kept), after one call whose peak
        memory is measured (tracemalloc slows allocations, so it is not timed).
    block_size : int
        Keys per block of :func:`attn_core.tiled_attention`.
    seed : int
        Seed of the random inputs.

    Returns
    -------
    Scaling
    """
    rng = np.random.default_rng(seed)
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):  # the CPU time of this thread is all of it
        for n in lengths:
            q, k, v = (rng.standard_normal((n, d), dtype=np.float32) for _ in range(3))
            naive = lambda q=q, k=k, v=v: scaled_dot_product_attention(q, k, v)  # noqa: E731
            tiled = lambda q=q, k=k, v=v: tiled_attention(q, k, v, block_size=block_size)  # noqa: E731
            peaks = [peak_bytes(naive), peak_bytes(tiled)]
            rows.append([min_time(naive, repeats), min_time(tiled, repeats), *peaks])
    naive_s, tiled_s, naive_peak, tiled_peak = np.array(rows, dtype=float).T
    return Scaling(np.array(lengths), d, block_size, naive_s, tiled_s, naive_peak, tiled_peak)


def kv_cache_bytes_per_token(layers: int, kv_heads: int, head_dim: int, number_bytes: int) -> int:
    """Bytes a KV cache holds per token: a key and a value per layer and per K/V head."""
    return 2 * layers * kv_heads * head_dim * number_bytes


def repeat_kv(x: np.ndarray, times: int) -> np.ndarray:
    """(..., G, n, d) -> (..., G * times, n, d): each K/V head repeated in place (0, 0, 1, 1, ...),
    so query head h reads K/V head h // times."""
    return np.repeat(x, times, axis=-3)


def grouped_query_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """Attention of H query heads on G shared K/V heads (G divides H; G = 1 is multi-query).

    Parameters
    ----------
    q : ndarray, shape (..., H, n_q, d_k)
    k, v : ndarray, shapes (..., G, n_k, d_k), (..., G, n_k, d_v)
    mask : ndarray of bool, optional
        Broadcastable to (..., H, n_q, n_k); True = may attend.

    Returns
    -------
    ndarray, shape (..., H, n_q, d_v)
        Query heads ``g * H/G`` to ``(g + 1) * H/G - 1`` share K/V head g (Ainslie et al.'s groups).
    """
    times = q.shape[-3] // k.shape[-3]
    return scaled_dot_product_attention(q, repeat_kv(k, times), repeat_kv(v, times), mask)[0]


def sliding_window_mask(n: int, window: int) -> np.ndarray:
    """(n, n) bool: query i may attend to keys i - window + 1 .. i (the last ``window`` tokens)."""
    return np.tri(n, dtype=bool) & ~np.tri(n, k=-window, dtype=bool)


def ring_buffer_decode(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode token by token, keeping the keys and values of the last ``window`` tokens only.

    Token t's key and value go to slot ``t % window`` of a fixed buffer, over the oldest ones
    (Mistral 7B's rolling buffer cache); its query attends to every filled slot. The order of
    the slots does not matter: the softmax and the weighted sum do not depend on it.

    Parameters
    ----------
    q, k, v : ndarray, shapes (..., n, d_k), (..., n, d_k), (..., n, d_v)
        Every token's query, key and value, fed one token at a time.
    window : int

    Returns
    -------
    outputs : ndarray, shape (..., n, d_v)
    keys, values : ndarray, shapes (..., window, d_k), (..., window, d_v)
        The buffers after the last token.
    """
    keys = np.zeros((*k.shape[:-2], window, k.shape[-1]), k.dtype)
    values = np.zeros((*v.shape[:-2], window, v.shape[-1]), v.dtype)
    outputs = []
    for t in range(q.shape[-2]):
        keys[..., t % window, :], values[..., t % window, :] = k[..., t, :], v[..., t, :]
        filled = min(t + 1, window)
        context, _ = scaled_dot_product_attention(
            q[..., t : t + 1, :], keys[..., :filled, :], values[..., :filled, :]
        )
        outputs.append(context)
    return np.concatenate(outputs, axis=-2), keys, values
