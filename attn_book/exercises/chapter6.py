"""Chapter 6's exercises: two head scores, the task's sequences, a head removed, a blind rule."""

from __future__ import annotations

import numpy as np

from attn_book.exercises.core import (
    Wrong,
    compare,
    describe,
    function_exercise,
    register,
    run,
    value_exercise,
)
from attn_book.induction import (
    EVAL_SEED,
    EVAL_SIZE,
    SEQ_LEN,
    VOCAB_SIZE,
    copy_rule_accuracy,
    make_batch,
)
from attn_core import causal_mask, softmax


def _pattern(n: int, seed: int) -> np.ndarray:
    """A causal attention pattern with random scores: rows sum to 1, the future is 0."""
    scores = np.random.default_rng(seed).normal(scale=2.0, size=(n, n))
    return softmax(np.where(causal_mask(n), scores, -np.inf))


_PATTERNS = [
    (f"for a random {len(t)} x {len(t)} pattern over {name}", (_pattern(len(t), seed), t))
    for t, seed, name in zip(
        [*make_batch(60, 2).tokens, np.array([3, 5, 1, 3, 5, 2])],
        (61, 62, 70),
        ("a sequence of the task", "another sequence of the task", "tokens [3, 5, 1, 3, 5, 2]"),
        strict=True,
    )
]


def previous_token_score(weights):
    """6.1: the mean weight on the previous position, over queries 1..n-1."""
    return float(np.mean(np.diagonal(weights, offset=-1)))


function_exercise(
    "6.1",
    "The previous-token score",
    "Query i's weight on position i - 1 is weights[i, i - 1], the diagonal below the main one: "
    "np.diagonal(weights, offset=-1). Average it.",
    previous_token_score,
    [(label, args[:1]) for label, args in _PATTERNS],
    [
        (lambda w: float(np.mean(np.diagonal(w))), "that is the weight of each query on itself"),
        (lambda w: float(np.mean(np.diagonal(w, 1))), "that is the weight on the next position"),
        (
            lambda w: float(np.mean(w[np.arange(len(w)), np.arange(len(w)) - 1])),
            "you counted query 0, whose weights[0, -1] is the last key: start at query 1",
        ),
        (lambda w: np.diagonal(w, offset=-1), "you returned the diagonal: average it"),
    ],
)


def induction_score(weights, tokens):
    """6.2: the mean weight on the keys right after an earlier occurrence of the query's token."""
    sums = []
    for i in range(len(tokens)):
        keys = [j for j in range(1, i + 1) if tokens[j - 1] == tokens[i]]
        if keys:
            sums.append(weights[i, keys].sum())
    return float(np.mean(sums))


function_exercise(
    "6.2",
    "The induction score",
    "Query i's keys are the j (1 <= j <= i) with tokens[j - 1] == tokens[i]; add its weights "
    "on them; average over the queries that have such keys.",
    induction_score,
    _PATTERNS,
    [
        (
            lambda w, t: induction_score(np.roll(w, 1, axis=1), t),
            "that is the weight on the earlier occurrence itself, not on the token after it",
        ),
        (
            lambda w, t: float(
                np.mean([w[i, 1 : i + 1][t[:i] == t[i]].sum() for i in range(len(t))])
            ),
            "you averaged over every query; average over those whose token occurred before",
        ),
    ],
)


def repeated_sequence(rng, length):
    """6.3: 24 random tokens holding `length` distinct tokens twice, at random places."""
    tokens = rng.integers(VOCAB_SIZE, size=SEQ_LEN)
    stretch = rng.permutation(VOCAB_SIZE)[:length]
    # The other tokens and the two copies in a row: the copies take 2 of the places.
    a, b = sorted(rng.choice(SEQ_LEN - 2 * length + 2, size=2, replace=False))
    first, second = int(a), int(b) - 1 + length
    tokens[first : first + length] = tokens[second : second + length] = stretch
    return tokens, first, second


def _judge_repeated(answer) -> None:
    """Every draw well formed, and the distance between the copies not always the same."""
    distances, others = set(), set()
    for draw, length in enumerate([5] * 20 + [4, 6, 7, 8] * 4):
        label = f"for length={length} and rng = np.random.default_rng({draw})"
        result = run(answer, label, np.random.default_rng(draw), length)
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise Wrong(f"{label}, you returned {describe(result)}; return tokens, first, second")
        tokens, first, second = result
        compare(tokens, np.zeros(SEQ_LEN), label, what="your tokens", lists=True, values=False)
        tokens = np.asarray(tokens)
        if tokens.dtype.kind == "f":
            raise Wrong(f"{label}, your tokens are floats ({tokens.dtype}): make them integers")
        if tokens.dtype.kind not in "iu" or tokens.min() < 0 or tokens.max() >= VOCAB_SIZE:
            raise Wrong(f"{label}, your tokens must be whole numbers 0 to {VOCAB_SIZE - 1}")
        if not all(isinstance(p, (int, np.integer)) for p in (first, second)):
            raise Wrong(f"{label}, first and second are {describe(first)}, {describe(second)}")
        if second < first:
            raise Wrong(f"{label}, second ({second}) comes before first ({first})")
        if first < 0 or second < first + length or second + length > SEQ_LEN:
            raise Wrong(f"{label}, copies at {first} and {second} overlap or do not fit in 24")
        stretch, copy = tokens[first : first + length], tokens[second : second + length]
        if len(set(stretch.tolist())) < length:
            raise Wrong(f"{label}, the stretch {stretch.tolist()} repeats a token")
        if not np.array_equal(copy, stretch):
            raise Wrong(f"{label}, {copy.tolist()} at {second} is not a copy of {stretch.tolist()}")
        distances.update([second - first] if length == 5 else [])
        others.update(np.delete(tokens, np.r_[first : first + length, second : second + length]))
    if len(distances) == 1:
        d = distances.pop()
        raise Wrong(
            f"for length=5 the copies are always {d} positions apart: then 'copy the token "
            f"{d - 1} positions back' gives every answer from position alone; let the distance vary"
        )
    if len(others) < VOCAB_SIZE // 2:
        raise Wrong(f"the other tokens only take the values {sorted(others)}: draw them at random")


