"""Exercises that check the learner's own answer.

In a chapter::

    from attn_book.exercises import check, summary

    check("5.2", my_mask_after);  # prints a verdict, returns True or False
    summary(5)                    # which of chapter 5's exercises were answered right

``core`` holds the comparisons and the verdicts; ``chapterN`` holds chapter
N's exercises, each a reference, its inputs, its planted bugs and a hint.
"""

from __future__ import annotations

import importlib
from typing import Any

from attn_book.exercises.core import EXERCISES, Exercise, NotTried, Wrong, read_number

__all__ = ["check", "exercises_of", "read_number", "summary"]

#: Whether each exercise tried in this kernel was answered right (solution cells excluded).
_RESULTS: dict[str, bool] = {}


def exercises_of(chapter: Any) -> list[Exercise]:
    """The exercises of one chapter, in order (its module is imported on first use)."""
    try:
        module = f"{__name__}.chapter{int(chapter)}"
        importlib.import_module(module)
    except (ValueError, TypeError):
        return []
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return []
    found = [e for e in EXERCISES.values() if e.id.split(".")[0] == str(int(chapter))]
    return sorted(found, key=lambda e: int(e.id.split(".")[1]))


def _verdict(exercise: Exercise, answer: Any, solution: bool) -> tuple[bool | None, str]:
    """(right, not right or None for not tried, the text to print)."""
    head = f"Exercise {exercise.id} ({exercise.title})"
    try:
        exercise.judge(answer)
    except NotTried as exc:
        return None, f"{head}: not tried yet; {exc}."
    except Wrong as exc:
        text = str(exc)[0].upper() + str(exc)[1:] + ("" if str(exc)[-1] in ".?!" else ".")
        return False, f"{head}: not right yet. {text}\nHint: {exercise.hint}"
    except KeyboardInterrupt:
        return False, f"{head}: stopped by an interrupt before the check finished."
    except BaseException as exc:  # a bug in the checker, not in the learner's answer
        return False, (
            f"{head}: the checker itself failed ({type(exc).__name__}: {exc}). This is a bug "
            "in the book, not in your answer; please report it."
        )
    return True, f"{head}: {'the solution passes' if solution else 'right'}."


def check(exercise_id: str, answer: Any, *, solution: bool = False) -> bool:
    """Check the learner's answer to one exercise, print the verdict, return whether it is right.

    Nothing the answer does makes this raise: None, a wrong type or shape,
    NaN, an exception, ``sys.exit()`` or an interrupt in the learner's
    function each get a verdict, then the hint.

    Parameters
    ----------
    exercise_id : str
        The exercise, e.g. ``"5.2"``.
    answer : object
        The learner's function, or their number.
    solution : bool
        True in the book's solution cells: not counted as the learner's answer.

    Returns
    -------
    bool
    """
    key = str(exercise_id).strip()
    chapter = exercises_of(key.split(".")[0])
    exercise = EXERCISES.get(key)
    if exercise is None:
        known = ", ".join(e.id for e in chapter)
        print(
            f"There is no exercise {exercise_id!r}"
            + (f"; this chapter has {known}." if known else ".")
        )
        return False
    right, text = _verdict(exercise, answer, solution)
    print(text)
    if right is not None and not solution:
        _RESULTS[key] = _RESULTS.get(key, False) or right
    return bool(right)


def summary(chapter: int) -> None:
    """Print which of the chapter's exercises were answered right in this kernel.

    Parameters
    ----------
    chapter : int
        The chapter number, e.g. ``5``.
    """
    exercises = exercises_of(chapter)
    if not exercises:
        print(f"Chapter {chapter} has no exercises.")
        return
    right = sum(_RESULTS.get(e.id, False) for e in exercises)
    lines = [f"Chapter {chapter}: {right} of {len(exercises)} exercises answered right so far."]
    for e in exercises:
        state = {True: "right", False: "not right yet"}.get(_RESULTS.get(e.id), "not tried")
        lines.append(f"  {e.id} {e.title}: {state}")
    print("\n".join(lines))
