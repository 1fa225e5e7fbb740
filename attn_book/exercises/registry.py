"""The registry of exercises: one entry per exercise id, registered by chapter modules.

Each chapter's exercises live in ``attn_book/exercises/chapterN.py`` and are
registered with the :func:`exercise` decorator when that module is imported.
:func:`get` imports the module lazily from the id, so ``check("5.2", ...)``
loads only chapter 5's checkers.

Every registration carries its own proof: the ``solution`` must pass the
checker and each of the (at least two) ``wrong_answers`` must fail it with
a verdict containing its expected message; ``tests/book/test_exercises_registry.py``
checks this for every exercise of every chapter.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["function", "value"]
#: A checker takes the reader's answer; it returns None or a short success
#: remark, and raises Wrong (see attn_book.exercises.verdict) on the first problem.
Checker = Callable[[Any], "str | None"]

_ID = re.compile(r"^([1-9]\d*|0)\.([1-9]\d*)$")
_CHAPTER_MODULE = re.compile(r"^attn_book\.exercises\.chapter(\d+)$")
_EXERCISES: dict[str, Exercise] = {}


@dataclass(frozen=True)
class WrongAnswer:
    """A typical wrong answer and a fragment its verdict must contain."""

    answer: Any
    message: str


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    Attributes
    ----------
    id : str
        ``"<chapter>.<number>"``, e.g. ``"5.2"``.
    title : str
        A few words, shown in verdicts and in the chapter's summary.
    kind : {"function", "value"}
        Whether the reader writes a function (the checker calls it) or
        computes a value.
    checker : callable
        ``checker(answer) -> str | None``; raises Wrong on the first problem.
    hint : str
        One or two sentences printed after a wrong verdict.
    solution : object
        A right answer (for a function exercise, a function), used by the tests.
    wrong_answers : tuple of WrongAnswer
        At least two typical mistakes and a fragment of each one's verdict.
    """

    id: str
    title: str
    kind: Kind
    checker: Checker
    hint: str
    solution: Any
    wrong_answers: tuple[WrongAnswer, ...]

    @property
    def chapter(self) -> int:
        """The chapter number, from the id."""
        return int(self.id.split(".")[0])

    @property
    def number(self) -> int:
        """The exercise's number within its chapter."""
        return int(self.id.split(".")[1])


def parse_id(exercise_id: Any) -> tuple[int, int]:
    """``"5.2"`` -> ``(5, 2)``.

    Raises
    ------
    TypeError
        ``exercise_id`` is not a str.
    ValueError
        It is not of the form ``"<chapter>.<number>"`` (no leading zeros).
    """
    if not isinstance(exercise_id, str):
        raise TypeError(f"an exercise id is a str such as '5.2', got {exercise_id!r}")
    match = _ID.match(exercise_id)
    if not match:
        raise ValueError(f"an exercise id looks like '5.2' (chapter.number), got {exercise_id!r}")
    return int(match.group(1)), int(match.group(2))


