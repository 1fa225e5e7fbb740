"""Every registered exercise, of every chapter: its solution passes, its typical mistakes fail.

Chapter authors get these tests for free by registering an exercise with
``solution=`` and at least two ``wrong_answers=[(answer, message fragment)]``:
the solution must pass the checker, each wrong answer must be rejected with
a verdict containing its fragment, and no odd answer may crash the checker.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from attn_book.exercises import all_exercises, get, registry, verdict
from attn_book.exercises import calls as calls_module
from attn_book.exercises.registry import Exercise, WrongAnswer, exercise, parse_id, register

EXERCISES = all_exercises()
IDS = [e.id for e in EXERCISES]
WRONG = [(e.id, i) for e in EXERCISES for i in range(len(e.wrong_answers))]

# Answers no checker may crash on (a crash prints "the checker itself failed").
ODD_VALUES = [None, "text", [1, 2], float("nan"), np.zeros((0,)), np.zeros((2, 3, 4)), {"a": 1}]
ODD_FUNCTIONS = [
    lambda *a, **k: None,
    lambda *a, **k: "text",
    lambda *a, **k: float("nan"),
    lambda *a, **k: [1, 2],
    lambda *a, **k: np.zeros((2, 3, 4)),
    lambda *a, **k: np.full((3, 3), np.nan),
    lambda *a, **k: 1 / 0,
]


@pytest.fixture(autouse=True)
def short_limit(monkeypatch):
    monkeypatch.setattr(calls_module, "DEFAULT_TIME_LIMIT", 2.0)


def test_there_are_exercises_to_test():
    assert "0.1" in IDS and "0.2" in IDS


@pytest.mark.parametrize("exercise_id", IDS)
def test_solution_passes(exercise_id):
    ex = get(exercise_id)
    passed, text = verdict(exercise_id, ex.solution)
    assert passed, f"{exercise_id}: the registered solution fails: {text}"
    passed, text = verdict(exercise_id, ex.solution, solution=True)
    assert passed and "the solution passes" in " ".join(text.split())


@pytest.mark.parametrize(("exercise_id", "index"), WRONG, ids=[f"{i}-wrong{n}" for i, n in WRONG])
def test_typical_wrong_answer_is_rejected_with_its_message(exercise_id, index):
    wrong = get(exercise_id).wrong_answers[index]
    passed, text = verdict(exercise_id, wrong.answer)
    text = " ".join(text.split())  # undo the line wrapping
    assert not passed, f"{exercise_id}: wrong answer {index} was accepted"
    assert text.startswith("❌"), f"{exercise_id}: wrong answer {index}: {text}"
    assert wrong.message in text, (
        f"{exercise_id}: wrong answer {index} should say {wrong.message!r}; it says: {text}"
    )
    assert "Hint: " in text


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_exercise_has_two_distinct_typical_wrong_answers(exercise_id):
    ex = get(exercise_id)
    messages = [w.message for w in ex.wrong_answers]
    assert len(messages) >= 2
    texts = {verdict(exercise_id, w.answer)[1] for w in ex.wrong_answers}
    assert len(texts) >= 2, f"{exercise_id}: the wrong answers all get the same verdict"


@pytest.mark.parametrize("exercise_id", IDS)
def test_odd_answers_get_a_verdict_not_a_crash(exercise_id):
    ex = get(exercise_id)
    odd = ODD_FUNCTIONS if ex.kind == "function" else ODD_VALUES
    for answer in [*odd, ...]:
        passed, text = verdict(exercise_id, answer)
        assert not passed, f"{exercise_id} accepted {answer!r}"
        assert text.startswith(("❌", "⏳")), f"{exercise_id}, answer {answer!r}: {text}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_exercise_lives_in_its_chapter_module(exercise_id):
    ex = get(exercise_id)
    chapter, number = parse_id(exercise_id)
    assert ex.chapter == chapter and ex.number == number
    assert ex.checker.__module__ == f"attn_book.exercises.chapter{chapter}"
    assert ex.title.strip() and ex.hint.strip()


def test_chapter_modules_exist_for_every_chapter():
    assert set(registry.chapter_modules()) >= {0, 1, 2, 3, 4, 5, 6}


def test_chapter_modules_load_lazily():
    code = (
        "import sys\n"
        "from attn_book.exercises import check\n"
        "assert not [m for m in sys.modules if m.startswith('attn_book.exercises.chapter')]\n"
        "check('0.2', 15)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('attn_book.exercises.chapter'))\n"
        "assert loaded == ['attn_book.exercises.chapter0'], loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("✅ 0.2")


# ------------------------------------------------------------ registration errors


def _checker(answer):
    return None


def _exercise(**changes):
    fields = {
        "id": "0.50",
        "title": "T",
        "kind": "value",
        "checker": _checker,
        "hint": "H",
        "solution": 1,
        "wrong_answers": (WrongAnswer(2, "a"), WrongAnswer(3, "b")),
    }
    fields.update(changes)
    return Exercise(**fields)


@pytest.mark.parametrize(
    ("changes", "error", "fragment"),
    [
        ({"id": "5"}, ValueError, "looks like '5.2'"),
        ({"id": "5.02"}, ValueError, "looks like '5.2'"),
        ({"id": 5.2}, TypeError, "is a str"),
        ({"kind": "text"}, ValueError, "kind must be 'function' or 'value'"),
        ({"title": " "}, ValueError, "title must be a non-empty str"),
        ({"hint": None}, ValueError, "hint must be a non-empty str"),
        ({"checker": 3}, TypeError, "checker must be callable"),
        ({"wrong_answers": (WrongAnswer(2, "a"),)}, ValueError, "at least two typical wrong"),
        ({"wrong_answers": (WrongAnswer(2, "a"), WrongAnswer(3, " "))}, ValueError, "fragment"),
        ({"kind": "function", "solution": 3}, ValueError, "needs a function as its solution"),
    ],
)
def test_bad_registrations_are_refused(changes, error, fragment, monkeypatch):
    monkeypatch.setattr(registry, "_EXERCISES", dict(registry._EXERCISES))
    with pytest.raises(error, match=fragment):
        register(_exercise(**changes))


def test_a_chapter_module_registers_only_its_own_chapter(monkeypatch):
    monkeypatch.setattr(registry, "_EXERCISES", dict(registry._EXERCISES))
    with pytest.raises(ValueError, match="register it in chapter0.py"):
        register(_exercise(), module="attn_book.exercises.chapter5")


def test_an_id_cannot_be_taken_twice(monkeypatch):
    monkeypatch.setattr(registry, "_EXERCISES", dict(registry._EXERCISES))
    with pytest.raises(ValueError, match="already registered by attn_book.exercises.chapter0"):
        register(_exercise(id="0.1"), module="tests.somewhere")
    # Re-running the registering module (a reload in Jupyter) replaces the entry.
    register(_exercise(), module=__name__)
    register(_exercise(title="New"), module=__name__)
    assert registry._EXERCISES["0.50"].title == "New"


def test_decorator_registers_and_returns_the_checker(monkeypatch):
    monkeypatch.setattr(registry, "_EXERCISES", dict(registry._EXERCISES))

    @exercise(
        "0.51",
        title="Double",
        kind="function",
        hint="Multiply by two.",
        solution=lambda x: 2 * x,
        wrong_answers=[(lambda x: x, "a"), (lambda x: 3 * x, "b")],
    )
    def check_double(function):
        return None

    assert get("0.51").checker is check_double
    assert [w.message for w in get("0.51").wrong_answers] == ["a", "b"]
