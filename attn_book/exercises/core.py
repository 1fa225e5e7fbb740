"""The exercise core: run the learner's answer, compare it, say the first difference.

A chapter module registers each exercise with :func:`function_exercise`,
:func:`value_exercise` or, for a check of its own, :func:`register`. A check
raises :class:`Wrong` with a sentence in the learner's terms (which input,
what was expected, what they gave); :func:`attn_book.exercises.check` prints it.
"""

from __future__ import annotations

import copy
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


class Wrong(Exception):
    """The answer is not right; the message says why, for the learner."""


class NotTried(Wrong):
    """The answer is still the notebook's stub."""


Bugs = Sequence[tuple[Any, str]]


@dataclass(frozen=True)
class Exercise:
    """An exercise: its check, a right answer, planted bugs (answer, what the verdict says)."""

    id: str
    title: str
    hint: str
    judge: Callable[[Any], None]
    solution: Any
    bugs: Bugs
    cases: Sequence[tuple[str, tuple]] = ()


EXERCISES: dict[str, Exercise] = {}


def register(id: str, title: str, hint: str, judge, solution, bugs: Bugs, cases=()) -> None:
    """Add an exercise; ``judge(answer)`` raises Wrong on the first problem."""
    EXERCISES[id] = Exercise(id, title, hint, judge, solution, list(bugs), list(cases))


def describe(value: Any) -> str:
    """A value in a few words: ``'a list of 3 items'``, ``'an array of shape (2, 3) (int64)'``."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} ({value.dtype})"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} item{'s' * (len(value) != 1)}"
    if isinstance(value, str):
        return repr(value[:40])
    if value is None or isinstance(value, (numbers.Number, np.generic, type(...))):
        return str(value)
    return f"the function {value.__name__}" if callable(value) else f"a {type(value).__name__}"


def show(x: Any) -> str:
    """A number as a learner reads it: ``1,048,576``, ``0.115``, ``True``, ``nan``."""
    if isinstance(x, (bool, np.bool_)) or not np.isfinite(x):
        return str(x)
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e15 else f"{float(x):.6g}"


def run(function: Callable, label: str, *args: Any) -> Any:
    """Call the learner's function on copies of ``args``; any failure becomes Wrong."""
    if function is Ellipsis:
        raise NotTried("replace the ... with your function")
    if not callable(function):
        raise Wrong(f"you passed {describe(function)}: pass your function, its name alone")
    try:
        with np.errstate(all="ignore"):
            result = function(*copy.deepcopy(args))
    except NotImplementedError:
        raise NotTried("your function still raises NotImplementedError: write its body") from None
    except KeyboardInterrupt:
        raise Wrong(f"{label}, stopped by an interrupt: your function did not finish") from None
    except SystemExit:
        raise Wrong(f"{label}, your function called sys.exit(): return instead") from None
    except BaseException as exc:  # the learner's bug, whatever it is
        first = (str(exc).strip().splitlines() or [""])[0]
        raise Wrong(f"{label}, your function raised {type(exc).__name__}: {first}") from None
    if result is None:
        raise Wrong(f"{label}, your function returned None: does it end with a return line?")
    return result


