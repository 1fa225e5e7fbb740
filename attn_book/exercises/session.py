"""What the reader has done in this kernel session, and the end-of-chapter summary.

:func:`attn_book.exercises.check` records every verdict here; :func:`summary`
prints, at the end of a chapter, which of its exercises the reader has
passed in this session and which remain. Running a hidden solution cell
(``check(..., solution=True)``) is recorded apart: it is not the reader's own
answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from attn_book.exercises.layout import wrap
from attn_book.exercises.registry import chapter_exercises

Outcome = Literal["passed", "wrong", "not tried", "solution"]
Status = Literal["passed", "tried", "not tried"]


@dataclass
class Record:
    """One exercise's history in this session."""

    passed: bool = False
    attempts: int = 0
    solution_run: bool = False

    @property
    def status(self) -> Status:
        """``"passed"``, ``"tried"`` (a wrong answer, not passed since) or ``"not tried"``."""
        if self.passed:
            return "passed"
        return "tried" if self.attempts else "not tried"


_RECORDS: dict[str, Record] = {}


def record(exercise_id: str, outcome: Outcome) -> None:
    """Note one verdict for ``exercise_id``."""
    entry = _RECORDS.setdefault(exercise_id, Record())
    if outcome == "passed":
        entry.passed = True
        entry.attempts += 1
    elif outcome == "wrong":
        entry.attempts += 1
    elif outcome == "solution":
        entry.solution_run = True


def progress(chapter: int | str) -> dict[str, Record]:
    """Each of the chapter's exercises (in order) and its record in this session."""
    return {e.id: _RECORDS.get(e.id, Record()) for e in chapter_exercises(chapter)}


def reset() -> None:
    """Forget this session's verdicts (for tests)."""
    _RECORDS.clear()


_MARKS = {"passed": "✅", "tried": "❌", "not tried": "⬜"}
_LABELS = {"passed": "passed", "tried": "tried, not passed yet", "not tried": "not tried yet"}


def summary_text(chapter: int | str) -> str:
    """The text :func:`summary` prints."""
    try:
        number = int(chapter)
    except (TypeError, ValueError):
        return f"❓ There is no chapter {chapter!r}; give its number, e.g. summary(5)."
    exercises = chapter_exercises(number)
    if not exercises:
        return f"Chapter {number} has no exercises."
    records = progress(number)
    passed = [e for e in exercises if records[e.id].passed]
    lines = [
        f"Chapter {number} exercises in this session: {len(passed)} of {len(exercises)} passed."
    ]
    for e in exercises:
        entry = records[e.id]
        line = f"  {_MARKS[entry.status]} {e.id} {e.title}: {_LABELS[entry.status]}"
        if entry.solution_run and not entry.passed:
            line += " (its solution cell ran)"
        lines.append(wrap(line, indent="     "))
    remaining = [e.id for e in exercises if not records[e.id].passed]
    if remaining:
        lines.append(
            wrap(
                "Still open: " + ", ".join(remaining) + ". Run an exercise's check cell "
                "after writing your answer to tick it off.",
                indent="",
            )
        )
    else:
        lines.append("All passed. Well done!")
    return "\n".join(lines)


def summary(chapter: int | str) -> None:
    """Print which of the chapter's exercises the reader passed in this session.

    Parameters
    ----------
    chapter : int or str
        The chapter number, e.g. ``5``.

    Examples
    --------
    >>> summary(0)  # doctest: +ELLIPSIS
    Chapter 0 exercises in this session: ... of 2 passed.
    ...
    """
    print(summary_text(chapter))