def _adjacent(rng, length):
    """The copies always next to each other: a fixed distance."""
    tokens, stretch = rng.integers(VOCAB_SIZE, size=SEQ_LEN), rng.permutation(VOCAB_SIZE)[:length]
    first = int(rng.integers(SEQ_LEN - 2 * length + 1))
    tokens[first : first + length] = tokens[first + length : first + 2 * length] = stretch
    return tokens, first, first + length


def _edit(rng, length, where):
    """repeated_sequence with one mistake: a repeated token, a broken copy, an overlap..."""
    tokens, first, second = repeated_sequence(rng, length)
    if where == "overlap":
        return tokens, first, first + 1
    if where == "swapped":
        return tokens, second, first
    if where == "floats":
        return tokens.astype(float), first, second
    if where == "repeat":
        tokens[first] = tokens[second] = tokens[first + 1]
    else:
        tokens[second + length - 1] = (tokens[second + length - 1] + 1) % VOCAB_SIZE
    return tokens, first, second


register(
    "6.3",
    "A repeated stretch, anywhere",
    "Draw the stretch with rng.permutation(16)[:length]. Line up the 24 - 2 * length other "
    "tokens and the two copies: the copies take 2 of these places, rng.choice(..., size=2, "
    "replace=False).",
    _judge_repeated,
    repeated_sequence,
    [
        (_adjacent, "positions apart"),
        (lambda rng, n: _edit(rng, n, "repeat"), "repeats a token"),
        (lambda rng, n: _edit(rng, n, "copy"), "is not a copy"),
        (lambda rng, n: _edit(rng, n, "overlap"), "overlap"),
        (lambda rng, n: _edit(rng, n, "swapped"), "comes before"),
        (lambda rng, n: _edit(rng, n, "floats"), "are floats"),
    ],
    [("for length=5 and rng = np.random.default_rng(0)", (np.random.default_rng(0), 5))],
)


def remove_head(w_o, head, num_heads):
    """6.4: a copy of w_o whose rows of head `head` (from 0) are zero."""
    d_head = len(w_o) // num_heads
    without = w_o.copy()
    without[head * d_head : (head + 1) * d_head] = 0.0
    return without


_W_O = np.random.default_rng(64).normal(scale=32**-0.5, size=(32, 32))

function_exercise(
    "6.4",
    "Remove a head by zeroing W_o",
    "merge_heads puts head h's output in features h*d_head to (h+1)*d_head - 1, and merged @ "
    "w_o multiplies them by the same rows of w_o: set those rows to 0.",
    remove_head,
    [(f"for head={h} (head {h + 1} of {k})", (_W_O, h, k)) for h, k in ((0, 2), (1, 2), (2, 4))],
    [
        (lambda w, h, k: remove_head(w.T, h, k).T, "you zeroed columns; a head meets w_o's rows"),
        (lambda w, h, k: remove_head(w, (h + 1) % k, k), "you zeroed another head; count from 0"),
        (lambda w, h, k: np.zeros_like(w), "you zeroed every head, not only this one"),
    ],
    axes=("row", "column"),
)

_EVALUATION = make_batch(EVAL_SEED, EVAL_SIZE)
_ROWS, _QUERIES = np.nonzero(_EVALUATION.queries)
# The same rule with the current token counted among the candidates.
_WITH_CURRENT = np.mean(
    [1 / len(set(_EVALUATION.tokens[r, : q + 1])) for r, q in zip(_ROWS, _QUERIES, strict=True)]
)

value_exercise(
    "6.5",
    "What one layer could do by copying",
    "At each query of evaluation.queries, count the distinct tokens at positions 0..i other "
    "than tokens[i]; the rule is right with probability 1 / that count. Average.",
    copy_rule_accuracy(_EVALUATION),
    [
        (1 / VOCAB_SIZE, "that is chance over all 16 tokens; the rule picks among those seen"),
        (_WITH_CURRENT, "you counted the current token, which never comes next"),
    ],
    atol=0.002,
    rtol=0.0,
)
