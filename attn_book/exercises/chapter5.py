"""Exercises of chapter 5 (Masking).

- ``5.1`` (function): combine a causal and a key padding mask for a batch;
  the verdict names the sequence, the query and the key it must not see
  (in its future, or padding), or the padding query row that was wrongly
  hidden;
- ``5.2`` (function): mask *after* the softmax and renormalise, exactly as
  masking the scores before it, including a row with no allowed key;
- ``5.3`` (function): cross-attention with a source padding mask, from
  attn_core's pieces;
- ``5.4`` (function): one decoding step with a KV cache, checked against
  full recomputation;
- ``5.5`` (value): how many numbers a KV cache holds.

Every expected answer is computed with attn_core and attn_book.decoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from attn_book.decoding import decoder_forward, random_decoder
from attn_book.exercises.calls import call, describe
from attn_book.exercises.compare import (
    as_array,
    expect_array,
    expect_dtype,
    expect_number,
    expect_shape,
)
from attn_book.exercises.registry import exercise
from attn_book.exercises.verdict import Wrong
from attn_book.tokens import (
    EXAMPLE_SENTENCES,
    embed,
    pad_tokens,
    self_attention_projections,
    tokenize,
)
from attn_core import (
    causal_mask,
    combine_masks,
    key_padding_mask,
    scaled_dot_product_attention,
    softmax,
)

# ------------------------------------------------------------------ 5.1

#: The batches of exercise 5.1: the true length of each sequence.
MASK_CASES: tuple[tuple[int, ...], ...] = ((3, 1), (2, 4), (4, 1, 3))


def combined_mask(lengths: Sequence[int], n: int) -> np.ndarray:
    """The right answer of 5.1: causal AND key padding, shape (batch, n, n)."""
    return combine_masks(causal_mask(n), key_padding_mask(list(lengths), n))


def _combined_causal_only(lengths: Sequence[int], n: int) -> np.ndarray:
    return np.broadcast_to(causal_mask(n), (len(lengths), n, n)).copy()


def _combined_padding_only(lengths: Sequence[int], n: int) -> np.ndarray:
    return np.broadcast_to(key_padding_mask(list(lengths), n), (len(lengths), n, n)).copy()


def _combined_queries_masked_too(lengths: Sequence[int], n: int) -> np.ndarray:
    real = key_padding_mask(list(lengths), n)[:, 0]  # (batch, n)
    return combined_mask(lengths, n) & real[:, :, None]


@exercise(
    "5.1",
    title="Combine a causal and a padding mask",
    kind="function",
    hint="Query i may see key j only if j <= i (causal_mask(n), shape (n, n)) AND key j is a "
    "real token (key_padding_mask(lengths, n), shape (batch, 1, n)): combine them with & or "
    "combine_masks. Mask keys only: a padding query row keeps the real keys.",
    solution=combined_mask,
    wrong_answers=[
        (_combined_causal_only, "which is padding"),
        (_combined_padding_only, "in its future"),
        (_combined_queries_masked_too, "a padding mask masks keys only"),
        (lambda lengths, n: causal_mask(n), "expected (2, 3, 3)"),
        (lambda lengths, n: combined_mask(lengths, n).astype(int), "expected booleans"),
    ],
)
def check_combined_mask(function: Any) -> str:
    """``function(lengths, n)`` must return causal AND key padding, (batch, n, n)."""
    for lengths in MASK_CASES:
        n = max(lengths)
        expected = combined_mask(lengths, n)
        name = f"your mask for lengths={list(lengths)}, n={n}"
        got = as_array(call(function, list(lengths), n), name=name)
        expect_shape(got, expected.shape, name=name)
        expect_dtype(got, "bool", name=name)
        bad = np.argwhere(got != expected)
        if bad.size == 0:
            continue
        b, i, j = (int(x) for x in bad[0])
        where = f"{name}: in sequence {b} (length {lengths[b]}), "
        if got[b, i, j]:
            reason = "in its future" if j > i else "which is padding"
            raise Wrong(where + f"query {i} may see key {j}, {reason}")
        if i >= lengths[b]:
            raise Wrong(
                where + f"query {i} is padding and you hid key {j} from it: a padding mask "
                "masks keys only, so a padding query row keeps the real keys up to itself "
                "(its output is discarded later)"
            )
        raise Wrong(
            where + f"you hid key {j} from query {i}, but it is a real token at or before {i}"
        )
    return "causal AND key padding for every batch, padding query rows kept"


# ------------------------------------------------------------------ 5.2


def _chapter_scores() -> np.ndarray:
    """The scaled scores of the chapter's sentence (chapter 3's projections)."""
    x = embed(tokenize(EXAMPLE_SENTENCES["pronoun"]))
    w_q, w_k, _ = self_attention_projections()
    q, k = x @ w_q, x @ w_k
    return q @ k.T / np.sqrt(q.shape[-1])


def _after_softmax_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(description, scores, mask): the chapter's causal case, and a padding
    case whose first query, itself padding on the left, has no allowed key."""
    scores = _chapter_scores()
    n = scores.shape[0]
    left_padded = np.arange(n) >= 3  # the first three positions are padding
    mask = combine_masks(causal_mask(n), left_padded[None, :])
    return [
        ("the causal mask", scores, causal_mask(n)),
        ("causal AND left padding (rows 0 to 2 have no allowed key)", scores, mask),
    ]


