"""The exercise checkers: each accepts its solution, in float64 and float32, and rejects its
planted bugs; whatever a learner's answer does, check() prints a verdict and returns a bool."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import attn_book.exercises as exercises
from attn_book.exercises import check, exercises_of, read_number, summary

ALL = [e for chapter in range(1, 8) for e in exercises_of(chapter)]
FUNCTIONS = [e for e in ALL if callable(e.solution)]
VALUES = [e for e in ALL if not callable(e.solution)]
BUGS = [(e, i) for e in ALL for i in range(len(e.bugs))]


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    monkeypatch.setattr(exercises, "_RESULTS", {})


def verdict(capsys, exercise_id, answer, **kwargs) -> tuple[bool, str]:
    """check() once: what it returned and what it printed (never nothing, never on stderr)."""
    right = check(exercise_id, answer, **kwargs)
    printed = capsys.readouterr()
    assert isinstance(right, bool) and printed.err == "" and printed.out.strip()
    return right, printed.out


def float32(value):
    """Floats (in arrays, dicts, tuples and lists) as float32."""
    if isinstance(value, dict):
        return {k: float32(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(float32(v) for v in value)
    if isinstance(value, (np.ndarray, np.floating, float)) and np.asarray(value).dtype.kind == "f":
        return np.float32(value) if np.ndim(value) == 0 else np.asarray(value, np.float32)
    return value


def nan_like(value):
    """The same structure with every number NaN."""
    if isinstance(value, (tuple, list)):
        return tuple(nan_like(v) for v in value)
    return np.full(np.shape(value), np.nan) if np.ndim(value) else np.nan


def name(e) -> str:
    return e.id


@pytest.mark.parametrize("exercise", ALL, ids=name)
def test_the_solution_is_accepted(exercise, capsys):
    assert verdict(capsys, exercise.id, exercise.solution)[0]


@pytest.mark.parametrize("exercise", ALL, ids=name)
def test_the_solution_computed_in_float32_is_accepted(exercise, capsys):
    solution = exercise.solution
    answer = (
        (lambda *a: float32(solution(*float32(a)))) if callable(solution) else float32(solution)
    )
    assert verdict(capsys, exercise.id, answer)[0]


@pytest.mark.parametrize(("exercise", "index"), BUGS, ids=[f"{e.id}-bug{i}" for e, i in BUGS])
def test_each_planted_bug_is_rejected_with_its_message(exercise, index, capsys):
    bug, message = exercise.bugs[index]
    right, printed = verdict(capsys, exercise.id, bug)
    assert not right and message in printed


def _raise(*args):
    raise ValueError("bad")


def _exit(*args):
    sys.exit()


def _interrupt(*args):
    raise KeyboardInterrupt


ODD_FUNCTIONS = {
    "exception": lambda e: _raise,
    "sys.exit": lambda e: _exit,
    "interrupt": lambda e: _interrupt,
    "None": lambda e: lambda *a: None,
    "wrong shape": lambda e: lambda *a: np.zeros((2, 3, 7)),
    "text": lambda e: lambda *a: "forty-two",
    "ragged list": lambda e: lambda *a: [[1.0], [1.0, 2.0]],
    "NaN": lambda e: lambda *a: nan_like(e.solution(*a)),
}


@pytest.mark.parametrize("odd", ODD_FUNCTIONS)
@pytest.mark.parametrize("exercise", FUNCTIONS, ids=name)
def test_odd_functions_get_a_verdict_that_names_the_input(exercise, odd, capsys):
    right, printed = verdict(capsys, exercise.id, ODD_FUNCTIONS[odd](exercise))
    first_input = exercise.cases[0][0]
    assert not right and first_input.lower() in printed.lower()


ODD_VALUES = [None, float("nan"), np.inf, True, np.zeros(3), [1, 2], "about sixteen", "1,5", len]


@pytest.mark.parametrize("answer", ODD_VALUES, ids=repr)
@pytest.mark.parametrize("exercise", VALUES, ids=name)
def test_odd_values_get_a_verdict(exercise, answer, capsys):
    assert not verdict(capsys, exercise.id, answer)[0]


@pytest.mark.parametrize("exercise", ALL, ids=name)
def test_the_stub_is_not_tried_and_passing_a_function_or_value_the_wrong_way_is_wrong(
    exercise, capsys
):
    assert not verdict(capsys, exercise.id, ...)[0]
    wrong_kind = 7 if callable(exercise.solution) else (lambda: exercise.solution)
    assert not verdict(capsys, exercise.id, wrong_kind)[0]


def test_a_function_that_changes_its_inputs_cannot_change_the_check(capsys):
    def vandal(q, k, w):
        result = q @ w @ k.T
        q[:], k[:], w[:] = 0, 0, 0
        return result

    assert verdict(capsys, "2.3", vandal)[0]
    assert verdict(capsys, "2.3", vandal)[0]


def test_a_second_copy_that_always_ends_the_sequence_is_fine_but_a_fixed_distance_is_not(capsys):
    def at_the_end(rng, length):
        tokens = rng.integers(16, size=24)
        first = int(rng.integers(0, 24 - 2 * length + 1))
        tokens[first : first + length] = tokens[24 - length :] = rng.permutation(16)[:length]
        return tokens, first, 24 - length

    def six_apart(rng, length):
        tokens, distance = rng.integers(16, size=24), max(6, length)
        first = int(rng.integers(0, 24 - length - distance + 1))
        tokens[first : first + length] = rng.permutation(16)[:length]
        tokens[first + distance : first + distance + length] = tokens[first : first + length]
        return tokens, first, first + distance

    assert verdict(capsys, "6.3", at_the_end)[0]
    right, printed = verdict(capsys, "6.3", six_apart)
    assert not right and exercises_of(6)[2].bugs[0][1] in printed


def test_unknown_exercises_get_a_message(capsys):
    for unknown in ("9.1", "5.9", "five", None, 5.25):
        assert not verdict(capsys, unknown, len)[0]
    assert verdict(capsys, 2.4, 2 * 2048 * 2048 * 64)[0]  # an id typed as a number


def test_summary_counts_the_learners_right_answers_only(capsys):
    check("5.5", 5120, solution=True)
    check("5.4", ...)
    check("5.1", lambda lengths, n: None)
    check("2.4", 1)
    check("2.4", 2 * 2048 * 2048 * 64)
    check("2.4", 1)
    capsys.readouterr()
    summary(5)
    five = capsys.readouterr().out
    assert "0 of 5" in five and five.count("not tried") == 4
    summary(2)
    assert "1 of 5" in capsys.readouterr().out
    summary(9)
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,048,576", 1048576),
        ("1 048 576", 1048576),
        ("1_048_576", 1048576),
        ("4*512*512", 1048576),
        ("4 × 512 × 512 bytes", 1048576),
        ("64 features", 64),
        ("  16 GiB ", 16),
        ("1/4", 0.25),
        ("-0.5", -0.5),
        ("\u22123", -3),
        ("1.5e3", 1500),
        (".25", 0.25),
        (np.float32(0.5), 0.5),
        (np.int64(7), 7),
        (np.array([3.0]), 3),
        (12, 12),
    ],
)
def test_read_number_reads_what_the_page_prints(text, number):
    assert read_number(text) == number


@pytest.mark.parametrize(
    "bad",
    [
        True,
        np.bool_(False),
        float("nan"),
        "inf",
        None,
        "",
        "1,5",
        "0,25",
        "1.048.576",
        "about 16",
        "16 or 17",
        "16 GB of memory",
        "1/0",
        "2**30",
        [1, 2],
        np.zeros(2),
        "12,34,567",
    ],
)
def test_read_number_refuses_what_is_not_one_clear_number(bad):
    with pytest.raises(ValueError):
        read_number(bad)