def register(exercise: Exercise, *, module: str | None = None) -> Exercise:
    """Add ``exercise`` to the registry and return it.

    Parameters
    ----------
    exercise : Exercise
        The exercise to add.
    module : str, optional
        The registering module's name; a ``chapterN`` module may only
        register ids of chapter N. Default: the checker's module.

    Raises
    ------
    ValueError
        A malformed id, kind, title or hint; fewer than two wrong answers;
        an id of another chapter; or an id already registered by another module.
    TypeError
        A checker that is not callable.
    """
    chapter, _ = parse_id(exercise.id)
    if exercise.kind not in ("function", "value"):
        raise ValueError(
            f"{exercise.id}: kind must be 'function' or 'value', got {exercise.kind!r}"
        )
    if not callable(exercise.checker):
        raise TypeError(f"{exercise.id}: checker must be callable, got {exercise.checker!r}")
    for field in ("title", "hint"):
        value = getattr(exercise, field)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{exercise.id}: {field} must be a non-empty str, got {value!r}")
    if len(exercise.wrong_answers) < 2:
        raise ValueError(
            f"{exercise.id}: give at least two typical wrong answers, got "
            f"{len(exercise.wrong_answers)}"
        )
    for wrong in exercise.wrong_answers:
        if not isinstance(wrong, WrongAnswer) or not wrong.message.strip():
            raise ValueError(f"{exercise.id}: each wrong answer needs a message fragment")
    if exercise.kind == "function" and not callable(exercise.solution):
        raise ValueError(f"{exercise.id}: a function exercise needs a function as its solution")
    module = module or getattr(exercise.checker, "__module__", None) or ""
    owner = _CHAPTER_MODULE.match(module)
    if owner and int(owner.group(1)) != chapter:
        raise ValueError(
            f"{exercise.id} is registered in {module}; register it in chapter{chapter}.py"
        )
    old = _EXERCISES.get(exercise.id)
    if old is not None and getattr(old.checker, "__module__", None) != module:
        raise ValueError(
            f"exercise {exercise.id} is already registered by {old.checker.__module__}"
        )
    _EXERCISES[exercise.id] = exercise
    return exercise


def exercise(
    exercise_id: str,
    *,
    title: str,
    kind: Kind,
    hint: str,
    solution: Any,
    wrong_answers: Iterable[tuple[Any, str]],
) -> Callable[[Checker], Checker]:
    """Decorator: register the decorated function as the checker of ``exercise_id``.

    Parameters
    ----------
    exercise_id : str
        ``"<chapter>.<number>"``; the chapter must be the module's.
    title : str
        A few words naming the exercise.
    kind : {"function", "value"}
        What the reader hands to ``check``.
    hint : str
        Printed after a wrong verdict.
    solution : object
        A right answer; a library function is fine (no need to copy the
        notebook's solution).
    wrong_answers : iterable of (answer, message fragment)
        At least two typical mistakes and a fragment of the verdict each must get.

    Returns
    -------
    callable
        The checker, unchanged.

    Examples
    --------
    See ``attn_book/exercises/chapter0.py``.
    """

    def decorate(checker: Checker) -> Checker:
        register(
            Exercise(
                id=exercise_id,
                title=title,
                kind=kind,
                checker=checker,
                hint=hint,
                solution=solution,
                wrong_answers=tuple(WrongAnswer(a, m) for a, m in wrong_answers),
            ),
            module=checker.__module__,
        )
        return checker

    return decorate


def _load_chapter(chapter: int) -> None:
    name = f"{__package__}.chapter{chapter}"
    if importlib.util.find_spec(name) is not None:
        importlib.import_module(name)


def get(exercise_id: str) -> Exercise:
    """The exercise with this id (its chapter module is imported on first use).

    Raises
    ------
    TypeError, ValueError
        A malformed id (see :func:`parse_id`).
    KeyError
        No exercise has this id.
    """
    chapter, _ = parse_id(exercise_id)
    if exercise_id not in _EXERCISES:
        _load_chapter(chapter)
    try:
        return _EXERCISES[exercise_id]
    except KeyError:
        raise KeyError(exercise_id) from None


def chapter_exercises(chapter: int | str) -> list[Exercise]:
    """Every exercise of one chapter, in number order."""
    chapter = int(chapter)
    _load_chapter(chapter)
    found = [e for e in _EXERCISES.values() if e.chapter == chapter]
    return sorted(found, key=lambda e: e.number)


def chapter_modules() -> list[int]:
    """The chapter numbers that have a ``chapterN`` module."""
    numbers = []
    for info in pkgutil.iter_modules(importlib.import_module(__package__).__path__):
        match = re.fullmatch(r"chapter(\d+)", info.name)
        if match:
            numbers.append(int(match.group(1)))
    return sorted(numbers)


def all_exercises() -> list[Exercise]:
    """Every registered exercise of every chapter module, in id order."""
    for chapter in chapter_modules():
        _load_chapter(chapter)
    return sorted(_EXERCISES.values(), key=lambda e: (e.chapter, e.number))
