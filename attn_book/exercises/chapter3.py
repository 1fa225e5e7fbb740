"""Exercises of chapter 3 (Self-attention).

- ``3.1`` (function): design ``W_q`` and ``W_k`` so that "it" attends to its
  animate noun: a query may look for something other than what it is.
- ``3.2`` (function): the softmax's Jacobian, checked against finite
  differences of :func:`attn_core.softmax`.
- ``3.3`` (value): the variance of a scaled score when ``q`` and ``k`` do not
  have unit variance.
- ``3.4`` (function): the linear map that shifts a sinusoidal positional
  encoding by ``k`` positions (Vaswani et al. 2017, §3.5), one rotation per
  sine/cosine pair.

Every expected value comes from the book's code (:mod:`attn_core`,
:mod:`attn_book.tokens`, :func:`attn_book.saturation.numerical_jacobian`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_book.exercises.calls import call
from attn_book.exercises.compare import (
    as_array,
    expect_array,
    expect_dtype,
    expect_finite,
    expect_number,
    expect_shape,
)
from attn_book.exercises.registry import exercise
from attn_book.exercises.verdict import Wrong
from attn_book.saturation import numerical_jacobian, softmax_jacobian
from attn_book.tokens import FEATURE_NAMES, embed, tokenize
from attn_core import scaled_dot_product_attention, sinusoidal_encoding, softmax

# ------------------------------------------------------------------ 3.1

#: Sentences in which "it" must find its (only) animate noun, and that noun.
PRONOUN_CASES: tuple[tuple[str, str], ...] = (
    ("the cat sat on the mat because it was tired", "cat"),
    ("the dog ate the food because it was hungry", "dog"),
)
#: The weight "it" must put on its noun.
PRONOUN_MIN_WEIGHT = 0.9
#: The embedding widths the reader's function is called with.
PRONOUN_D_MODELS = (8, 16)

_PRONOUN = FEATURE_NAMES.index("pronoun")
_ANIMATE = FEATURE_NAMES.index("animate")


def _pronoun_projections(d_model: int) -> tuple[np.ndarray, np.ndarray]:
    """One channel: the query reads "pronoun", the key reads "animate"."""
    w_q = np.zeros((d_model, 1))
    w_k = np.zeros((d_model, 1))
    w_q[_PRONOUN, 0] = w_k[_ANIMATE, 0] = 3.0
    return w_q, w_k


def _symmetric(d_model: int) -> tuple[np.ndarray, np.ndarray]:
    w = np.zeros((d_model, 1))
    w[_PRONOUN, 0] = 3.0
    return w, w.copy()


def _weak(d_model: int) -> tuple[np.ndarray, np.ndarray]:
    w_q, w_k = _pronoun_projections(d_model)
    return w_q / 3.0, w_k / 3.0


def _swapped(d_model: int) -> tuple[np.ndarray, np.ndarray]:
    w_q, w_k = _pronoun_projections(d_model)
    return w_k, w_q


def _mismatched(d_model: int) -> tuple[np.ndarray, np.ndarray]:
    w_q, w_k = _pronoun_projections(d_model)
    return w_q, np.hstack([w_k, w_k])


@exercise(
    "3.1",
    title="Design a query and a key",
    kind="function",
    hint="The score of 'it' against 'cat' is (x_it W_q) . (x_cat W_k). Put a strength s "
    f"in row {_PRONOUN} (pronoun) of W_q and in row {_ANIMATE} (animate) of W_k, in the "
    "same column: that score is s*s / sqrt(d_k), and every other token scores 0.",
    solution=_pronoun_projections,
    wrong_answers=[
        (_symmetric, "'it' attends most to itself"),
        (_weak, "puts only 0.23 of its weight"),
        (_swapped, "the query of 'it' is all zeros"),
        (_mismatched, "the same number of columns"),
    ],
)
def check_pronoun_projections(function: Any) -> str:
    """The reader's ``function(d_model)`` returns ``(w_q, w_k)`` that send "it" to its noun."""
    for d_model in PRONOUN_D_MODELS:
        result = call(function, d_model)
        shown = f"your function for d_model={d_model}"
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Wrong(f"{shown} must return two matrices: end it with `return w_q, w_k`")
        w_q, w_k = (
            as_array(w, name=f"{name} for d_model={d_model}")
            for w, name in zip(result, ("your W_q", "your W_k"), strict=True)
        )
        for w, name in ((w_q, "W_q"), (w_k, "W_k")):
            label = f"your {name} for d_model={d_model}"
            expect_dtype(w, "float", name=label)
            if w.ndim != 2 or w.shape[0] != d_model or w.shape[1] < 1:
                raise Wrong(
                    f"{label} has shape {w.shape}, expected ({d_model}, d_k): one row per "
                    "embedding feature, one column per query/key channel"
                )
            expect_finite(w, name=label)
        if w_q.shape != w_k.shape:
            raise Wrong(
                f"your W_q has shape {w_q.shape} and W_k {w_k.shape}: a query and a key are "
                "compared by a dot product, so they need the same number of columns (d_k)"
            )
        for sentence, noun in PRONOUN_CASES:
            tokens = tokenize(sentence)
            x = embed(tokens, d_model)
            q, k = x @ w_q, x @ w_k
            i_it = tokens.index("it")
            if not np.any(q[i_it]):
                raise Wrong(
                    "the query of 'it' is all zeros, so it cannot prefer any key: W_q must "
                    "read a feature that 'it' has (pronoun)"
                )
            _, weights = scaled_dot_product_attention(q, k, k)
            row = weights[i_it]
            top = int(row.argmax())
            where = f"in '{sentence}' (d_model={d_model})"
            if tokens[top] == "it":
                raise Wrong(
                    f"{where}, 'it' attends most to itself: its query and its key read the "
                    "same feature; let W_q read what 'it' is and W_k what it looks for"
                )
            if tokens[top] != noun:
                raise Wrong(f"{where}, 'it' attends most to '{tokens[top]}', not to '{noun}'")
            weight = float(row[tokens.index(noun)])
            if weight < PRONOUN_MIN_WEIGHT:
                raise Wrong(
                    f"{where}, 'it' puts only {weight:.2f} of its weight on '{noun}' "
                    f"(at least {PRONOUN_MIN_WEIGHT} is asked): make that score larger"
                )
    return (
        f"'it' puts at least {PRONOUN_MIN_WEIGHT} of its weight on its noun in "
        f"{len(PRONOUN_CASES)} sentences, for d_model = " + " and ".join(map(str, PRONOUN_D_MODELS))
    )


