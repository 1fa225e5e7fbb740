"""Exercises of chapter 2 (Intuition: attention as alignment and soft lookup).

- ``2.1`` (function): a soft lookup, ``softmax(keys @ query / temperature) @ values``,
  that survives large scores;
- ``2.2`` (function): a hard lookup, the value of the key with the largest dot product;
- ``2.3`` (function): Luong's *general* score ``q W k^T`` for every query and key;
- ``2.4`` (value): the multiply-adds of self-attention (Table 1's ``O(n^2 d)``) for given n, d;
- ``2.5`` (value): the memory of the attention weights of a whole model.

The right answers come from the book's code: :mod:`attn_book.lookup` for the
lookups, :func:`attn_book.cost.multiply_adds` for the count. Each checker
first recognises the typical mistakes (temperature multiplied instead of
divided, the weights returned instead of the answer, the key instead of its
value, ``W`` left out or transposed) and names them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from attn_book.cost import multiply_adds
from attn_book.exercises.calls import call
from attn_book.exercises.compare import as_array, expect_array, expect_finite, expect_number
from attn_book.exercises.registry import exercise
from attn_book.exercises.verdict import Wrong
from attn_book.lookup import hard_lookup, soft_lookup
from attn_core import softmax

# ---------------------------------------------------------------- 2.1 soft lookup

#: The test lookups of 2.1: (what, query, keys, values, temperature).
LookupCase = tuple[str, np.ndarray, np.ndarray, np.ndarray, float]


def _soft_cases() -> Iterator[LookupCase]:
    rng = np.random.default_rng(21)
    keys = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    values = np.array([[10.0, 0.0], [0.0, 10.0], [-10.0, 5.0]])
    yield "three keys, temperature 1", np.array([0.8, 0.5]), keys, values, 1.0
    yield "three keys, temperature 0.5", np.array([0.8, 0.5]), keys, values, 0.5
    yield (
        "five random keys of width 4, temperature 2",
        rng.normal(size=4),
        rng.normal(size=(5, 4)),
        rng.normal(size=(5, 3)),
        2.0,
    )
    # Scores of 900, 600 and -1500: exp(900) overflows to inf unless the
    # largest score is subtracted first.
    yield "large scores (900, 600, -1500)", np.array([30.0, 20.0]), 30.0 * keys, values, 1.0


def soft_lookup_solution(
    query: np.ndarray, keys: np.ndarray, values: np.ndarray, temperature: float
) -> np.ndarray:
    """The book's answer to 2.1: the answer vector of :func:`attn_book.lookup.soft_lookup`."""
    return soft_lookup(query, keys, values, temperature)[0]


def _matches(got: np.ndarray, expected: np.ndarray) -> bool:
    """Whether an array answer equals ``expected`` (same shape, finite, close)."""
    return (
        got.shape == expected.shape
        and got.dtype.kind in "biuf"
        and bool(np.all(np.isfinite(got)))
        and np.allclose(got, expected, atol=1e-6, rtol=1e-6)
    )


def _mix(scores: np.ndarray, values: np.ndarray) -> np.ndarray:
    return softmax(scores) @ values


def _naive_soft(query, keys, values, temperature):
    weights = np.exp(keys @ query / temperature)
    return (weights / weights.sum()) @ values


@exercise(
    "2.1",
    title="Write a soft lookup",
    kind="function",
    hint="Scores keys @ query, divided by the temperature; subtract their maximum, "
    "exponentiate and divide by the sum to get the weights; return weights @ values.",
    solution=soft_lookup_solution,
    wrong_answers=[
        (lambda q, k, v, t: _mix(k @ q * t, v), "multiplied the scores by the temperature"),
        (lambda q, k, v, t: softmax(k @ q / t), "returned the weights"),
        (lambda q, k, v, t: (k @ q / t) @ v, "no softmax"),
        (_naive_soft, "subtract the largest score"),
        (lambda q, k, v, t: _mix(k @ q / t, v).tolist(), "not a NumPy array"),
    ],
)
def check_soft_lookup(function: Any) -> str:
    """The reader's ``function(query, keys, values, temperature)`` must return the answer vector."""
    for what, query, keys, values, temperature in _soft_cases():
        answer, weights = soft_lookup(query, keys, values, temperature)
        name = f"your answer for {what}"
        got = as_array(call(function, query, keys, values, temperature), name=name)
        if _matches(got, answer):
            continue
        scores = keys @ query
        if _matches(got, weights):
            raise Wrong(
                f"{name} holds the {len(weights)} weights: you returned the weights; "
                "return their mix of the values, weights @ values"
            )
        if _matches(got, _mix(scores * temperature, values)):
            raise Wrong(
                f"{name}: you multiplied the scores by the temperature; divide them by it "
                "(a small temperature must make the lookup harder)"
            )
        if _matches(got, (scores / temperature) @ values):
            raise Wrong(
                f"{name}: you mixed the values with the raw scores (no softmax); "
                "the weights must be positive and sum to 1"
            )
        if got.shape == answer.shape and got.dtype.kind == "f" and not np.all(np.isfinite(got)):
            raise Wrong(
                f"{name} contains NaN or inf: exp of a score of several hundred overflows; "
                "subtract the largest score before exp (the softmax does not change)"
            )
        expect_finite(got, name=name)
        expect_array(got, answer, name=name)
    return "your lookup matches soft_lookup for four lookups, large scores included"


