"""attn_book.exercises: every verdict path of check(), the toolkit and the session summary.

The worked examples of chapter 0 (``attn_book/exercises/chapter0.py``) are
the exercises under test: ``0.1`` asks for a function (build a causal mask),
``0.2`` for a value (how many keys a 5 x 5 causal mask allows).
"""

from __future__ import annotations

import signal
import threading
import time

import numpy as np
import pytest

from attn_book.exercises import (
    Wrong,
    as_array,
    call,
    check,
    expect_array,
    expect_mask,
    expect_number,
    progress,
    registry,
    session,
    summary,
    verdict,
)
from attn_book.exercises import calls as calls_module
from attn_book.exercises.calls import describe
from attn_book.exercises.compare import where
from attn_book.exercises.registry import Exercise, WrongAnswer
from attn_book.exercises.verdict import NotTried
from attn_core import causal_mask

SHORT = 0.3  # seconds: the time limit in the tests of slow functions


@pytest.fixture(autouse=True)
def fresh_session():
    session.reset()
    yield
    session.reset()


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(calls_module, "DEFAULT_TIME_LIMIT", SHORT)


def flat(text: str) -> str:
    """Text with its line wrapping undone (verdicts wrap at 78 columns)."""
    return " ".join(text.split())


def run(exercise_id, answer, capsys, **kwargs):
    """check() once: its return value and what it printed."""
    result = check(exercise_id, answer, **kwargs)
    printed = capsys.readouterr()
    assert printed.err == "", "check must not write to stderr"
    return result, printed.out


def my_causal_mask(n):
    raise NotImplementedError


def endless(n):
    while True:
        pass


def stubborn(n):
    """Swallows the first interruption with a bare except, then loops on."""
    try:
        while True:
            pass
    except BaseException:
        pass
    while True:
        try:
            n += 1
        except Exception:
            pass


# ------------------------------------------------------------ verdict paths


def test_correct_function(capsys):
    result, out = run("0.1", causal_mask, capsys)
    assert result is True
    assert out.startswith("✅ 0.1 (Build a causal mask) correct")
    assert out.count("✅") == 1 and all(len(line) <= 78 for line in out.splitlines())


def test_correct_value(capsys):
    result, out = run("0.2", int(causal_mask(5).sum()), capsys)
    assert result is True and out.startswith("✅ 0.2")


def test_stub_is_not_tried_yet(capsys):
    result, out = run("0.1", my_causal_mask, capsys)
    assert result is False
    assert out.startswith("⏳ 0.1 (Build a causal mask) not tried yet")
    assert "NotImplementedError" in flat(out)
    assert "Hint" not in flat(out), "no hint before the reader has tried"


def test_placeholder_value_is_not_tried_yet(capsys):
    result, out = run("0.2", ..., capsys)
    assert result is False and out.startswith("⏳ 0.2") and "replace the ..." in flat(out)


@pytest.mark.parametrize(
    ("exercise_id", "answer", "fragment"),
    [
        ("0.1", None, "you passed None: pass your function"),
        ("0.2", None, "your answer is None"),
        ("0.1", lambda n: None, "returned None: does your function end with a `return` line?"),
    ],
)
def test_none(exercise_id, answer, fragment, capsys):
    result, out = run(exercise_id, answer, capsys)
    assert result is False
    assert out.startswith(f"❌ {exercise_id}") and fragment in flat(out)
    assert "\n   Hint: " in out


def test_list_instead_of_array(capsys):
    result, out = run("0.1", lambda n: causal_mask(n).tolist(), capsys)
    assert result is False
    assert "your mask for n=1 is a list of 1 item, not a NumPy array" in flat(out)
    assert "np.array(...)" in flat(out)


def test_array_instead_of_function(capsys):
    result, out = run("0.1", causal_mask(4), capsys)
    assert result is False
    assert "expected your function, got a NumPy array of shape (4, 4)" in flat(out)


def test_function_instead_of_value(capsys):
    result, out = run("0.2", causal_mask, capsys)
    assert result is False and "call it and pass what it returns" in flat(out)