# ------------------------------------------------------------------ 3.2

#: Logits the reader's Jacobian is tried at: small, random, and large
#: (where exp overflows unless the largest logit is subtracted first).
JACOBIAN_POINTS: tuple[np.ndarray, ...] = (
    np.array([0.5, -1.0, 2.0, 0.0]),
    np.random.default_rng(3).normal(scale=2.0, size=7),
    np.array([800.0, 801.0, 799.0]),
)
JACOBIAN_ATOL = 1e-6


def _jacobian_diagonal_only(x: np.ndarray) -> np.ndarray:
    return np.diag(softmax(x))


def _jacobian_wrong_sign(x: np.ndarray) -> np.ndarray:
    a = softmax(x)
    return np.outer(a, a) - np.diag(a)


def _jacobian_naive_exp(x: np.ndarray) -> np.ndarray:
    e = np.exp(x)
    a = e / e.sum()
    return np.diag(a) - np.outer(a, a)


def _jacobian_of_logits(x: np.ndarray) -> np.ndarray:
    return np.diag(x) - np.outer(x, x)


@exercise(
    "3.2",
    title="The softmax's Jacobian",
    kind="function",
    hint="With a = softmax(x), differentiate a_i = exp(x_i) / sum_j exp(x_j) with respect "
    "to x_j: you get a_i (1 - a_i) when i == j and -a_i a_j otherwise. Use softmax from "
    "attn_core, which does not overflow.",
    solution=softmax_jacobian,
    wrong_answers=[
        (_jacobian_diagonal_only, "is off at row"),
        (_jacobian_wrong_sign, "the wrong sign"),
        (_jacobian_naive_exp, "exp(800) overflows"),
        (_jacobian_of_logits, "is off"),
    ],
)
def check_softmax_jacobian(function: Any) -> str:
    """The reader's ``function(x)`` returns the (n, n) Jacobian of softmax at ``x``."""
    for x in JACOBIAN_POINTS:
        shown = "[" + ", ".join(f"{v:.3g}" for v in x) + "]"
        name = f"your Jacobian at x = {shown}"
        got = as_array(call(function, x), name=name)
        n = x.size
        expect_shape(got, (n, n), name=name)
        expect_dtype(got, "float", name=name)
        if not np.all(np.isfinite(got)) and x.max() > 700:
            raise Wrong(
                f"{name} contains NaN or inf: exp(800) overflows; compute a = softmax(x) "
                "with attn_core's softmax, which subtracts the largest logit first"
            )
        numeric = numerical_jacobian(softmax, x, eps=1e-5)
        close = np.allclose(got, numeric, atol=JACOBIAN_ATOL, rtol=0)
        if not close and np.allclose(-got, numeric, atol=JACOBIAN_ATOL, rtol=0):
            raise Wrong(
                f"{name} has the wrong sign everywhere: raising x_i raises a_i, so the "
                "diagonal must be positive"
            )
        expect_array(
            got,
            numeric,
            name=name,
            atol=JACOBIAN_ATOL,
            rtol=0,
        )
    return (
        f"your Jacobian matches finite differences of softmax at {len(JACOBIAN_POINTS)} "
        "points, large logits included"
    )


