"""Exercises of chapter 6 (Attention, learned).

- ``6.1`` (function): the previous-token score of one head's attention;
- ``6.2`` (function): the induction (prefix-matching) score;
- ``6.3`` (function): generate a repeated-stretch sequence, not anchored;
- ``6.4`` (function): remove a head by zeroing its rows of ``W_o``;
- ``6.5`` (value): the accuracy of a copying rule that needs no previous-token head.

The expected answers come from :mod:`attn_book.induction`; the test inputs
are untrained (random) attention patterns and parameters, so no checker
trains a model.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from attn_book import induction as ind
from attn_book.exercises.calls import call, describe
from attn_book.exercises.compare import as_array, expect_array, expect_number
from attn_book.exercises.registry import exercise
from attn_book.exercises.verdict import Wrong
from attn_core import causal_mask, softmax

# --------------------------------------------------------------------------- test inputs


def _random_weights(n: int, seed: int) -> np.ndarray:
    """A causal attention pattern with random scores: rows sum to 1, the future is 0."""
    scores = np.random.default_rng(seed).normal(scale=2.0, size=(n, n))
    return softmax(np.where(causal_mask(n), scores, -np.inf))


def _score_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """(weights, tokens) of one head on one sequence: 3 sizes, the task's sequences."""
    batch = ind.make_batch(60, 3)
    cases = [(_random_weights(ind.SEQ_LEN, 61 + r), batch.tokens[r]) for r in range(3)]
    cases.append((_random_weights(6, 70), np.array([3, 5, 1, 3, 5, 2])))
    return cases


# --------------------------------------------------------------------------- 6.1


def previous_token_score_solution(weights: np.ndarray) -> float:
    """Mean weight on the previous position, over queries 1..n-1."""
    n = len(weights)
    return float(np.mean(weights[np.arange(1, n), np.arange(n - 1)]))


@exercise(
    "6.1",
    title="The previous-token score",
    kind="function",
    hint="Query i's weight on position i - 1 is weights[i, i - 1]: the diagonal just below the "
    "main one, np.diagonal(weights, offset=-1). Average it; query 0 has no previous position.",
    solution=previous_token_score_solution,
    wrong_answers=[
        (lambda w: float(np.mean(np.diagonal(w))), "of each query on itself"),
        (lambda w: float(np.mean(np.diagonal(w, offset=1))), "the next position"),
        (lambda w: float(np.mean([w[i, i - 1] for i in range(len(w))])), "query 0"),
        (lambda w: np.diagonal(w, offset=-1), "one number"),
    ],
)
def check_previous_token_score(function: Any) -> str:
    """The reader's ``function(weights)`` for an (n, n) pattern of one head."""
    for weights, _ in _score_cases():
        n = len(weights)
        got = call(function, weights)
        if isinstance(got, np.ndarray) and got.size > 1:
            raise Wrong(
                f"for a {n} x {n} pattern your function returned {describe(got)}: "
                "average the weights into one number"
            )
        expected = float(ind.previous_token_score(weights))
        candidates = {
            "averages the weight of each query on itself (the diagonal), not on the "
            "previous position": float(np.mean(np.diagonal(weights))),
            "averages the weight on the next position (above the diagonal, in the future): "
            "take the diagonal below it": float(np.mean(np.diagonal(weights, offset=1))),
            "counts query 0 too, whose weights[0, -1] is the last key, not a previous "
            "position: start at query 1": float(np.mean(weights[np.arange(n), np.arange(n) - 1])),
        }
        _diagnose(got, expected, candidates, name=f"your score for a {n} x {n} pattern")
    return "it matches attn_book.induction.previous_token_score on four patterns"


def _diagnose(got: Any, expected: float, candidates: dict[str, float], *, name: str) -> float:
    """Compare one number; name the typical mistake it matches, if any."""
    try:
        value = float(np.asarray(got, dtype=float).reshape(()))
    except (TypeError, ValueError):
        value = None
    if value is not None and not np.isclose(value, expected, rtol=1e-6, atol=1e-9):
        for message, wrong in candidates.items():
            if np.isclose(value, wrong, rtol=1e-6, atol=1e-9):
                raise Wrong(f"{name} {message}")
    return expect_number(got, expected, name=name, atol=1e-9, rtol=1e-6, reveal=True)


# --------------------------------------------------------------------------- 6.2


def induction_score_solution(weights: np.ndarray, tokens: np.ndarray) -> float:
    """Mean weight on the keys right after an earlier occurrence of each query's token."""
    n = len(tokens)
    totals = []
    for i in range(n):
        keys = [j for j in range(1, i + 1) if tokens[j - 1] == tokens[i]]
        if keys:
            totals.append(weights[i, keys].sum())
    return float(np.mean(totals))