# ---------------------------------------------------------------- 2.2 hard lookup


def _hard_cases() -> Iterator[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(22)
    yield (
        "six random keys",
        rng.normal(size=3),
        rng.normal(size=(6, 3)),
        rng.normal(size=(6, 2)),
    )
    # The longest key wins the dot product although another key is nearer.
    keys = np.array([[5.0, 0.0], [1.0, 1.0], [-1.0, 0.5]])
    values = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    yield "a long key and a near key", np.array([0.9, 1.0]), keys, values


def hard_lookup_solution(query: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The book's answer to 2.2: the answer of :func:`attn_book.lookup.hard_lookup`."""
    return hard_lookup(query, keys, values)[0]


@exercise(
    "2.2",
    title="Write a hard lookup",
    kind="function",
    hint="Compute the scores keys @ query, find the index of the largest with "
    "np.argmax, and return the value stored at that index.",
    solution=hard_lookup_solution,
    wrong_answers=[
        (lambda q, k, v: v[np.argmin(k @ q)], "smallest score"),
        (lambda q, k, v: k[np.argmax(k @ q)], "returned the key"),
        (lambda q, k, v: int(np.argmax(k @ q)), "returned the index"),
        (
            lambda q, k, v: v[np.argmin(np.linalg.norm(k - q, axis=1))],
            "nearest key by distance",
        ),
    ],
)
def check_hard_lookup(function: Any) -> str:
    """The reader's ``function(query, keys, values)`` must return the best key's value."""
    for what, query, keys, values in _hard_cases():
        name = f"your answer for {what}"
        result = call(function, query, keys, values)
        scores = keys @ query
        best = int(np.argmax(scores))
        if isinstance(result, (int, np.integer)) and not isinstance(result, bool):
            raise Wrong(
                f"{name} is the number {result}: you returned the index of a key; "
                "return the value stored under it, values[index]"
            )
        got = as_array(result, name=name)
        if _matches(got, values[best]):
            continue
        if _matches(got, values[int(np.argmin(scores))]):
            raise Wrong(f"{name} is the value of the key with the smallest score; use argmax")
        nearest = int(np.argmin(np.linalg.norm(keys - query, axis=1)))
        if _matches(got, values[nearest]):
            raise Wrong(
                f"{name} is the value of the nearest key by distance; the lookup "
                "picks the key with the largest dot product keys @ query"
            )
        if _matches(got, keys[best]):
            raise Wrong(f"{name}: you returned the key; return the value stored under it")
        expect_array(got, values[best], name=name)
    return "your lookup returns the best-aligned key's value, even when a nearer key exists"


# ---------------------------------------------------------------- 2.3 general score


def general_score_solution(q: np.ndarray, k: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Luong et al.'s *general* score for every query and key: ``q W k^T``."""
    return q @ w @ k.T


def _general_cases() -> Iterator[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(23)
    yield (
        "3 queries, 5 keys, d = 4",
        rng.normal(size=(3, 4)),
        rng.normal(size=(5, 4)),
        rng.normal(size=(4, 4)),
    )
    yield (
        "2 queries of width 4, 3 keys of width 6",
        rng.normal(size=(2, 4)),
        rng.normal(size=(3, 6)),
        rng.normal(size=(4, 6)),
    )


@exercise(
    "2.3",
    title="Write Luong's general score",
    kind="function",
    hint="Row i, column j is q[i] @ W @ k[j]; for all pairs at once, q @ W @ k.T "
    "gives shape (n_q, n_k).",
    solution=general_score_solution,
    wrong_answers=[
        (lambda q, k, w: q @ k.T, "W is missing"),
        (lambda q, k, w: q @ w.T @ k.T, "W transposed"),
        (lambda q, k, w: k @ w.T @ q.T, "rows and columns swapped"),
        (lambda q, k, w: (q @ w @ k.T).tolist(), "not a NumPy array"),
    ],
)
def check_general_score(function: Any) -> str:
    """The reader's ``function(q, k, w)`` must return the (n_q, n_k) matrix ``q W k^T``."""
    for what, q, k, w in _general_cases():
        name = f"your scores for {what}"
        expected = general_score_solution(q, k, w)
        got = as_array(call(function, q, k, w), name=name)
        if _matches(got, expected):
            continue
        if q.shape[1] == k.shape[1] and _matches(got, q @ k.T):
            raise Wrong(f"{name} equal the dot score q @ k.T: W is missing")
        if w.shape[0] == w.shape[1] and _matches(got, q @ w.T @ k.T):
            raise Wrong(f"{name} use W transposed: compute q @ W @ k.T")
        expect_array(got, expected, name=name, axes=("query", "key"))
    return "your general score matches q @ W @ k.T, for a square and a rectangular W"


# ---------------------------------------------------------------- 2.4 cost

#: Sequence length and width of exercise 2.4.
COST_N, COST_D = 2048, 64


def _attention_multiply_adds() -> int:
    return multiply_adds(COST_N, COST_D)["self-attention"]


@exercise(
    "2.4",
    title="Count the multiply-adds of self-attention",
    kind="value",
    hint="Each of the n x n scores is a dot product of length d; then each of the "
    "n outputs mixes n values of width d: n*n*d multiply-adds each.",
    solution=_attention_multiply_adds(),
    wrong_answers=[
        (COST_N * COST_N * COST_D, "only the scores"),
        (2 * COST_N * COST_D * COST_D, "recurrent layer's count"),
        (COST_N * COST_N, "far too small"),
        (str(_attention_multiply_adds()), "drop the quotes"),
    ],
)
def check_attention_multiply_adds(answer: Any) -> None:
    """Multiply-adds of Q K^T and of the weighted sum for n = 2048, d = 64."""
    expected = _attention_multiply_adds()
    if isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(answer, bool):
        if answer == COST_N * COST_N * COST_D:
            raise Wrong(
                f"{answer} counts only the scores Q K^T; the weighted sum of the values "
                "costs as many multiply-adds again"
            )
        if answer == multiply_adds(COST_N, COST_D)["recurrent"]:
            raise Wrong(f"{answer} is 2 n d^2, the recurrent layer's count, not attention's")
        if answer == expected + multiply_adds(COST_N, COST_D)["projections"]:
            raise Wrong(
                f"{answer} includes the projections; count only what Table 1 counts, "
                "the scores and the weighted sum"
            )
    expect_number(answer, expected, integer=True)


# ---------------------------------------------------------------- 2.5 memory

#: The model of exercise 2.5: sequence length, layers, heads per layer.
MEMORY_N, MEMORY_LAYERS, MEMORY_HEADS = 4096, 32, 32


def _weights_gib(itemsize: int = np.dtype(np.float32).itemsize) -> float:
    return MEMORY_LAYERS * MEMORY_HEADS * MEMORY_N * MEMORY_N * itemsize / 2**30


@exercise(
    "2.5",
    title="The memory of all the attention weights",
    kind="value",
    hint="One n x n matrix of float32 takes n*n*4 bytes; every head of every layer "
    "keeps its own; 1 GiB = 2**30 bytes.",
    solution=_weights_gib(),
    wrong_answers=[
        (_weights_gib(np.dtype(np.float64).itemsize), "8 bytes"),
        (_weights_gib() / MEMORY_LAYERS, "one layer"),
        (_weights_gib() * 2**10, "MiB"),
        (None, "None"),
    ],
)
def check_weights_memory(answer: Any) -> None:
    """GiB of float32 attention weights: 32 layers x 32 heads, one sequence of 4096 tokens."""
    expected = _weights_gib()
    if isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(answer, bool):
        mistakes: list[tuple[float, str]] = [
            (_weights_gib(8), "counts 8 bytes a number (float64); float32 takes 4"),
            (
                expected / MEMORY_LAYERS,
                f"counts {MEMORY_HEADS} matrices, the heads of one layer; every head of "
                f"every layer keeps its own: {MEMORY_LAYERS} x {MEMORY_HEADS}",
            ),
            (expected * 2**10, "is in MiB; divide by 2**30, not 2**20, for GiB"),
            (expected * 2**30, "is in bytes; divide by 2**30 for GiB"),
        ]
        for value, message in mistakes:
            if np.isclose(float(answer), value, rtol=1e-9):
                raise Wrong(f"{answer:g} {message}")
    expect_number(answer, expected, rtol=1e-6)