def test_wrong_shape(capsys):
    result, out = run("0.1", lambda n: causal_mask(n + 1), capsys)
    assert result is False
    assert "your mask for n=1 has shape (2, 2), expected (1, 1)" in flat(out)


def test_wrong_dtype(capsys):
    result, out = run("0.1", lambda n: causal_mask(n).astype(int), capsys)
    assert result is False
    assert "holds int64 numbers, expected booleans (True/False)" in flat(out)


def test_nan(capsys):
    result, out = run("0.2", float("nan"), capsys)
    assert result is False and "your answer is NaN, not a finite number" in flat(out)
    with pytest.raises(Wrong, match=r"contains NaN at row 1, column 0 \(2 entries"):
        expect_array(np.array([[0.0, 1.0], [np.nan, np.inf]]), np.eye(2))


def test_numbers_far_off():
    expected = np.array([[1.0, 0.0], [0.25, 0.75]])
    got = np.array([[1.0, 0.0], [0.5, 0.5]])
    with pytest.raises(Wrong) as info:
        expect_array(got, expected, name="your weight matrix")
    message = str(info.value)
    assert message.startswith("your weight matrix is off at row 1, column 0")
    assert "expected 0.25, got 0.5 (the largest difference, 0.25; 2 of 4 entries are off)" in (
        message
    )


def test_reader_function_raises(capsys):
    def my_mask(n):
        return np.ones(n) @ np.ones(n + 1)

    result, out = run("0.1", my_mask, capsys)
    assert result is False
    assert "my_mask(1) raised ValueError: matmul" in flat(out)
    assert "Traceback" not in flat(out)


def test_reader_function_too_slow_is_stopped(capsys, short_limit):
    start = time.perf_counter()
    result, out = run("0.1", endless, capsys)
    elapsed = time.perf_counter() - start
    assert result is False
    assert f"endless(1) ran longer than {SHORT:g} s and was stopped" in flat(out)
    assert elapsed < SHORT + 1.0
    # The alarm is cleared and the previous handler is back.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None, signal.default_int_handler)


def test_reader_function_that_swallows_the_alarm_is_stopped(capsys, short_limit):
    result, out = run("0.1", stubborn, capsys)
    assert result is False and "ran longer than" in flat(out) and "was stopped" in flat(out)


def test_time_limit_outside_the_main_thread(short_limit):
    """The thread fallback stops a pure-Python loop too."""
    box = {}

    def worker():
        box["result"] = verdict("0.1", endless)

    thread = threading.Thread(target=worker)
    start = time.perf_counter()
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    passed, text = box["result"]
    assert passed is False
    assert "ran longer than" in text and "was stopped" in text
    assert time.perf_counter() - start < SHORT + 2.5
    # The fallback also returns results and passes on exceptions.
    box.clear()
    thread = threading.Thread(target=lambda: box.update(r=verdict("0.1", causal_mask)))
    thread.start()
    thread.join(10)
    assert box["r"][0] is True


def test_an_outside_timer_is_left_alone(short_limit):
    """With another SIGALRM timer running (e.g. pytest-timeout), the thread fallback is used."""
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        passed, text = verdict("0.1", endless)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30, "the outside timer was reset"
        assert signal.getsignal(signal.SIGALRM) is not None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert passed is False and "ran longer than" in text
    assert fired == []


def test_keyboard_interrupt_is_not_swallowed():
    """The reader can still interrupt the kernel while their function runs."""

    def interrupted(n):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check("0.1", interrupted)


def test_reader_function_cannot_change_the_test_input():
    seen = []

    def changes_input(x):
        x[0] = 99
        seen.append(x)
        return x

    data = [1, 2]
    assert call(changes_input, data) == [99, 2]
    assert data == [1, 2]


