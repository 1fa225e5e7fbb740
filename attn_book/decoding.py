"""Causal decoding one token at a time: full recomputation, or a KV cache.

A causal decoder generates a sequence one token at a time. To get the output
of a new token it can run the whole prefix through every layer again
(:func:`decoder_forward`), or keep what earlier steps computed. What it keeps
is each layer's **keys and values**, the KV cache (Hugging Face Transformers'
"Caching" page; tensor2tensor's fast decoding keeps one ``{"k", "v"}`` pair
per layer): the new token's query must attend to every earlier key and value,
and under the causal mask those never change once computed.
:func:`decode_step` computes the new token's q, k and v in each layer,
appends k and v to that layer's cache and attends with the one new query.

The model is a stack of attention-only layers with a residual connection,
``x + MHA(x)``, each one :func:`attn_core.multi_head_attention` under the
causal mask. A real decoder also has an MLP and layer norms; they act on each
position alone, so they change nothing about what is cached.

- :func:`random_decoder`: seeded layer weights;
- :func:`decoder_forward`: the full recomputation (and, on request, the cache
  a forward pass over a prompt fills, the "prefill");
- :class:`KVCache`, :func:`empty_cache`, :func:`decode_step`, :func:`decode`:
  decoding with the cache;
- :func:`time_new_token`: the measured cost of one new token, with and
  without the cache, as the prefix grows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from attn_book.heads import random_projections
from attn_core import (
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    split_heads,
)
from attn_core._validation import as_float_array, check_int

#: One layer's weights: ``(w_q, w_k, w_v, w_o)``, each (d_model, d_model).
Layer = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class KVCache:
    """The keys and values of the tokens decoded so far, one pair per layer.

    Attributes
    ----------
    keys, values : tuple of ndarray, one per layer, each (num_heads, t, d_head)
        Layer ``l``'s keys and values of tokens ``0..t-1``, split into heads:
        the layout of Hugging Face's cache, ``[batch, num_heads, seq_len,
        head_dim]``, without the batch axis.
    """

    keys: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...]

    @property
    def length(self) -> int:
        """How many tokens the cache holds."""
        return int(self.keys[0].shape[-2])

    @property
    def size(self) -> int:
        """How many numbers the cache holds: layers x 2 (k and v) x tokens x d_model."""
        return int(sum(k.size + v.size for k, v in zip(self.keys, self.values, strict=True)))


def random_decoder(num_layers: int, d_model: int, seed: int = 0) -> list[Layer]:
    """Seeded weights for a stack of attention layers.

    Layer ``l`` gets :func:`attn_book.heads.random_projections` with seed
    ``seed + l``.

    Parameters
    ----------
    num_layers : int
        At least 1.
    d_model : int
        Width, at least 1.
    seed : int, default 0

    Returns
    -------
    list of (w_q, w_k, w_v, w_o)

    Raises
    ------
    TypeError, ValueError
        For a ``num_layers`` or ``d_model`` that is not an int of at least 1.

    Examples
    --------
    >>> layers = random_decoder(2, 8)
    >>> len(layers), layers[0][0].shape
    (2, (8, 8))
    """
    num_layers = check_int(num_layers, "num_layers", minimum=1)
    return [random_projections(d_model, seed + layer) for layer in range(num_layers)]


def _check_layers(layers: Any, num_heads: Any) -> tuple[list[Layer], int, int]:
    """Layers as float arrays, their d_model, and num_heads checked against it."""
    if isinstance(layers, np.ndarray) or not isinstance(layers, Sequence) or not layers:
        raise ValueError("layers must be a non-empty list of (w_q, w_k, w_v, w_o) tuples")
    checked = []
    d_model = None
    for index, layer in enumerate(layers):
        if not isinstance(layer, Sequence) or len(layer) != 4:
            raise ValueError(f"layers[{index}] must be a tuple (w_q, w_k, w_v, w_o)")
        weights = tuple(
            as_float_array(w, f"layers[{index}][{j}]", min_ndim=2) for j, w in enumerate(layer)
        )
        d_model = weights[0].shape[0] if d_model is None else d_model
        for j, w in enumerate(weights):
            if w.shape != (d_model, d_model):
                raise ValueError(
                    f"layers[{index}][{j}] must have shape ({d_model}, {d_model}), got {w.shape}"
                )
        checked.append(weights)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    if d_model % num_heads:
        raise ValueError(f"num_heads={num_heads} does not divide d_model={d_model}")
    return checked, int(d_model), num_heads


def _check_tokens(x: Any, d_model: int, name: str, ndim: int) -> np.ndarray:
    array = as_float_array(x, name, min_ndim=ndim)
    if array.ndim != ndim or array.shape[-1] != d_model:
        expected = "(n, d_model)" if ndim == 2 else "(d_model,)"
        raise ValueError(
            f"{name} must have shape {expected} with d_model={d_model}, got {array.shape}"
        )
    if ndim == 2 and array.shape[0] == 0:
        raise ValueError(f"{name} holds no tokens")
    return array


def decoder_forward(
    x: Any, layers: Sequence[Layer], num_heads: int, *, return_cache: bool = False
) -> np.ndarray | tuple[np.ndarray, KVCache]:
    """Run every token through every layer under the causal mask (full recomputation).

    Parameters
    ----------
    x : array_like, shape (n, d_model)
        Token vectors of the sequence so far.
    layers : sequence of (w_q, w_k, w_v, w_o)
        Each (d_model, d_model); layer ``l`` computes
        ``h + multi_head_attention(h, *layers[l], num_heads, causal_mask(n))``.
    num_heads : int
        Must divide d_model.
    return_cache : bool, default False
        Also return each layer's keys and values of all ``n`` tokens: the
        cache a forward pass over a prompt fills before decoding goes on
        token by token.

    Returns
    -------
    out : ndarray, shape (n, d_model)
        The last layer's output of every token.
    cache : KVCache
        Only with ``return_cache=True``.

    Raises
    ------
    TypeError, ValueError
        For ``x`` of the wrong shape, malformed layers or a ``num_heads``
        that does not divide d_model.

    Examples
    --------
    >>> layers = random_decoder(2, 8)
    >>> x = np.random.default_rng(0).normal(size=(5, 8))
    >>> decoder_forward(x, layers, num_heads=2).shape
    (5, 8)
    """
    checked, d_model, num_heads = _check_layers(layers, num_heads)
    h = _check_tokens(x, d_model, "x", ndim=2)
    mask = causal_mask(h.shape[0])
    keys, values = [], []
    for w_q, w_k, w_v, w_o in checked:
        if return_cache:
            keys.append(split_heads(h @ w_k, num_heads))
            values.append(split_heads(h @ w_v, num_heads))
        out, _ = multi_head_attention(h, w_q, w_k, w_v, w_o, num_heads, mask)
        h = h + out
    if return_cache:
        return h, KVCache(tuple(keys), tuple(values))
    return h


def empty_cache(layers: Sequence[Layer], num_heads: int) -> KVCache:
    """A cache holding no tokens: per layer, keys and values of shape (num_heads, 0, d_head).

    Raises
    ------
    TypeError, ValueError
        For malformed layers or a ``num_heads`` that does not divide d_model.

    Examples
    --------
    >>> empty_cache(random_decoder(2, 8), num_heads=4).keys[0].shape
    (4, 0, 2)
    """
    checked, d_model, num_heads = _check_layers(layers, num_heads)
    nothing = np.zeros((num_heads, 0, d_model // num_heads))
    return KVCache((nothing,) * len(checked), (nothing,) * len(checked))


def decode_step(
    x_t: Any, layers: Sequence[Layer], num_heads: int, cache: KVCache
) -> tuple[np.ndarray, KVCache]:
    """The output of one new token, from its own vector and the cache of the earlier ones.

    In each layer the new token's query, key and value are computed from its
    input to that layer; its key and value are appended to the layer's cache;
    its query attends to all cached keys, its own included. No mask is
    needed: the new token's row of the causal mask allows every earlier key
    and itself.

    Parameters
    ----------
    x_t : array_like, shape (d_model,)
        The new token's vector.
    layers : sequence of (w_q, w_k, w_v, w_o)
        As for :func:`decoder_forward`.
    num_heads : int
        Must divide d_model.
    cache : KVCache
        The keys and values of the earlier tokens (from :func:`empty_cache`,
        a previous step or ``decoder_forward(..., return_cache=True)``).

    Returns
    -------
    out_t : ndarray, shape (d_model,)
        Equal (up to rounding) to the last row of
        ``decoder_forward(x[: t + 1], layers, num_heads)``.
    cache : KVCache
        A new cache, one token longer (the given one is not changed).

    Raises
    ------
    TypeError, ValueError
        For ``x_t`` of the wrong shape, malformed layers, or a cache whose
        layers, heads or widths do not match.

    Examples
    --------
    >>> layers = random_decoder(2, 8)
    >>> out, cache = decode_step(np.ones(8), layers, 2, empty_cache(layers, 2))
    >>> out.shape, cache.length
    ((8,), 1)
    """
    checked, d_model, num_heads = _check_layers(layers, num_heads)
    h = _check_tokens(x_t, d_model, "x_t", ndim=1)[None, :]  # (1, d_model)
    if not isinstance(cache, KVCache):
        raise TypeError(f"cache must be a KVCache, got {type(cache).__name__}")
    expected = (num_heads, cache.length, d_model // num_heads)
    if len(cache.keys) != len(checked) or any(
        a.shape != expected for a in cache.keys + cache.values
    ):
        shapes = [k.shape for k in cache.keys]
        raise ValueError(
            f"cache must hold {len(checked)} layers of keys and values shaped "
            f"(num_heads, t, d_head) = {expected}; got keys {shapes}"
        )
    keys, values = [], []
    for layer, (w_q, w_k, w_v, w_o) in enumerate(checked):
        q = split_heads(h @ w_q, num_heads)  # (H, 1, d_head)
        k = np.concatenate([cache.keys[layer], split_heads(h @ w_k, num_heads)], axis=-2)
        v = np.concatenate([cache.values[layer], split_heads(h @ w_v, num_heads)], axis=-2)
        context, _ = scaled_dot_product_attention(q, k, v)  # (H, 1, d_head)
        h = h + merge_heads(context) @ w_o
        keys.append(k)
        values.append(v)
    return h[0], KVCache(tuple(keys), tuple(values))


def decode(
    x: Any, layers: Sequence[Layer], num_heads: int, cache: KVCache | None = None
) -> tuple[np.ndarray, KVCache]:
    """Feed the tokens of ``x`` one at a time through :func:`decode_step`.

    Parameters
    ----------
    x : array_like, shape (n, d_model)
        The tokens, in order (as if the model had generated them).
    layers, num_heads
        As for :func:`decoder_forward`.
    cache : KVCache, optional
        The cache of earlier tokens; default empty.

    Returns
    -------
    out : ndarray, shape (n, d_model)
        Each token's output, computed when the token arrived.
    cache : KVCache
        Longer by ``n`` tokens.

    Raises
    ------
    TypeError, ValueError
        As for :func:`decode_step`.

    Examples
    --------
    >>> layers = random_decoder(2, 8)
    >>> x = np.random.default_rng(0).normal(size=(5, 8))
    >>> out, cache = decode(x, layers, 2)
    >>> bool(np.allclose(out, decoder_forward(x, layers, 2)))
    True
    """
    checked, d_model, num_heads = _check_layers(layers, num_heads)
    tokens = _check_tokens(x, d_model, "x", ndim=2)
    cache = empty_cache(checked, num_heads) if cache is None else cache
    outputs = []
    for x_t in tokens:
        out_t, cache = decode_step(x_t, checked, num_heads, cache)
        outputs.append(out_t)
    return np.stack(outputs), cache


@dataclass(frozen=True)
class TokenCost:
    """CPU seconds to compute the output of token ``n`` (the fastest of the repeats)."""

    n: int
    with_cache: float
    without_cache: float


def time_new_token(
    lengths: Sequence[int],
    layers: Sequence[Layer],
    num_heads: int,
    *,
    repeats: int = 5,
    seed: int = 0,
) -> list[TokenCost]:
    """Measure the cost of one new token as the sequence grows, with and without the cache.

    For each length ``n``: random token vectors (seeded); the cache of the
    first ``n - 1`` tokens is filled once, untimed; then the output of token
    ``n`` is computed ``repeats`` times each way and the fastest kept. Times
    are CPU time (:func:`time.process_time`): the work this process did, not
    the time it waited while other programs ran, so a busy machine disturbs
    them little; the minimum over the repeats removes most of the rest. The
    two ways:

    - with the cache: one :func:`decode_step`;
    - without: :func:`decoder_forward` over all ``n`` tokens, whose last row
      is the same output.

    Parameters
    ----------
    lengths : sequence of int
        Sequence lengths, each at least 1.
    layers, num_heads
        As for :func:`decoder_forward`.
    repeats : int, default 5
        Timings per length and way, at least 1.
    seed : int, default 0
        Seed of the token vectors.

    Returns
    -------
    list of TokenCost
        One per length, in the order given.

    Raises
    ------
    TypeError, ValueError
        For bad lengths or repeats, malformed layers or a ``num_heads`` that
        does not divide d_model.

    Examples
    --------
    >>> costs = time_new_token([4, 8], random_decoder(1, 8), 2, repeats=1)
    >>> [c.n for c in costs]
    [4, 8]
    """
    checked, d_model, num_heads = _check_layers(layers, num_heads)
    repeats = check_int(repeats, "repeats", minimum=1)
    if isinstance(lengths, (str, bytes)) or not isinstance(lengths, Sequence) or not lengths:
        raise ValueError(f"lengths must be a non-empty list of ints, got {lengths!r}")
    rng = np.random.default_rng(seed)
    costs = []
    for n in lengths:
        n = check_int(n, "each length", minimum=1)
        x = rng.normal(size=(n, d_model))
        if n > 1:
            _, cache = decoder_forward(x[:-1], checked, num_heads, return_cache=True)
        else:
            cache = empty_cache(checked, num_heads)
        with_cache = without_cache = np.inf
        for _ in range(repeats):
            start = time.process_time()
            decode_step(x[-1], checked, num_heads, cache)
            with_cache = min(with_cache, time.process_time() - start)
            start = time.process_time()
            decoder_forward(x, checked, num_heads)
            without_cache = min(without_cache, time.process_time() - start)
        costs.append(TokenCost(n, with_cache, without_cache))
    return costs
