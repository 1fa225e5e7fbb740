"""``check(exercise_id, answer)``: the reader's verdict, printed, never a traceback."""

from __future__ import annotations

import sys
from typing import Any

from attn_book.exercises import session
from attn_book.exercises.calls import describe
from attn_book.exercises.layout import wrap
from attn_book.exercises.registry import Exercise, chapter_exercises, get, parse_id
from attn_book.exercises.verdict import NotTried, Wrong

#: The issue tracker a reader is sent to when a checker itself fails.
REPORT_TO = "https://github.com/attention-book/attention-book/issues"


def _unknown(exercise_id: Any) -> str:
    try:
        chapter, _ = parse_id(exercise_id)
    except (TypeError, ValueError) as exc:
        text = str(exc)
        return f"❓ {text[0].upper()}{text[1:]}."
    known = [e.id for e in chapter_exercises(chapter)]
    listing = (
        f"chapter {chapter} has {', '.join(known)}" if known else f"chapter {chapter} has none"
    )
    return f"❓ There is no exercise {exercise_id}: {listing}."


def _sentence(text: str) -> str:
    """End a message with a full stop unless it ends with one already (or ? or !)."""
    text = str(text).rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _precheck(exercise: Exercise, answer: Any) -> None:
    """Problems every exercise of a kind shares, before its own checker runs."""
    if answer is Ellipsis:
        raise NotTried("replace the ... with your answer")
    if exercise.kind == "function":
        if answer is None:
            raise Wrong("you passed None: pass your function (its name, without parentheses)")
        if not callable(answer):
            raise Wrong(
                f"expected your function, got {describe(answer)}: pass the function "
                "itself (its name, without parentheses), not what it returns"
            )
    elif callable(answer):
        raise Wrong(f"expected a value, got {describe(answer)}: call it and pass what it returns")


def verdict(exercise_id: str, answer: Any, *, solution: bool = False) -> tuple[bool, str]:
    """Judge ``answer`` without printing: ``(passed, text of the verdict)``.

    See :func:`check`, which prints the text and records the outcome.
    """
    try:
        exercise = get(exercise_id)
    except (KeyError, TypeError, ValueError):
        return False, wrap(_unknown(exercise_id))
    head = f"{exercise.id} ({exercise.title})"
    try:
        _precheck(exercise, answer)
        remark = exercise.checker(answer)
    except NotTried as exc:
        return False, wrap(f"⏳ {head} not tried yet: {_sentence(exc)}")
    except Wrong as exc:
        return False, (
            wrap(f"❌ {head} not right yet: {_sentence(exc)}")
            + "\n"
            + wrap(f"   Hint: {exercise.hint}", indent="      ")
        )
    except Exception as exc:  # a bug in the checker, not in the reader's answer
        return False, wrap(
            f"⚠️ {head}: the checker itself failed ({type(exc).__name__}: {exc}). "
            f"This is a bug in the book, not in your answer; please report it at {REPORT_TO}."
        )
    if solution:
        return True, wrap(f"✅ {head}: the solution passes the check.")
    return True, wrap(f"✅ {head} correct" + (f": {_sentence(remark)}" if remark else "."))


def check(exercise_id: str, answer: Any, *, solution: bool = False) -> bool:
    """Check the reader's answer to one exercise and print the verdict.

    A wrong answer of any kind (None, a list instead of an array, a wrong
    shape or dtype, NaN, a stub still raising NotImplementedError, an
    exception inside the reader's function, a function that runs too long)
    gets a printed verdict and ``False``; nothing is raised.

    Parameters
    ----------
    exercise_id : str
        The exercise, e.g. ``"5.2"``.
    answer : object
        The reader's answer: their function for a function exercise, their
        value otherwise.
    solution : bool
        True in the book's hidden solution cells: the verdict is printed as
        "the solution passes", and the summary does not count it as the
        reader's own answer.

    Returns
    -------
    bool
        Whether the answer is right.

    Examples
    --------
    >>> check("0.2", 15)
    ✅ 0.2 (Count the keys a causal mask allows) correct.
    True
    >>> check("0.2", "15")
    ❌ 0.2 (Count the keys a causal mask allows) not right yet: your answer is the
       text '15', not a number: drop the quotes.
       Hint: Row i of the mask allows keys 0..i, that is i + 1 keys; add up the
             rows.
    False
    """
    passed, text = verdict(exercise_id, answer, solution=solution)
    # One write: print() sends the text and the newline separately, and a
    # notebook front end may show them as two output boxes.
    sys.stdout.write(text + "\n")
    if isinstance(exercise_id, str) and not text.startswith("❓"):
        if solution:
            if passed:
                session.record(exercise_id, "solution")
        elif passed:
            session.record(exercise_id, "passed")
        elif text.startswith("⏳"):
            session.record(exercise_id, "not tried")
        else:
            session.record(exercise_id, "wrong")
    return passed