def test_unknown_or_malformed_ids_get_a_verdict(capsys):
    for bad, fragment in [
        ("0.9", "There is no exercise 0.9: chapter 0 has 0.1, 0.2."),
        ("9.1", "There is no exercise 9.1: chapter 9 has none."),
        ("x", "An exercise id looks like '5.2'"),
        (5.2, "An exercise id is a str such as '5.2', got 5.2"),
        ("05.1", "An exercise id looks like '5.2'"),
    ]:
        result, out = run(bad, 1, capsys)
        assert result is False and out.startswith("❓") and fragment in flat(out), out


def test_a_failing_checker_is_reported_as_a_bug_of_the_book(capsys, monkeypatch):
    def broken(answer):
        raise RuntimeError("oops")

    monkeypatch.setitem(
        registry._EXERCISES,
        "0.99",
        Exercise("0.99", "Broken", "value", broken, "No hint.", 1, (WrongAnswer(2, "x"),) * 2),
    )
    result, out = run("0.99", 1, capsys)
    assert result is False
    assert out.startswith("⚠️ 0.99 (Broken): the checker itself failed (RuntimeError: oops)")
    assert "not in your answer" in flat(out)


class _Hostile:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array here")

    def __float__(self):
        raise RuntimeError("no float here")


ODD_VALUES = [
    None,
    ...,
    "15",
    "fifteen",
    b"15",
    True,
    [15],
    [[1, 2], [3]],
    {"answer": 15},
    {15},
    np.array([15, 15]),
    np.array([15.0]),
    np.float32(15),
    np.int8(15),
    15 + 0j,
    float("inf"),
    -15,
    1e300,
    _Hostile(),
    object(),
    (x for x in range(3)),
]

ODD_FUNCTIONS = [
    lambda n: None,
    lambda n: "mask",
    lambda n: n,
    lambda n: [[True]],
    lambda n: np.full((n, n), np.nan),
    lambda n: np.ones((n, n), dtype=complex),
    lambda n: np.ones((n, n), dtype=object),
    lambda n: np.array(["a"] * n),
    lambda n: _Hostile(),
    lambda n: causal_mask(n)[None],
    lambda n: causal_mask(n).T,
    lambda: causal_mask(3),
    lambda n, m: causal_mask(n),
    lambda n: 1 / 0,
    lambda n: exec("raise SystemError('deep')"),
    lambda n: [].pop(),
    np.ones,
    len,
]


@pytest.mark.parametrize("answer", ODD_VALUES, ids=[describe(v)[:30] for v in ODD_VALUES])
def test_odd_values_never_raise(answer, capsys):
    result, out = run("0.2", answer, capsys)
    assert isinstance(result, bool)
    assert out.startswith(("✅", "❌", "⏳")), out
    assert sum(out.count(mark) for mark in "✅❌⏳⚠❓") == 1
    assert all(len(line) <= 78 for line in out.splitlines()), out


@pytest.mark.parametrize("function", ODD_FUNCTIONS)
def test_odd_functions_never_raise(function, capsys):
    result, out = run("0.1", function, capsys)
    assert result is False
    assert out.startswith(("❌", "⏳")), out


def test_accepted_odd_values_are_numbers_equal_to_the_answer(capsys):
    accepted = [v for v in ODD_VALUES if run("0.2", v, capsys)[0]]
    # np.array([15.0]), np.float32(15) and np.int8(15)
    assert [np.asarray(v).item() for v in accepted] == [15.0, 15.0, 15]


def test_check_returns_bools_and_prints_once(capsys):
    assert check("0.1", causal_mask) is True
    assert check("0.1", my_causal_mask) is False
    out = capsys.readouterr().out
    assert out.count("0.1 (Build a causal mask)") == 2


def test_solution_flag_reads_as_the_solution(capsys):
    result, out = run("0.1", causal_mask, capsys, solution=True)
    assert (
        result is True
        and out.strip() == "✅ 0.1 (Build a causal mask): the solution passes the check."
    )
    result, out = run("0.1", my_causal_mask, capsys, solution=True)
    assert result is False, "a broken solution must fail, so `assert check(...)` stops nbval"


# ------------------------------------------------------------ the toolkit


