"""Chapter 0: the worked examples of the exercise framework (not a chapter of the book).

They show the pattern every chapter module follows, and the tests use them:

- ``0.1``, a *function* exercise: the reader writes ``my_causal_mask(n)``;
  the checker calls it on a few sizes with :func:`~attn_book.exercises.calls.call`
  (time limit, stub and exception handling) and compares with
  :func:`~attn_book.exercises.compare.expect_mask`, whose verdict names the row
  that lets a query see the future.
- ``0.2``, a *value* exercise: the reader computes one number; the checker
  adds a domain-specific message for the most typical mistake before the
  generic comparison.

The right answers come from the book's own code (``attn_core.causal_mask``),
never typed in; the registered solution may be that library function itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_book.exercises.calls import call
from attn_book.exercises.compare import expect_mask, expect_number
from attn_book.exercises.registry import exercise
from attn_book.exercises.verdict import Wrong
from attn_core import causal_mask

#: The sizes the reader's mask is tried on: the smallest case, then two others.
MASK_SIZES = (1, 4, 7)


@exercise(
    "0.1",
    title="Build a causal mask",
    kind="function",
    hint="Query i may see keys 0..i, so the mask is True on and below the diagonal; "
    "np.tril(np.ones((n, n), dtype=bool)) builds that.",
    solution=causal_mask,
    wrong_answers=[
        (lambda n: np.ones((n, n), dtype=bool), "row 0: it lets query 0 see key 1, in the future"),
        (lambda n: np.triu(np.ones((n, n), dtype=bool)), "lets query 0 see key 1"),
        (lambda n: np.tril(np.ones((n, n), dtype=bool), k=-1), "hides key 0 from query 0"),
        (lambda n: np.tril(np.ones((n, n))), "expected booleans"),
        (lambda n: np.tril(np.ones((n, n), dtype=bool)).tolist(), "not a NumPy array"),
    ],
)
def check_causal_mask(function: Any) -> str:
    """The reader's ``function(n)`` must return ``causal_mask(n)`` for each size."""
    for n in MASK_SIZES:
        expect_mask(call(function, n), causal_mask(n), name=f"your mask for n={n}")
    return f"your mask equals causal_mask(n) for n = {', '.join(map(str, MASK_SIZES))}"


#: The size of the mask in exercise 0.2.
COUNT_N = 5


@exercise(
    "0.2",
    title="Count the keys a causal mask allows",
    kind="value",
    hint="Row i of the mask allows keys 0..i, that is i + 1 keys; add up the rows.",
    solution=int(causal_mask(COUNT_N).sum()),
    wrong_answers=[
        (COUNT_N * COUNT_N, "counts every entry"),
        (int(causal_mask(COUNT_N).sum()) - COUNT_N, "too small"),
        (str(int(causal_mask(COUNT_N).sum())), "drop the quotes"),
        (None, "None"),
    ],
)
def check_causal_count(answer: Any) -> None:
    """The number of True entries of a 5 x 5 causal mask."""
    expected = int(causal_mask(COUNT_N).sum())
    if isinstance(answer, (int, np.integer)) and answer == COUNT_N * COUNT_N:
        raise Wrong(
            f"{answer} counts every entry of the {COUNT_N} x {COUNT_N} mask; "
            "the causal mask hides the keys above the diagonal"
        )
    expect_number(answer, expected, integer=True)