# ------------------------------------------------------------------ 3.3

#: Exercise 3.3's setting: q and k have D_K independent components of mean 0,
#: those of q with variance VAR_Q and those of k with variance VAR_K.
D_K = 64
VAR_Q = 2.0
VAR_K = 3.0


def scaled_score_variance(d_k: int, var_q: float, var_k: float) -> float:
    """``Var(q . k / sqrt(d_k))`` for independent zero-mean components.

    Each term ``q_c k_c`` has variance ``E[q_c^2] E[k_c^2] = var_q var_k``;
    ``d_k`` independent terms add up to ``d_k var_q var_k``; dividing by
    ``sqrt(d_k)`` divides the variance by ``d_k``.

    Examples
    --------
    >>> scaled_score_variance(64, 1.0, 1.0)
    1.0
    """
    return float(d_k * var_q * var_k / d_k)


@exercise(
    "3.3",
    title="The variance of a scaled score",
    kind="value",
    hint="Var(q_c k_c) = E[q_c^2] E[k_c^2] for independent zero-mean components; the "
    "variances of independent terms add; and Var(X / c) = Var(X) / c^2.",
    solution=scaled_score_variance(D_K, VAR_Q, VAR_K),
    wrong_answers=[
        (D_K * VAR_Q * VAR_K, "before the division"),
        (D_K * VAR_Q * VAR_K / np.sqrt(D_K), "divides its variance by c squared"),
        (VAR_Q + VAR_K, "too small"),
    ],
)
def check_scaled_variance(answer: Any) -> None:
    """Var(q . k / sqrt(d_k)) for d_k = 64, Var(q_c) = 2, Var(k_c) = 3."""
    expected = scaled_score_variance(D_K, VAR_Q, VAR_K)
    if isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(
        answer, (bool, np.bool_)
    ):
        value = float(answer)
        if np.isclose(value, D_K * expected, rtol=1e-3):
            raise Wrong(f"{value:g} is the variance of q.k before the division by sqrt(d_k)")
        if np.isclose(value, D_K * expected / np.sqrt(D_K), rtol=1e-3):
            raise Wrong(
                f"{value:g} divides the variance by sqrt(d_k); dividing a number by c "
                "divides its variance by c squared"
            )
    expect_number(answer, expected, rtol=1e-3)


# ------------------------------------------------------------------ 3.4

#: (offset k, d_model) pairs the reader's shift matrix is tried on, and the
#: number of positions compared for each.
SHIFT_CASES: tuple[tuple[int, int], ...] = ((1, 4), (3, 8), (10, 16))
SHIFT_POSITIONS = 40