def _induction_expected(weights: np.ndarray, tokens: np.ndarray) -> float:
    match = ind.follows_match(tokens[None])
    return float(ind.induction_score(weights[None], tokens[None], match.any(axis=-1)))


def _on_earlier_occurrence(weights: np.ndarray, tokens: np.ndarray) -> float:
    """The mistake of 6.2: weight on the earlier occurrence itself, not the token after it."""
    n = len(tokens)
    same = (tokens[:, None] == tokens[None, :]) & np.tri(n, k=-1, dtype=bool)
    where = ind.follows_match(tokens[None])[0].any(axis=-1)
    return float((weights * same).sum(axis=-1)[where].mean())


@exercise(
    "6.2",
    title="The induction score",
    kind="function",
    hint="For query i, the keys are the positions j (1 <= j <= i) with tokens[j - 1] == "
    "tokens[i]: they come right after an earlier occurrence of the query's token. Add the "
    "query's weights on them; average over the queries that have at least one such key.",
    solution=induction_score_solution,
    wrong_answers=[
        (_on_earlier_occurrence, "the earlier occurrence itself"),
        (
            lambda w, t: float((w * ind.follows_match(np.asarray(t)[None])[0]).sum(axis=-1).mean()),
            "every query",
        ),
        (lambda w, t: 0.5, "too"),
    ],
)
def check_induction_score(function: Any) -> str:
    """The reader's ``function(weights, tokens)`` for one head on one sequence."""
    for weights, tokens in _score_cases():
        n = len(tokens)
        got = call(function, weights, tokens)
        match = ind.follows_match(tokens[None])[0]
        candidates = {
            "measures the weight on the earlier occurrence itself: an induction head looks "
            "at the token right after it": _on_earlier_occurrence(weights, tokens),
            "averages over every query; average only over the queries whose token occurred "
            "before (the others have no key to find)": float((weights * match).sum(axis=-1).mean()),
        }
        _diagnose(
            got,
            _induction_expected(weights, tokens),
            candidates,
            name=f"your score for a sequence of {n} tokens",
        )
    return "it matches attn_book.induction.induction_score on four sequences"


# --------------------------------------------------------------------------- 6.3

#: Draws of the reader's generator, and the length the "not anchored" checks use.
_DRAWS = 200
_FIXED_LENGTH = 5


def repeated_sequence_solution(
    rng: np.random.Generator, length: int
) -> tuple[np.ndarray, int, int]:
    """24 random tokens 0..15 holding ``length`` distinct tokens twice, anywhere."""
    tokens = rng.integers(ind.VOCAB_SIZE, size=ind.SEQ_LEN)
    stretch = rng.permutation(ind.VOCAB_SIZE)[:length]
    # The other tokens and the two copies in a row: the copies take 2 of the slots.
    a, b = sorted(rng.choice(ind.SEQ_LEN - 2 * length + 2, size=2, replace=False))
    first, second = int(a), int(b) - 1 + length
    tokens[first : first + length] = stretch
    tokens[second : second + length] = stretch
    return tokens, first, second


def _anchored(rng: np.random.Generator, length: int) -> tuple[np.ndarray, int, int]:
    tokens = rng.integers(ind.VOCAB_SIZE, size=ind.SEQ_LEN)
    stretch = rng.permutation(ind.VOCAB_SIZE)[:length]
    first = int(rng.integers(0, ind.SEQ_LEN - 2 * length + 1))
    second = ind.SEQ_LEN - length
    tokens[first : first + length] = stretch
    tokens[second:] = stretch
    return tokens, first, second


def _repeats_tokens(rng: np.random.Generator, length: int) -> tuple[np.ndarray, int, int]:
    tokens, first, second = repeated_sequence_solution(rng, length)
    stretch = rng.integers(ind.VOCAB_SIZE, size=length)
    tokens[first : first + length] = stretch
    tokens[second : second + length] = stretch
    return tokens, first, second


def _overlapping(rng: np.random.Generator, length: int) -> tuple[np.ndarray, int, int]:
    tokens = rng.integers(ind.VOCAB_SIZE, size=ind.SEQ_LEN)
    first = int(rng.integers(0, ind.SEQ_LEN - length - 1))
    second = first + 1
    stretch = rng.permutation(ind.VOCAB_SIZE)[:length]
    tokens[first : first + length] = stretch
    tokens[second : second + length] = stretch
    return tokens, first, second


