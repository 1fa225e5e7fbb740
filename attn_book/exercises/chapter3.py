"""Chapter 3's exercises: a designed query and key, the softmax's Jacobian, a variance, a shift."""

from __future__ import annotations

import numpy as np

from attn_book.exercises.core import (
    Wrong,
    compare,
    describe,
    first_bug,
    function_exercise,
    register,
    run,
    value_exercise,
)
from attn_book.tokens import FEATURE_NAMES, embed, tokenize
from attn_core import scaled_dot_product_attention, sinusoidal_encoding, softmax

_PRONOUN, _ANIMATE = FEATURE_NAMES.index("pronoun"), FEATURE_NAMES.index("animate")
_SENTENCES = {
    "the cat sat on the mat because it was tired": "cat",
    "the dog ate the food because it was hungry": "dog",
}


def pronoun_projections(d_model, query=_PRONOUN, key=_ANIMATE, strength=3.0):
    """3.1: one channel, the query reads "pronoun" and the key reads "animate"."""
    w_q, w_k = np.zeros((d_model, 1)), np.zeros((d_model, 1))
    w_q[query, 0] = w_k[key, 0] = strength
    return w_q, w_k


def _judge_pronoun(answer) -> None:
    """'it' must put at least 0.9 of its weight on its noun, for d_model 8 and 16."""
    for d_model in (8, 16):
        label = f"for d_model={d_model}"
        result = run(answer, label, d_model)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Wrong(f"{label}, you returned {describe(result)}; end with return w_q, w_k")
        for name, w in zip(("w_q", "w_k"), result, strict=True):
            if not (isinstance(w, np.ndarray) and w.ndim == 2 and len(w) == d_model):
                raise Wrong(f"{label}, your {name} is {describe(w)}; its shape is (d_model, d_k)")
            compare(w, np.zeros(w.shape), label, what=f"your {name}", values=False)
        w_q, w_k = result
        if w_q.shape != w_k.shape:
            raise Wrong(f"{label}, w_q and w_k need the same number of columns (d_k)")
        for sentence, noun in _SENTENCES.items():
            tokens = tokenize(sentence)
            x, it = embed(tokens, d_model), tokens.index("it")
            if not np.any(x[it] @ w_q):
                raise Wrong(f"{label}, the query of 'it' is all zeros: read a feature 'it' has")
            row = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_k)[1][it]
            top, weight = tokens[int(row.argmax())], float(row[tokens.index(noun)])
            where = f"{label}, in '{sentence}', 'it'"
            if top == "it":
                raise Wrong(
                    f"{where} attends most to itself: w_q reads what 'it' is, w_k what it looks for"
                )
            if weight < 0.9:
                raise Wrong(
                    f"{where} puts {weight:.2f} of its weight on '{noun}'"
                    + (f" (most on '{top}')" if top != noun else "")
                    + "; at least 0.9 is asked: make that score larger"
                )


register(
    "3.1",
    "Design a query and a key",
    f"Put a strength s in row {_PRONOUN} (pronoun) of w_q and in row {_ANIMATE} (animate) of "
    "w_k, same column: 'it' then scores s*s / sqrt(d_k) against 'cat', 0 elsewhere.",
    _judge_pronoun,
    pronoun_projections,
    [
        (lambda d: pronoun_projections(d, key=_PRONOUN), "attends most to itself"),
        (lambda d: pronoun_projections(d, strength=1.0), "of its weight on 'cat'"),
        (lambda d: pronoun_projections(d, _ANIMATE, _PRONOUN), "the query of 'it' is all zeros"),
        (lambda d: (pronoun_projections(d)[0], np.zeros((d, 2))), "the same number of columns"),
    ],
    [("for d_model=8", (8,))],
)


def numerical_jacobian(x, eps=1e-5):
    """3.2: central finite differences of attn_core's softmax; column j is d a / d x_j."""
    return np.stack(
        [(softmax(x + e) - softmax(x - e)) / (2 * eps) for e in eps * np.eye(len(x))], 1
    )