def test_where_phrases():
    assert where((2, 3)) == "at row 2, column 3"
    assert where((4,)) == "at position 4"
    assert where((1, 2, 3)) == "at index (1, 2, 3)"
    assert where((1, 2, 3), axes=("head", "query", "key")) == "at head 2, query 2, key 3"
    assert where(()) == ""


def test_describe():
    assert describe(None) == "None"
    assert describe([1]) == "a list of 1 item"
    assert describe((1, 2)) == "a tuple of 2 items"
    assert describe("x" * 50).endswith("...'")
    assert describe(np.int64(3)) == "the number 3"
    assert describe(True) == "the boolean True"
    assert describe(causal_mask) == "the function causal_mask"


@pytest.mark.parametrize(
    ("got", "expected", "fragment"),
    [
        (
            np.ones((3, 3), bool),
            causal_mask(3),
            "in row 0: it lets query 0 see key 1, in the future",
        ),
        (
            np.tril(np.ones((3, 3), bool), -1),
            causal_mask(3),
            "it hides key 0 from query 0, but query 0 must see it (a query may always see itself)",
        ),
        (
            np.eye(3, dtype=bool),
            causal_mask(3),
            "in row 1: it hides key 0 from query 1, but query 1 must see it",
        ),
        (
            causal_mask(3),
            causal_mask(3) & ~np.tril(np.ones((3, 3), bool), -2),
            "in row 2: it lets query 2 see key 0, which it must not see",
        ),
        (
            np.stack([causal_mask(2), np.ones((2, 2), bool)]),
            np.stack([causal_mask(2)] * 2),
            "at (1,), in row 0: it lets query 0 see key 1, in the future",
        ),
        (causal_mask(3).astype(float), causal_mask(3), "expected booleans"),
        (causal_mask(3)[:2], causal_mask(3), "has shape (2, 3), expected (3, 3)"),
        (causal_mask(3)[0], causal_mask(3), "(1 dimension instead of 2)"),
        (True, causal_mask(3), "a single number, expected an array of shape (3, 3)"),
    ],
)
def test_expect_mask_messages(got, expected, fragment):
    with pytest.raises(Wrong) as info:
        expect_mask(got, expected)
    assert fragment in str(info.value)


def test_expect_mask_accepts_the_right_mask_and_lists_when_allowed():
    assert expect_mask(causal_mask(4), causal_mask(4)).dtype == bool
    assert expect_mask(causal_mask(2).tolist(), causal_mask(2), allow_list=True).shape == (2, 2)


def test_expect_array_hints():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(Wrong, match="it equals the expected array transposed"):
        expect_array(expected.T, expected)
    with pytest.raises(Wrong, match=r"has shape \(3, 2\), expected \(2, 3\): rows and columns"):
        expect_array(np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(Wrong, match="holds booleans, expected numbers"):
        expect_array(np.ones((2, 2), bool), expected)
    with pytest.raises(
        Wrong, match=r"at row 0, column 1: expected 2, got 3 \(1 of 4 entries differ"
    ):
        expect_array(np.array([[1, 3], [3, 4]]), np.array([[1, 2], [3, 4]]))
    with pytest.raises(Wrong, match="at query 1, key 1"):
        expect_array(expected + np.eye(2) * [0, 1], expected, axes=("query", "key"))
    # Close enough passes; ints are fine where floats are expected; lists when allowed.
    expect_array(expected + 1e-9, expected)
    expect_array(np.array([[1, 2], [3, 4]]), expected)
    expect_array([[1.0, 2.0], [3.0, 4.0]], expected, allow_list=True)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (None, "is None, not an array"),
        ([1, 2], "is a list of 2 items, not a NumPy array"),
        ("abc", "is the text 'abc', not an array of numbers"),
        (np.array(["a", "b"]), "not an array of numbers or booleans (<U1)"),
        (np.array([1 + 1j]), "not an array of numbers or booleans (complex128)"),
        (_Hostile(), "could not be turned into an array: no array here"),
    ],
)
def test_as_array_messages(answer, fragment):
    with pytest.raises(Wrong) as info:
        as_array(answer)
    assert fragment in str(info.value)