def shift_matrix(k: int, d_model: int) -> np.ndarray:
    """The matrix ``M`` with ``PE[pos] @ M == PE[pos + k]`` for every ``pos``.

    Pair ``i`` of the encoding is ``(sin(pos w_i), cos(pos w_i))``; moving by
    ``k`` adds the angle ``k w_i``, a rotation of that pair, and ``PE[k]``
    holds exactly ``sin(k w_i)`` and ``cos(k w_i)``. So ``M`` is block
    diagonal with the 2 x 2 block ``[[cos, -sin], [sin, cos]]`` of angle
    ``k w_i`` (row vectors times a matrix, as ``x @ W``).

    Examples
    --------
    >>> pe = sinusoidal_encoding(6, 4)
    >>> bool(np.allclose(pe[:4] @ shift_matrix(2, 4), pe[2:]))
    True
    """
    at_k = sinusoidal_encoding(k + 1, d_model)[k]
    m = np.zeros((d_model, d_model))
    for i in range(0, d_model, 2):
        sin, cos = at_k[i], at_k[i + 1]
        m[i : i + 2, i : i + 2] = [[cos, -sin], [sin, cos]]
    return m


def _shift_backwards(k: int, d_model: int) -> np.ndarray:
    return shift_matrix(k, d_model).T


def _shift_one_speed(k: int, d_model: int) -> np.ndarray:
    cos, sin = np.cos(k), np.sin(k)
    return np.kron(np.eye(d_model // 2), [[cos, -sin], [sin, cos]])


def _shift_identity(k: int, d_model: int) -> np.ndarray:
    return np.eye(d_model)


@exercise(
    "3.4",
    title="Shift a positional encoding by a rotation",
    kind="function",
    hint="Take one pair (sin a, cos a) with a = pos * w_i. Moving k positions turns a into "
    "a + k * w_i: write sin(a + b) and cos(a + b) with the angle-sum formulas, as a 2 x 2 "
    "matrix acting on (sin a, cos a). sinusoidal_encoding(k + 1, d_model)[k] holds "
    "sin(k * w_i) and cos(k * w_i) for every pair.",
    solution=shift_matrix,
    wrong_answers=[
        (_shift_backwards, "moves every position back by k"),
        (_shift_one_speed, "dimensions 2 and 3"),
        (_shift_identity, "dimensions 0 and 1"),
    ],
)
def check_shift_matrix(function: Any) -> str:
    """The reader's ``function(k, d_model)`` returns M with PE[pos] @ M == PE[pos + k]."""
    for k, d_model in SHIFT_CASES:
        name = f"your matrix for k={k}, d_model={d_model}"
        got = as_array(call(function, k, d_model), name=name)
        expect_shape(got, (d_model, d_model), name=name)
        expect_dtype(got, "float", name=name)
        expect_finite(got, name=name)
        pe = sinusoidal_encoding(SHIFT_POSITIONS + k, d_model)
        moved = pe[:SHIFT_POSITIONS] @ got  # should be PE[pos + k]
        target = pe[k:]
        bad = ~np.isclose(moved, target, atol=1e-6, rtol=0)
        if not bad.any():
            continue
        if k and np.allclose(pe[k:] @ got, pe[:SHIFT_POSITIONS], atol=1e-6):
            raise Wrong(
                f"{name} moves every position back by k: PE[pos + k] @ M gives PE[pos]; "
                "it rotates each pair the wrong way (transpose the 2 x 2 blocks)"
            )
        column = int(np.argwhere(bad)[0][1])
        pair = column - column % 2
        raise Wrong(
            f"{name}: PE[pos] @ M is not PE[pos + {k}] in dimensions {pair} and {pair + 1} "
            f"(the pair of frequency w = 1 / 10000^({pair}/{d_model}))"
        )
    return "PE[pos] @ M equals PE[pos + k] for every position, for (k, d_model) = " + ", ".join(
        f"({k}, {d})" for k, d in SHIFT_CASES
    )