def compare(got, expected, label: str, *, what="", axes=(), parts=(), lists=False, values=True):
    """Raise Wrong at the first way ``got`` differs from ``expected`` (a tuple part by part).

    ``values=False`` checks the type, the shape and that every entry is finite;
    float32 answers get a tolerance of 1e-4, others 1e-6 (relative and absolute).
    """
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            raise Wrong(f"{label}, you returned {describe(got)}; return {', '.join(parts)}")
        for item, want, name in zip(got, expected, parts, strict=True):
            compare(item, want, label, what=f"your {name}", lists=lists, values=values)
        return
    if np.ndim(expected) == 0:
        if not isinstance(got, (numbers.Real, np.generic, np.ndarray)) or np.size(got) != 1:
            raise Wrong(f"{label}, you returned {describe(got)}; expected one number")
        got, what = np.asarray(got).reshape(()), what or "the number you returned"
    elif not isinstance(got, np.ndarray) and not (lists and isinstance(got, (list, tuple))):
        raise Wrong(f"{label}, you returned {describe(got)}; expected a NumPy array")
    what, expected = what or "the array you returned", np.asarray(expected)
    try:
        got = np.asarray(got)
    except ValueError:  # rows of different lengths
        raise Wrong(f"{label}, {what} is not rectangular: its rows differ in length") from None
    if got.dtype.kind not in "biuf":
        raise Wrong(f"{label}, the entries of {what} are not numbers ({got.dtype})")
    if got.shape != expected.shape:
        raise Wrong(f"{label}, the shape of {what} is {got.shape}; expected {expected.shape}")
    if expected.dtype == bool != got.dtype:
        raise Wrong(f"{label}, the entries of {what} are {got.dtype}; expected bool (True/False)")
    tol = 1e-4 if got.dtype.kind == "f" and got.dtype.itemsize < 8 else 1e-6
    with np.errstate(all="ignore"):
        if not values:
            bad = ~np.isfinite(got)
        elif expected.dtype.kind in "biu":
            bad = got != expected
        else:
            bad = ~(np.abs(got - expected) <= tol + tol * np.abs(expected))
    if bad.any():
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"entry {list(at)}{' (' + ', '.join(axes) + ')' if axes else ''} of " if at else ""
        should = f"; expected {show(expected[at])}" if values else ""
        count = f" ({int(bad.sum())} of {bad.size} entries differ)" if bad.size > 1 else ""
        raise Wrong(f"{label}, {where}{what} is {show(got[at])}{should}{count}")


def matches(got: Any, want: Any) -> bool:
    """Whether ``got`` equals ``want`` (NaN equal to NaN), never raising."""
    if isinstance(want, tuple):
        same = isinstance(got, (tuple, list)) and len(got) == len(want)
        return same and all(matches(g, w) for g, w in zip(got, want, strict=True))
    try:
        got, want = np.asarray(got), np.asarray(want)
        return got.shape == want.shape and bool(np.allclose(got, want, 1e-4, 1e-6, equal_nan=True))
    except (TypeError, ValueError):
        return False


def first_bug(got: Any, bugs: Bugs, args: tuple) -> str | None:
    """The message of the first planted bug whose output on ``args`` equals ``got``."""
    for bug, message in bugs:
        try:
            with np.errstate(all="ignore"):
                output = bug(*copy.deepcopy(args))
        except Exception:  # a bug that raises here is not what the learner returned
            continue
        if matches(got, output):
            return message
    return None


def function_exercise(
    id: str,
    title: str,
    hint: str,
    reference: Callable,
    cases: Sequence[tuple[str, tuple]],
    bugs: Bugs = (),
    *,
    explain: Callable | None = None,
    explained: Bugs = (),
    **options: Any,
) -> None:
    """Register an exercise that runs the learner's function and ``reference`` on ``cases``.

    Parameters
    ----------
    id, title, hint : str
        The id (``"5.2"``), a few words, and the hint printed after a wrong verdict.
    reference : callable
        The right function, also the exercise's solution.
    cases : sequence of (label, args)
        The inputs; the label names them in a verdict ("for x of shape (5, 8)").
    bugs : sequence of (function, message)
        Planted mistakes: an answer equal to one on an input gets its message.
    explain : callable, optional
        ``explain(got, expected, label, args)`` may raise a more telling Wrong.
    explained : sequence of (function, fragment)
        Planted mistakes that ``explain`` names (for the tests).
    **options
        Passed to :func:`compare`.
    """

    def judge(answer: Any) -> None:
        for label, args in cases:
            got = run(answer, label, *args)
            expected = reference(*args)
            try:
                compare(got, expected, label, **options)
            except Wrong:
                message = first_bug(got, bugs, args)
                if message:
                    raise Wrong(f"{label}, {message}") from None
                try:
                    if explain:
                        explain(got, expected, label, args)
                except (TypeError, ValueError, IndexError):  # an answer explain cannot read
                    pass
                raise

    register(id, title, hint, judge, reference, [*bugs, *explained], cases)