def _naive_jacobian(x):
    """The right formula with a softmax that overflows at logits near 800."""
    a = np.exp(x) / np.exp(x).sum()
    return np.diag(a) - np.outer(a, a)


function_exercise(
    "3.2",
    "The softmax's Jacobian",
    "With a = softmax(x): d a_i / d x_j = a_i (1 - a_i) if i == j, else -a_i a_j; that is "
    "np.diag(a) - np.outer(a, a). attn_core's softmax does not overflow.",
    numerical_jacobian,
    [
        (f"at x = {np.round(x, 3).tolist()}", (x,))
        for x in (
            np.array([0.5, -1.0, 2.0, 0.0]),
            np.random.default_rng(3).normal(scale=2.0, size=7),
            np.array([800.0, 801.0, 799.0]),
        )
    ],
    [
        (lambda x: np.diag(softmax(x)), "only the diagonal is right: off it, -a_i a_j"),
        (
            lambda x: np.outer(softmax(x), softmax(x)) - np.diag(softmax(x)),
            "the sign is wrong: raising x_i raises a_i, so the diagonal is positive",
        ),
        (_naive_jacobian, "exp(800) overflows: compute a with attn_core's softmax"),
    ],
    axes=("i", "j"),
)

# Var(q_c k_c) = 2 * 3; d_k = 64 independent terms add; dividing by sqrt(d_k) divides by d_k.
_D_K, _VARIANCE = 64, 64 * 2.0 * 3.0 / 64

value_exercise(
    "3.3",
    "The variance of a scaled score",
    "Var(q_c k_c) = E[q_c^2] E[k_c^2] for independent zero-mean components; variances of "
    "independent terms add; Var(X / c) = Var(X) / c^2.",
    _VARIANCE,
    [
        (_D_K * _VARIANCE, "that is the variance of q . k before the division by sqrt(d_k)"),
        (_D_K**0.5 * _VARIANCE, "dividing by c divides a variance by c^2, not by c"),
    ],
    rtol=1e-3,
)


def shift_matrix(k, d_model):
    """3.4: M with PE[pos] @ M == PE[pos + k], a rotation by k * w_i of each (sin, cos) pair."""
    sin_cos = sinusoidal_encoding(k + 1, d_model)[k]
    m = np.zeros((d_model, d_model))
    for i in range(0, d_model, 2):
        s, c = sin_cos[i], sin_cos[i + 1]
        m[i : i + 2, i : i + 2] = [[c, -s], [s, c]]
    return m


_SHIFT_BUGS = [
    (lambda k, d: shift_matrix(k, d).T, "your M moves each position back: transpose the blocks"),
    (
        lambda k, d: np.kron(np.eye(d // 2), [[np.cos(k), -np.sin(k)], [np.sin(k), np.cos(k)]]),
        "every pair turns by k; pair i turns by k * w_i, w_i = 1 / 10000**(2i/d_model)",
    ),
    (lambda k, d: np.eye(d), "the identity keeps every position where it is"),
]


def _judge_shift(answer) -> None:
    """PE[pos] @ M must equal PE[pos + k] for 40 positions."""
    for k, d in ((1, 4), (3, 8), (10, 16)):
        label = f"for k={k}, d_model={d}"
        m = run(answer, label, k, d)
        compare(m, np.zeros((d, d)), label, values=False)
        pe = sinusoidal_encoding(40 + k, d)
        moved = (pe[:40] @ m).astype(np.result_type(m.dtype, np.float32))
        try:
            compare(moved, pe[k:], label, what="PE[pos] @ M", axes=("pos", "dimension"))
        except Wrong:
            message = first_bug(m, _SHIFT_BUGS, (k, d))
            if message:
                raise Wrong(f"{label}, {message}") from None
            raise


register(
    "3.4",
    "Shift a positional encoding by a rotation",
    "Moving k positions adds k * w_i to pair i's angle: write sin(a + b), cos(a + b) with the "
    "angle-sum formulas; sinusoidal_encoding(k + 1, d_model)[k] holds sin(k w_i), cos(k w_i).",
    _judge_shift,
    shift_matrix,
    _SHIFT_BUGS,
    [("for k=1, d_model=4", (1, 4))],
)