def test_as_array_ragged_list():
    with pytest.raises(Wrong, match="could not be turned into an array"):
        as_array([[1, 2], [3]], allow_list=True)
    with pytest.raises(NotTried):
        as_array(...)


@pytest.mark.parametrize(
    ("answer", "kwargs", "fragment"),
    [
        (True, {}, "is the boolean True, not a number"),
        ("12", {}, "not a number: drop the quotes"),
        ("twelve", {}, "is the text 'twelve', not a number"),
        ([12], {}, "is a list of 1 item, expected a single number"),
        (np.arange(3), {}, "expected a single number"),
        (12.5, {"integer": True}, "is 12.5, expected a whole number"),
        (200, {}, "your answer 200 is far too large"),
        (-12, {}, "your answer -12 is too small (it has the wrong sign)"),
        (10, {}, "your answer 10 is too small"),
        (10, {"reveal": True}, "expected 12, got 10 (too small by 2)"),
    ],
)
def test_expect_number_messages(answer, kwargs, fragment):
    with pytest.raises(Wrong) as info:
        expect_number(answer, 12, **kwargs)
    assert fragment in str(info.value)


def test_expect_number_tolerances():
    assert expect_number(np.float64(0.333), 1 / 3, atol=0.001) == pytest.approx(0.333)
    assert expect_number(np.array(12), 12) == 12.0
    with pytest.raises(Wrong):
        expect_number(0.33, 1 / 3, atol=0.001)


def test_call_reports():
    with pytest.raises(NotTried, match="still raises NotImplementedError"):
        call(my_causal_mask, 3)
    with pytest.raises(Wrong, match=r"your function called with 3 raised ZeroDivisionError"):
        call(lambda n: n / 0, 3)
    with pytest.raises(Wrong, match=r"f\(<array of shape \(2, 2\)>, k='x'\) raised KeyError: 'x'"):

        def f(a, k):
            return {}[k]

        call(f, np.eye(2), k="x")
    with pytest.raises(Wrong, match="expected a function, got the number 3"):
        call(3)
    assert call(lambda: None, allow_none=True) is None


def test_call_time_limit_argument():
    start = time.perf_counter()
    with pytest.raises(Wrong, match=r"ran longer than 0.2 s"):
        call(endless, 1, time_limit=0.2)
    assert time.perf_counter() - start < 1.5


# ------------------------------------------------------------ the session summary


def test_summary_counts_only_the_readers_own_answers(capsys):
    check("0.1", my_causal_mask)  # not tried
    check("0.2", 25)  # wrong
    check("0.1", causal_mask, solution=True)  # the solution cell
    capsys.readouterr()
    summary(0)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Chapter 0 exercises in this session: 0 of 2 passed."
    assert "⬜ 0.1 Build a causal mask: not tried yet (its solution cell ran)" in flat(out)
    assert "❌ 0.2 Count the keys a causal mask allows: tried, not passed yet" in flat(out)
    assert "Still open: 0.1, 0.2." in flat(out)
    assert progress(0)["0.2"].attempts == 1

    check("0.2", 15)
    check("0.2", 14)  # a later wrong answer does not undo a pass
    check("0.1", causal_mask)
    capsys.readouterr()
    summary("0")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Chapter 0 exercises in this session: 2 of 2 passed."
    assert "✅ 0.1 Build a causal mask: passed" in flat(out) and "(its solution" not in flat(out)
    assert "All passed" in flat(out)
    assert {k: r.status for k, r in progress(0).items()} == {"0.1": "passed", "0.2": "passed"}


def test_summary_of_a_chapter_without_exercises_or_a_bad_chapter(capsys):
    summary(9)
    summary("five")
    out = capsys.readouterr().out
    assert "Chapter 9 has no exercises." in flat(out)
    assert "There is no chapter 'five'" in flat(out)


def test_unknown_ids_are_not_recorded(capsys):
    check("0.9", 1)
    check("0.2", 1)
    assert set(session._RECORDS) == {"0.2"}