_SEPARATORS = "[,_ \u00a0\u202f]"
_DIGITS = rf"(?:[1-9][0-9]{{0,2}}(?:{_SEPARATORS}[0-9]{{3}})+|[0-9]+)"  # grouped in threes, or not
_NUMBER = rf"[-+]?(?:{_DIGITS}(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_TEXT = re.compile(rf"({_NUMBER}(?:\s*[*/]\s*{_NUMBER})*)\s*(?:[^\W\d_]+)?")


def read_number(value: Any) -> float:
    """The learner's number, from a number or from text.

    The rule for text (the page's questions follow it too): spaces around it
    are ignored; digits may be grouped in threes by commas, spaces or
    underscores ("1,048,576", "1 048 576"); numbers may be joined by ``*`` or
    ``/``, worked out left to right ("4*512*512", "1/4"); one word may follow,
    a unit, and is ignored ("64 features"). Anything else is refused ("1,5",
    "about 16", "16 or 17"): a decimal point is written ".".

    Parameters
    ----------
    value : int, float, NumPy scalar or one-entry array, or str

    Returns
    -------
    float

    Raises
    ------
    ValueError
        A bool, NaN or infinity, None, several numbers, or text that does not
        follow the rule; the message says how to write the number.
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{value} is a bool, not a number")
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, str):
        match = _TEXT.fullmatch(value.strip().replace("\u2212", "-").replace("\u00d7", "*"))
        if not match:
            raise ValueError(
                f"{value!r} is not a number I can read: write it as 1048576, "
                "1,048,576 or 4*512*512 (a decimal point is '.')"
            )
        parts = [re.sub(_SEPARATORS, "", p) for p in re.split(r"\s*([*/])\s*", match.group(1))]
        value = float(parts[0])
        for op, part in zip(parts[1::2], parts[2::2], strict=True):
            if op == "/" and float(part) == 0:
                raise ValueError(f"{match.group(1)} divides by zero")
            value = value * float(part) if op == "*" else value / float(part)
    if not isinstance(value, (numbers.Real, np.integer, np.floating)):
        raise ValueError(f"{describe(value)} is not one number")
    if not np.isfinite(float(value)):
        raise ValueError(f"{value} is not a finite number")
    return float(value)


def value_exercise(
    id: str, title: str, hint: str, answer: float, bugs: Bugs = (), *, rtol=1e-9, atol=0.0
) -> None:
    """Register an exercise whose answer is one number, read by :func:`read_number`.

    Parameters
    ----------
    id, title, hint : str
        As for :func:`function_exercise`.
    answer : float
        The right number, computed by the book's code.
    bugs : sequence of (number, message)
        Planted mistakes: a number as close to one as the tolerance gets its message.
    rtol, atol : float
        Accept ``|given - answer| <= atol + rtol * |answer|``.
    """

    def judge(given: Any) -> None:
        if given is Ellipsis:
            raise NotTried("replace the ... with your answer")
        if callable(given):
            raise Wrong("you passed a function: call it, and pass the number it returns")
        try:
            value = read_number(given)
        except ValueError as exc:
            raise Wrong(str(exc)) from None
        for right, message in [(answer, None), *bugs]:
            if abs(value - right) <= atol + rtol * abs(right):
                if message is None:
                    return
                raise Wrong(f"{show(value)}: {message}")
        raise Wrong(f"{show(value)} is too {'large' if value > answer else 'small'}")

    register(id, title, hint, judge, answer, bugs)
