"""Chapter 2's exercises: a soft and a hard lookup, Luong's general score, cost and memory."""

from __future__ import annotations

import numpy as np

from attn_book.cost import multiply_adds
from attn_book.exercises.core import function_exercise, value_exercise
from attn_core import softmax

_RNG = np.random.default_rng(21)
_KEYS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
_VALUES = np.array([[10.0, 0.0], [0.0, 10.0], [-10.0, 5.0]])


def _normal(*shapes) -> tuple:
    """Random test arrays of these shapes."""
    return tuple(_RNG.normal(size=shape) for shape in shapes)


def soft_lookup(query, keys, values, temperature):
    """2.1: the values mixed with the weights softmax(keys @ query / temperature)."""
    return softmax(keys @ query / temperature) @ values


def _naive_soft(query, keys, values, temperature):
    """The softmax without subtracting the largest score: exp(900) overflows."""
    weights = np.exp(keys @ query / temperature)
    return weights / weights.sum() @ values


function_exercise(
    "2.1",
    "Write a soft lookup",
    "Scores keys @ query / temperature; subtract their maximum, exponentiate, divide by the "
    "sum: the weights; return weights @ values.",
    soft_lookup,
    [
        ("for three keys at temperature 1", (np.array([0.8, 0.5]), _KEYS, _VALUES, 1.0)),
        ("for three keys at temperature 0.5", (np.array([0.8, 0.5]), _KEYS, _VALUES, 0.5)),
        ("for five random keys of width 4 at temperature 2", (*_normal(4, (5, 4), (5, 3)), 2.0)),
        ("for scores of 900, 600 and -1500", (np.array([30.0, 20.0]), 30 * _KEYS, _VALUES, 1.0)),
    ],
    [
        (lambda q, k, v, t: softmax(k @ q * t) @ v, "divide the scores by the temperature"),
        (
            lambda q, k, v, t: softmax(k @ q / t),
            "you returned the weights: return weights @ values",
        ),
        (lambda q, k, v, t: (k @ q / t) @ v, "you mixed the values with the raw scores: softmax"),
        (_naive_soft, "exp(900) is inf: subtract the largest score before np.exp"),
    ],
)


def hard_lookup(query, keys, values):
    """2.2: the value under the key with the largest dot product with the query."""
    return values[np.argmax(keys @ query)]


function_exercise(
    "2.2",
    "Write a hard lookup",
    "np.argmax(keys @ query) is the index of the best-aligned key; return the value there.",
    hard_lookup,
    [
        ("for six random keys", _normal(3, (6, 3), (6, 2))),
        (
            "for a long key [5, 0] and a near key [1, 1]",  # the long key wins the dot product
            (np.array([0.9, 1.0]), np.array([[5.0, 0], [1, 1], [-1, 0.5]]), _VALUES),
        ),
    ],
    [
        (lambda q, k, v: v[np.argmin(k @ q)], "that is the value of the smallest score"),
        (lambda q, k, v: k[np.argmax(k @ q)], "you returned the key; return its value"),
        (lambda q, k, v: np.argmax(k @ q), "you returned the index; return values[index]"),
        (
            lambda q, k, v: v[np.argmin(np.linalg.norm(k - q, axis=1))],
            "that is the nearest key's value; the lookup takes the largest dot product",
        ),
    ],
)

function_exercise(
    "2.3",
    "Write Luong's general score",
    "Entry [i, j] is q[i] @ w @ k[j]; all pairs at once: q @ w @ k.T, shape (n_q, n_k).",
    lambda q, k, w: q @ w @ k.T,
    [
        ("for 3 queries, 5 keys, d = 4", _normal((3, 4), (5, 4), (4, 4))),
        ("for 2 queries of width 4, 3 keys of width 6", _normal((2, 4), (3, 6), (4, 6))),
    ],
    [
        (lambda q, k, w: q @ k.T, "these are the dot scores q @ k.T: w is missing"),
        (lambda q, k, w: q @ w.T @ k.T, "you used w transposed: compute q @ w @ k.T"),
        (lambda q, k, w: k @ w.T @ q.T, "rows and columns are swapped: row i is query i"),
    ],
    axes=("query", "key"),
)

_COUNTS = multiply_adds(2048, 64)

value_exercise(
    "2.4",
    "Count the multiply-adds of self-attention",
    "The n x n scores are dot products of length d; each of the n outputs mixes n values of "
    "width d.",
    _COUNTS["self-attention"],
    [
        (_COUNTS["self-attention"] // 2, "that counts the scores only; add the weighted sum"),
        (_COUNTS["recurrent"], "that is 2 n d^2, the recurrent layer's count"),
        (_COUNTS["self-attention"] + _COUNTS["projections"], "count without the projections"),
    ],
)

_BYTES = 32 * 32 * 4096 * 4096 * np.dtype(np.float32).itemsize

value_exercise(
    "2.5",
    "The memory of all the attention weights",
    "An n x n matrix of float32 takes n*n*4 bytes; every head of every layer keeps its own; "
    "1 GiB = 2**30 bytes.",
    _BYTES / 2**30,
    [
        (_BYTES / 1e9, "that is in GB (10**9 bytes); the question asks for GiB (2**30 bytes)"),
        (_BYTES / 2**20, "that is in MiB; divide the bytes by 2**30 for GiB"),
        (2 * _BYTES / 2**30, "that counts 8 bytes a number (float64); float32 takes 4"),
        (_BYTES / 32 / 2**30, "that is one layer's heads; every layer keeps its own"),
    ],
    rtol=1e-3,
)