def mask_after_softmax_solution(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The right answer of 5.2: zero the masked weights, divide each row by its sum."""
    kept = np.where(mask, weights, 0.0)
    totals = kept.sum(axis=-1, keepdims=True)
    return kept / np.where(totals == 0.0, 1.0, totals)


def _after_no_renormalise(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return weights * mask


def _after_unguarded(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    kept = weights * mask
    return kept / kept.sum(axis=-1, keepdims=True)


@exercise(
    "5.2",
    title="Mask after the softmax, exactly",
    kind="function",
    hint="Set the masked weights to 0 (np.where(mask, weights, 0.0)), then divide each row by its "
    "new sum. A row with no allowed key sums to 0: leave it all zeros instead of dividing 0 by 0.",
    solution=mask_after_softmax_solution,
    wrong_answers=[
        (_after_no_renormalise, "renormalise"),
        (_after_unguarded, "has no allowed key"),
        (lambda weights, mask: weights, "which the mask hides"),
    ],
)
def check_mask_after_softmax(function: Any) -> str:
    """``function(weights, mask)`` must equal masking the scores with -inf before the softmax."""
    for description, scores, mask in _after_softmax_cases():
        expected = softmax(np.where(mask, scores, -np.inf))
        name = f"your array of weights for {description}"
        got = as_array(call(function, softmax(scores), mask), name=name)
        expect_shape(got, expected.shape, name=name)
        expect_dtype(got, "float", name=name)
        nan_rows = np.flatnonzero(np.isnan(got).any(axis=-1))
        empty = [int(r) for r in nan_rows if not mask[r].any()]
        if empty:
            raise Wrong(
                f"{name}: row {empty[0]} has no allowed key, and dividing its zeros by their sum "
                "(0) gives NaN; return zeros for such a row (attn_core's rule)"
            )
        leaks = np.argwhere(~mask & (got != 0.0))
        if leaks.size:
            i, j = (int(x) for x in leaks[0])
            raise Wrong(
                f"{name}: row {i} gives weight {got[i, j]:.3g} to key {j}, which the mask hides"
            )
        sums = got.sum(axis=-1)
        off = np.flatnonzero(mask.any(axis=-1) & ~np.isclose(sums, 1.0))
        if off.size:
            i = int(off[0])
            raise Wrong(
                f"{name}: row {i} sums to {sums[i]:.3f}, not 1; renormalise: divide each row "
                "by its sum after zeroing"
            )
        expect_array(got, expected, name=name, axes=("query", "key"))
    return "equal to masking before the softmax, zero rows included"


# ------------------------------------------------------------------ 5.3

#: Exercise 5.3's batch: decoder tokens (queries) and source sentences (keys, values).
CROSS_TARGETS: tuple[str, ...] = ("it was tired", "the cat slept")
CROSS_SOURCES: tuple[str, ...] = ("the cat sat because it was tired", "the fluffy cat slept")


def cross_attention_data() -> dict[str, Any]:
    """The inputs of 5.3: ``y`` (2, 3, 8), ``memory`` (2, 7, 8) padded, ``src_lengths`` [7, 4]."""
    targets = [tokenize(t) for t in CROSS_TARGETS]
    sources = [tokenize(s) for s in CROSS_SOURCES]
    w_q, w_k, w_v = self_attention_projections()
    return {
        "y": np.stack([embed(t) for t in targets]),
        "memory": np.stack([embed(s) for s in pad_tokens(sources)]),
        "src_lengths": [len(s) for s in sources],
        "w_q": w_q,
        "w_k": w_k,
        "w_v": w_v,
    }


def cross_attention_solution(
    y: np.ndarray,
    memory: np.ndarray,
    src_lengths: Sequence[int],
    w_q: np.ndarray,
    w_k: np.ndarray,
    w_v: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The right answer of 5.3: queries from ``y``, keys and values from ``memory``."""
    mask = key_padding_mask(list(src_lengths), memory.shape[-2])  # (batch, 1, n_src)
    return scaled_dot_product_attention(y @ w_q, memory @ w_k, memory @ w_v, mask)


def _cross_no_mask(y, memory, src_lengths, w_q, w_k, w_v):
    return scaled_dot_product_attention(y @ w_q, memory @ w_k, memory @ w_v)


def _cross_causal(y, memory, src_lengths, w_q, w_k, w_v):
    n_q, n_k = y.shape[-2], memory.shape[-2]
    causal = np.tril(np.ones((n_q, n_k), dtype=bool))
    mask = key_padding_mask(list(src_lengths), n_k) & causal
    return scaled_dot_product_attention(y @ w_q, memory @ w_k, memory @ w_v, mask)


def _cross_swapped(y, memory, src_lengths, w_q, w_k, w_v):
    return scaled_dot_product_attention(memory @ w_q, y @ w_k, y @ w_v)


def _cross_flat_mask(y, memory, src_lengths, w_q, w_k, w_v):
    real = key_padding_mask(list(src_lengths), memory.shape[-2])[:, 0]  # (batch, n_src)
    return scaled_dot_product_attention(y @ w_q, memory @ w_k, memory @ w_v, real)


@exercise(
    "5.3",
    title="Cross-attention with a source padding mask",
    kind="function",
    hint="Queries y @ w_q come from the decoder; keys memory @ w_k and values memory @ w_v from "
    "the encoder. The mask is key_padding_mask(src_lengths, n_src), shape (batch, 1, n_src); no "
    "causal mask. scaled_dot_product_attention returns (context, weights).",
    solution=cross_attention_solution,
    wrong_answers=[
        (_cross_no_mask, "which is padding"),
        (_cross_causal, "no causal mask"),
        (_cross_swapped, "queries come from y"),
        (_cross_flat_mask, "does not broadcast"),
    ],
)
def check_cross_attention(function: Any) -> str:
    """``function(y, memory, src_lengths, w_q, w_k, w_v)`` -> ``(context, weights)``."""
    data = cross_attention_data()
    expected_context, expected_weights = cross_attention_solution(**data)
    lengths = data["src_lengths"]
    result = call(
        function,
        data["y"],
        data["memory"],
        lengths,
        data["w_q"],
        data["w_k"],
        data["w_v"],
    )
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Wrong(
            f"your function returned {describe(result)}; return the pair (context, weights), "
            "as scaled_dot_product_attention does"
        )
    context, weights = result
    weights = as_array(weights, name="your array of weights")
    batch, n_q, n_k = expected_weights.shape
    if weights.shape != expected_weights.shape:
        message = f"your weights have shape {weights.shape}, expected (batch, n_q, n_k) = "
        message += f"{expected_weights.shape}"
        if weights.ndim == 3 and weights.shape[-2] == n_k:
            message += ": the queries come from y (the decoder), the keys from memory"
        raise Wrong(message)
    expect_dtype(weights, "float", name="your array of weights")
    for b, length in enumerate(lengths):
        leaks = np.argwhere(weights[b, :, length:] != 0.0)
        if leaks.size:
            i, j = int(leaks[0][0]), int(leaks[0][1]) + length
            raise Wrong(
                f"in sentence {b} (source length {length}), query {i} gives weight "
                f"{weights[b, i, j]:.3g} to source key {j}, which is padding: pass "
                "key_padding_mask(src_lengths, n_src) as the mask"
            )
        hidden = np.argwhere(weights[b, :, :length] == 0.0)
        if hidden.size:
            i, j = (int(x) for x in hidden[0])
            raise Wrong(
                f"in sentence {b}, query {i} gives no weight to source key {j}, a real token: "
                "cross-attention uses no causal mask (the whole source is known before decoding)"
            )
    expect_array(
        weights, expected_weights, name="your array of weights", axes=("sentence", "query", "key")
    )
    expect_array(context, expected_context, name="your array of context vectors")
    return f"weights {expected_weights.shape}: {n_q} decoder queries over {n_k} source keys"


# ------------------------------------------------------------------ 5.4


def kv_cache_data() -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The inputs of 5.4: the chapter's sentence and chapter 3's ``W_q, W_k, W_v``."""
    return embed(tokenize(EXAMPLE_SENTENCES["pronoun"])), self_attention_projections()


def kv_step_solution(
    x_t: np.ndarray,
    k_cache: np.ndarray,
    v_cache: np.ndarray,
    w_q: np.ndarray,
    w_k: np.ndarray,
    w_v: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The right answer of 5.4: append the new key and value, then attend with the new query."""
    k_cache = np.concatenate([k_cache, x_t @ w_k])
    v_cache = np.concatenate([v_cache, x_t @ w_v])
    out, _ = scaled_dot_product_attention(x_t @ w_q, k_cache, v_cache)
    return out, k_cache, v_cache


def _step_without_cache(x_t, k_cache, v_cache, w_q, w_k, w_v):
    k_cache = np.concatenate([k_cache, x_t @ w_k])
    v_cache = np.concatenate([v_cache, x_t @ w_v])
    out, _ = scaled_dot_product_attention(x_t @ w_q, x_t @ w_k, x_t @ w_v)
    return out, k_cache, v_cache


def _step_not_appending(x_t, k_cache, v_cache, w_q, w_k, w_v):
    keys = np.concatenate([k_cache, x_t @ w_k])
    values = np.concatenate([v_cache, x_t @ w_v])
    out, _ = scaled_dot_product_attention(x_t @ w_q, keys, values)
    return out, k_cache, v_cache


def _step_caching_outputs(x_t, k_cache, v_cache, w_q, w_k, w_v):
    k_cache = np.concatenate([k_cache, x_t @ w_k])
    out, _ = scaled_dot_product_attention(x_t @ w_q, k_cache, np.concatenate([v_cache, x_t @ w_v]))
    return out, k_cache, np.concatenate([v_cache, out])


@exercise(
    "5.4",
    title="Decode with a KV cache",
    kind="function",
    hint="Append the new token's key x_t @ w_k and value x_t @ w_v to the caches "
    "(np.concatenate along axis 0) first, then attend with its query x_t @ w_q over all cached "
    "keys and values: scaled_dot_product_attention(q, k_cache, v_cache). No mask is needed.",
    solution=kv_step_solution,
    wrong_answers=[
        (_step_without_cache, "attended only to itself"),
        (_step_not_appending, "append the new token's key"),
        (_step_caching_outputs, "not the output"),
    ],
)
def check_kv_step(function: Any) -> str:
    """Feed the sentence one token at a time; outputs must equal full recomputation."""
    x, (w_q, w_k, w_v) = kv_cache_data()
    n = x.shape[0]
    keys, values = x @ w_k, x @ w_v
    expected, _ = scaled_dot_product_attention(x @ w_q, keys, values, causal_mask(n))
    k_cache, v_cache = np.zeros((0, keys.shape[1])), np.zeros((0, values.shape[1]))
    for t in range(n):
        result = call(function, x[t : t + 1], k_cache, v_cache, w_q, w_k, w_v)
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise Wrong(
                f"your step for token {t} returned {describe(result)}; return the triple "
                "(output, k_cache, v_cache)"
            )
        out, k_new, v_new = result
        name = f"your output for token {t}"
        out = as_array(out, name=name)
        expect_shape(out, (1, expected.shape[1]), name=name)
        for what, got, right in (("key", k_new, keys), ("value", v_new, values)):
            cache_name = f"your {what} cache after token {t}"
            got = as_array(got, name=cache_name)
            if got.shape == (t, right.shape[1]):
                raise Wrong(
                    f"{cache_name} still holds {t} rows: append the new token's {what} "
                    f"(x_t @ w_{what[0]}) to it and return the longer cache"
                )
            if (
                what == "value"
                and got.shape == (t + 1, right.shape[1])
                and np.allclose(got[t], out[0])
                and not np.allclose(out[0], right[t])
            ):
                raise Wrong(
                    f"the last row of {cache_name} is the step's output; a KV cache keeps "
                    "the value x_t @ w_v, not the output"
                )
            expect_array(got, right[: t + 1], name=cache_name, axes=("token", "feature"))
        k_cache, v_cache = np.asarray(k_new), np.asarray(v_new)
        if t > 0 and np.allclose(out, values[t]) and not np.allclose(expected[t], values[t]):
            raise Wrong(
                f"{name} is token {t}'s own value: it attended only to itself; its query must "
                f"attend to all cached keys and values, tokens 0 to {t}"
            )
        expect_array(out, expected[t : t + 1], name=name)
    return f"all {n} outputs equal full recomputation under the causal mask"


# ------------------------------------------------------------------ 5.5

#: Exercise 5.5's decoder and sequence: layers, width, heads, tokens decoded.
CACHE_LAYERS, CACHE_D_MODEL, CACHE_HEADS, CACHE_TOKENS = 2, 64, 4, 20


def cache_size() -> int:
    """The right answer of 5.5, counted from a real cache."""
    layers = random_decoder(CACHE_LAYERS, CACHE_D_MODEL)
    x = np.random.default_rng(0).normal(size=(CACHE_TOKENS, CACHE_D_MODEL))
    _, cache = decoder_forward(x, layers, CACHE_HEADS, return_cache=True)
    return cache.size


_SIZE = cache_size()


@exercise(
    "5.5",
    title="How big is a KV cache?",
    kind="value",
    hint="Each layer keeps a key AND a value for every token so far, each of d_model numbers "
    "(num_heads x d_head); the heads split d_model, they do not multiply it.",
    solution=_SIZE,
    wrong_answers=[
        (_SIZE // 2, "too small"),
        (_SIZE * CACHE_HEADS, "too large"),
        (str(_SIZE), "drop the quotes"),
    ],
)
def check_cache_size(answer: Any) -> None:
    """Numbers in the cache of a 2-layer decoder, d_model 64 (4 heads), after 20 tokens."""
    if isinstance(answer, (int, np.integer)) and not isinstance(answer, bool):
        if answer == _SIZE // 2:
            raise Wrong(
                f"{answer} is too small: each layer keeps a key AND a value for every token "
                "(half of the total is only one of them)"
            )
        if answer == _SIZE * CACHE_HEADS:
            raise Wrong(
                f"{answer} is too large: the {CACHE_HEADS} heads split d_model = "
                f"{CACHE_D_MODEL} into {CACHE_HEADS} x {CACHE_D_MODEL // CACHE_HEADS}, "
                "they do not multiply it"
            )
    expect_number(answer, _SIZE, integer=True)