def _next_to_each_other(rng: np.random.Generator, length: int) -> tuple[np.ndarray, int, int]:
    tokens = rng.integers(ind.VOCAB_SIZE, size=ind.SEQ_LEN)
    first = int(rng.integers(0, ind.SEQ_LEN - 2 * length + 1))
    second = first + length
    stretch = rng.permutation(ind.VOCAB_SIZE)[:length]
    tokens[first : first + length] = stretch
    tokens[second : second + length] = stretch
    return tokens, first, second


def _unpack(result: Any, length: int) -> tuple[np.ndarray, int, int]:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Wrong(
            f"for length={length} your function returned {describe(result)}: "
            "return three things, tokens, first, second"
        )
    raw, first, second = result
    tokens = as_array(raw, name="your tokens", allow_list=True)
    if tokens.shape != (ind.SEQ_LEN,):
        raise Wrong(f"your tokens have shape {tokens.shape}, expected ({ind.SEQ_LEN},)")
    if tokens.dtype.kind not in "iu" or tokens.min() < 0 or tokens.max() >= ind.VOCAB_SIZE:
        raise Wrong(f"your tokens must be whole numbers 0 to {ind.VOCAB_SIZE - 1}")
    for name, value in (("first", first), ("second", second)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise Wrong(f"{name} is {describe(value)}: return the start position as an int")
    return tokens, int(first), int(second)


@exercise(
    "6.3",
    title="A repeated stretch, anywhere",
    kind="function",
    hint="Draw the stretch with rng.permutation(16)[:length] (distinct tokens). Line up the "
    "24 - 2 * length other tokens and the two copies: the copies take 2 of the "
    "24 - 2 * length + 2 places, chosen with rng.choice(..., size=2, replace=False).",
    solution=repeated_sequence_solution,
    wrong_answers=[
        (_anchored, "always ends at position 23"),
        (_repeats_tokens, "repeats a token"),
        (_overlapping, "overlap"),
        (_next_to_each_other, "distance between the copies"),
    ],
)
def check_repeated_sequence(function: Any) -> str:
    """The reader's ``function(rng, length)`` -> ``(tokens, first, second)``."""
    firsts, ends, distances, others = set(), set(), set(), set()
    lengths = [ind.MIN_STRETCH + d % (ind.MAX_STRETCH - ind.MIN_STRETCH + 1) for d in range(_DRAWS)]
    lengths += [_FIXED_LENGTH] * _DRAWS
    for draw, length in enumerate(lengths):
        tokens, first, second = _unpack(call(function, np.random.default_rng(draw), length), length)
        where = f"for length={length} (seed {draw})"
        if first < 0 or second + length > ind.SEQ_LEN:
            raise Wrong(f"{where} the copies at {first} and {second} run outside the 24 tokens")
        if second < first + length:
            raise Wrong(
                f"{where} the copies at {first} and {second} overlap: the second must start "
                f"at {first + length} or later"
            )
        stretch = tokens[first : first + length]
        if len(set(stretch.tolist())) != length:
            raise Wrong(
                f"{where} the stretch {stretch.tolist()} repeats a token: draw distinct ones"
            )
        if not np.array_equal(tokens[second : second + length], stretch):
            raise Wrong(f"{where} the tokens at {second} are not a copy of the stretch at {first}")
        firsts.add(first)
        ends.add(second + length)
        if length == _FIXED_LENGTH:
            distances.add(second - first)
        outside = np.ones(ind.SEQ_LEN, dtype=bool)
        outside[first : first + length] = outside[second : second + length] = False
        others.update(tokens[outside].tolist())
    if len(ends) == 1:
        raise Wrong(
            f"the second copy always ends at position {ends.pop() - 1}: then position alone "
            "tells where the first copy is; place both copies at random"
        )
    if len(firsts) <= 5:
        raise Wrong(f"the first copy only ever starts at {sorted(firsts)}: place it at random")
    if len(distances) <= 5:
        raise Wrong(
            f"for length {_FIXED_LENGTH} the distance between the copies is always in "
            f"{sorted(distances)}: a model could learn that offset instead of matching tokens"
        )
    if len(others) < ind.VOCAB_SIZE // 2:
        raise Wrong(f"the other tokens only take the values {sorted(others)}: make them random")
    return (
        f"over {len(lengths)} draws the copies start at {len(firsts)} different places and "
        f"the second ends at {len(ends)}"
    )


# --------------------------------------------------------------------------- 6.4


def remove_head_solution(w_o: np.ndarray, head: int, num_heads: int) -> np.ndarray:
    """A copy of ``w_o`` whose rows of head ``head`` (from 0) are zero."""
    d_head = len(w_o) // num_heads
    removed = w_o.copy()
    removed[head * d_head : (head + 1) * d_head] = 0.0
    return removed


def _zero_columns(w_o: np.ndarray, head: int, num_heads: int) -> np.ndarray:
    d_head = len(w_o) // num_heads
    removed = w_o.copy()
    removed[:, head * d_head : (head + 1) * d_head] = 0.0
    return removed


@exercise(
    "6.4",
    title="Remove a head by zeroing W_o",
    kind="function",
    hint="merge_heads puts head h's context in features h*d_head to (h+1)*d_head - 1, and "
    "merged @ W_o multiplies those features by the same rows of W_o. Copy W_o and set those "
    "rows to 0.",
    solution=remove_head_solution,
    wrong_answers=[
        (_zero_columns, "columns"),
        (lambda w, h, k: remove_head_solution(w, (h + 1) % k, k), "rows of head"),
        (lambda w, h, k: np.zeros_like(w), "every head"),
    ],
)
def check_remove_head(function: Any) -> str:
    """The reader's ``function(w_o, head, num_heads)``, checked on an untrained model."""
    params = ind.init_params(5)
    tokens = ind.make_batch(6, 4).tokens
    d_head = ind.D_MODEL // ind.NUM_HEADS
    for layer, head in ind.all_heads():
        name = f"layer{layer + 1}.w_o"
        w_o = params[name]
        got = call(function, w_o, head, ind.NUM_HEADS)
        label = ind.head_name(layer, head)
        answer = as_array(got, name=f"your W_o without {label}")
        if answer.shape == w_o.shape and not np.allclose(
            answer, remove_head_solution(w_o, head, 2)
        ):
            zero_rows = [
                h for h in range(ind.NUM_HEADS) if not answer[h * d_head : (h + 1) * d_head].any()
            ]
            if np.allclose(answer, _zero_columns(w_o, head, ind.NUM_HEADS)):
                raise Wrong(
                    f"for {label} you zeroed columns of W_o: its rows are indexed by the merged "
                    "heads' features, its columns by the output features"
                )
            if len(zero_rows) == ind.NUM_HEADS:
                raise Wrong(f"for {label} you zeroed every head's rows, not only head {head + 1}'s")
            if zero_rows:
                shown = ", ".join(str(h + 1) for h in zero_rows)
                raise Wrong(
                    f"for {label} you zeroed the rows of head {shown} (counting from 1), not of "
                    f"head {head + 1}: head index {head} in code"
                )
        expect_array(
            answer, remove_head_solution(w_o, head, ind.NUM_HEADS), name=f"your W_o without {label}"
        )
        changed = dict(params, **{name: answer})
        gate = ind.head_mask_without([(layer, head)])
        expected = ind.forward(params, tokens, head_mask=gate).logits
        if not np.allclose(ind.forward(changed, tokens).logits, expected, atol=1e-9):
            raise Wrong(f"without {label} the model's logits differ from head_mask's")
    return "for each of the 4 heads the model with your W_o equals the model with the head masked"


# --------------------------------------------------------------------------- 6.5


@cache
def _rule_values() -> tuple[float, float]:
    """The rule's accuracy on the chapter's evaluation batch, and with the current token counted."""
    batch = ind.make_batch(ind.EVAL_SEED, ind.EVAL_SIZE)
    right = ind.copy_rule_accuracy(batch)
    rows, queries = np.nonzero(batch.queries)
    counted = [
        len(set(batch.tokens[r, : q + 1].tolist())) for r, q in zip(rows, queries, strict=True)
    ]
    return right, float(np.mean(1.0 / np.asarray(counted)))


@exercise(
    "6.5",
    title="What one layer could do by copying",
    kind="value",
    hint="For each query of evaluation.queries, count the distinct tokens at positions 0..i "
    "other than tokens[i]; the rule is right with probability 1 / that count. Average.",
    solution=_rule_values()[0],
    wrong_answers=[
        (1 / ind.VOCAB_SIZE, "chance"),
        (_rule_values()[1], "current token"),
        (0.9, "too large"),
        ("0.1", "drop the quotes"),
    ],
)
def check_copy_rule(answer: Any) -> str:
    """The expected accuracy of the copying rule on the chapter's evaluation batch."""
    right, counted = _rule_values()
    if isinstance(answer, (int, float, np.floating)) and not isinstance(answer, bool):
        if np.isclose(answer, 1 / ind.VOCAB_SIZE, atol=1e-3):
            raise Wrong(
                "1/16 is chance, a guess over the whole vocabulary; the rule guesses among "
                "the tokens seen so far"
            )
        if np.isclose(answer, counted, atol=1e-3) and not np.isclose(counted, right, atol=1e-3):
            raise Wrong(
                "you counted the current token among the candidates; the next token of the "
                "stretch is never the current one"
            )
    expect_number(answer, right, atol=0.002, rtol=0.0)
    return f"the rule is right {right:.3f} of the time"
