"""Exercises that check the reader's own answer.

In a chapter::

    from attn_book.exercises import check, summary

    def my_causal_mask(n):
        raise NotImplementedError  # the reader replaces this line

    check("0.1", my_causal_mask)   # prints a verdict, returns True or False
    ...
    summary(0)                     # which of chapter 0's exercises passed

:func:`check` never raises for a wrong answer: None, a list instead of an
array, a wrong shape or dtype, NaN, a stub that still raises
NotImplementedError ("not tried yet"), an exception in the reader's function
or a function that runs too long all get a printed verdict in the reader's
terms and a hint.

Modules, one purpose each:

- :mod:`~attn_book.exercises.registry`: the :func:`exercise` decorator and lookup by id;
- :mod:`~attn_book.exercises.check`: :func:`check`, the verdict;
- :mod:`~attn_book.exercises.session`: :func:`summary`, what passed in this session;
- :mod:`~attn_book.exercises.compare`: comparisons whose failures explain themselves;
- :mod:`~attn_book.exercises.calls`: calling the reader's function with a time limit;
- :mod:`~attn_book.exercises.verdict`: :class:`Wrong` and :class:`NotTried`;
- ``chapterN``: chapter N's exercises (``chapter0``: the worked examples).
"""

from attn_book.exercises.calls import call
from attn_book.exercises.check import check, verdict
from attn_book.exercises.compare import (
    as_array,
    expect_array,
    expect_dtype,
    expect_finite,
    expect_mask,
    expect_number,
    expect_shape,
)
from attn_book.exercises.registry import Exercise, all_exercises, chapter_exercises, exercise, get
from attn_book.exercises.session import progress, summary
from attn_book.exercises.verdict import NotTried, Wrong

__all__ = [
    "Exercise",
    "NotTried",
    "Wrong",
    "all_exercises",
    "as_array",
    "call",
    "chapter_exercises",
    "check",
    "exercise",
    "expect_array",
    "expect_dtype",
    "expect_finite",
    "expect_mask",
    "expect_number",
    "expect_shape",
    "get",
    "progress",
    "summary",
    "verdict",
]
