"""Causal decoding one token at a time (chapter 5, section 5.8): full recomputation, or a KV cache.

The model is a stack of attention-only layers ``x + MHA(x)``, each
:func:`attn_core.multi_head_attention` under the causal mask (a real
decoder's MLP and layer norms act on each position alone, so they change
nothing about what is cached). :func:`decoder_forward` runs the whole prefix
again; :func:`decode_step` keeps each layer's keys and values, the KV cache,
and attends with the new token's one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from attn_book.heads import random_projections
from attn_core import (
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    split_heads,
)

#: One layer's weights: ``(w_q, w_k, w_v, w_o)``, each (d_model, d_model).
Layer = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class KVCache(NamedTuple):
    """Per layer, the keys and values of the tokens so far, each (num_heads, t, d_head).

    The layout of Hugging Face's cache, ``[batch, num_heads, seq_len, head_dim]``,
    without the batch axis.
    """

    keys: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...]

    @property
    def length(self) -> int:
        """How many tokens the cache holds."""
        return self.keys[0].shape[-2]

    @property
    def size(self) -> int:
        """How many numbers the cache holds: layers x 2 (k and v) x tokens x d_model."""
        return sum(k.size + v.size for k, v in zip(self.keys, self.values, strict=True))


def random_decoder(num_layers: int, d_model: int, seed: int = 0) -> list[Layer]:
    """Seeded weights for a stack of attention layers: layer ``l`` gets seed ``seed + l``.

    Parameters
    ----------
    num_layers, d_model : int
    seed : int, default 0

    Returns
    -------
    list of (w_q, w_k, w_v, w_o), from :func:`attn_book.heads.random_projections`
    """
    return [random_projections(d_model, seed + layer) for layer in range(num_layers)]


def decoder_forward(
    x: np.ndarray, layers: Sequence[Layer], num_heads: int, *, return_cache: bool = False
) -> np.ndarray | tuple[np.ndarray, KVCache]:
    """Run every token through every layer under the causal mask (full recomputation).

    Parameters
    ----------
    x : ndarray, shape (n, d_model)
        Token vectors of the sequence so far.
    layers : sequence of (w_q, w_k, w_v, w_o)
        Layer ``l`` computes ``h + multi_head_attention(h, *layers[l], num_heads, causal_mask(n))``.
    num_heads : int
    return_cache : bool, default False
        Also return each layer's keys and values of all ``n`` tokens: the
        cache a pass over a prompt fills before decoding goes on token by token.

    Returns
    -------
    out : ndarray, shape (n, d_model)
    cache : KVCache, only with ``return_cache=True``
    """
    h, mask, keys, values = x, causal_mask(len(x)), [], []
    for w_q, w_k, w_v, w_o in layers:
        if return_cache:  # not otherwise: the timing of full recomputation must not pay for it
            keys.append(split_heads(h @ w_k, num_heads))
            values.append(split_heads(h @ w_v, num_heads))
        h = h + multi_head_attention(h, w_q, w_k, w_v, w_o, num_heads, mask)[0]
    return (h, KVCache(tuple(keys), tuple(values))) if return_cache else h


def decode_step(
    x_t: np.ndarray, layers: Sequence[Layer], num_heads: int, cache: KVCache
) -> tuple[np.ndarray, KVCache]:
    """The output of one new token, from its own vector and the cache of the earlier ones.

    In each layer the new token's key and value are appended to the layer's
    cache and its one query attends to all of them, its own included; no mask
    is needed, since its row of the causal mask allows every key.

    Parameters
    ----------
    x_t : ndarray, shape (d_model,)
    layers, num_heads
        As for :func:`decoder_forward`.
    cache : KVCache
        The earlier tokens' keys and values (not changed).

    Returns
    -------
    out_t : ndarray, shape (d_model,)
        The last row of ``decoder_forward`` over all the tokens.
    cache : KVCache
        One token longer.
    """
    h, keys, values = x_t[None, :], [], []  # (1, d_model)
    for (w_q, w_k, w_v, w_o), k_old, v_old in zip(layers, cache.keys, cache.values, strict=True):
        k = np.concatenate([k_old, split_heads(h @ w_k, num_heads)], axis=-2)  # (H, t + 1, d_head)
        v = np.concatenate([v_old, split_heads(h @ w_v, num_heads)], axis=-2)
        context, _ = scaled_dot_product_attention(split_heads(h @ w_q, num_heads), k, v)
        h = h + merge_heads(context) @ w_o
        keys.append(k)
        values.append(v)
    return h[0], KVCache(tuple(keys), tuple(values))


def decode(
    x: np.ndarray, layers: Sequence[Layer], num_heads: int, cache: KVCache | None = None
) -> tuple[np.ndarray, KVCache]:
    """Feed the tokens of ``x`` one at a time through :func:`decode_step`.

    Parameters
    ----------
    x : ndarray, shape (n, d_model)
    layers, num_heads
        As for :func:`decoder_forward`.
    cache : KVCache, optional
        The earlier tokens' keys and values; default empty.

    Returns
    -------
    out : ndarray, shape (n, d_model)
        Each token's output, computed when it arrived.
    cache : KVCache
        Longer by ``n`` tokens.
    """
    if cache is None:
        nothing = np.zeros((num_heads, 0, x.shape[-1] // num_heads))
        cache = KVCache((nothing,) * len(layers), (nothing,) * len(layers))
    outputs = []
    for x_t in x:
        out_t, cache = decode_step(x_t, layers, num_heads, cache)
        outputs.append(out_t)
    return np.stack(outputs), cache
