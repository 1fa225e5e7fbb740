"""Call a reader's function safely: a time limit, and every failure as a verdict.

:func:`call` runs the reader's function on one test input and returns what it
returned. Whatever goes wrong becomes a :class:`~attn_book.exercises.verdict.Wrong`
with a message for the reader:

- the function still raises ``NotImplementedError`` (the notebook's stub):
  :class:`~attn_book.exercises.verdict.NotTried`, "not tried yet";
- it raises anything else: "your function raised TypeError: ...";
- it returns None: "did you forget ``return``?";
- it runs longer than the time limit: it is stopped, and the verdict says so.

The time limit uses ``SIGALRM`` (``signal.setitimer``) in the main thread,
which is where Jupyter runs a cell. Elsewhere (another thread, a platform
without ``SIGALRM``, or while another timer such as pytest-timeout's is
running) the function runs in a helper thread; when it overruns, a
``_TimeUp`` exception is raised inside that thread
(``PyThreadState_SetAsyncExc``), which stops pure-Python loops.

Limits: an exception is delivered between Python bytecodes, so one long
NumPy call is stopped only when it returns; and a function that catches
every exception (a bare ``except:``) inside its loop can swallow each
interruption. The alarm repeats every 50 ms, so a single bare ``except:``
does not keep the function running.
"""

from __future__ import annotations

import copy
import ctypes
import signal
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from attn_book.exercises.verdict import NotTried, Wrong

#: Seconds a reader's function may run on one test input before it is stopped.
DEFAULT_TIME_LIMIT = 3.0

# The timer fires again this often if the reader's code swallows the first alarm
# (e.g. a bare ``except:`` inside a loop).
_REPEAT = 0.05


class _TimeUp(BaseException):
    """Raised inside the reader's function when its time is up.

    A BaseException, so a reader's ``except Exception`` does not swallow it.
    """


class _Overran(Exception):
    """The reader's function overran its time limit (``stopped``: whether it ended)."""

    def __init__(self, stopped: bool) -> None:
        super().__init__(stopped)
        self.stopped = stopped


def describe(value: Any) -> str:
    """A short description of a value for a verdict, e.g. ``"a list of 4 items"``.

    Examples
    --------
    >>> describe(None)
    'None'
    >>> describe(np.zeros((2, 3)))
    'a NumPy array of shape (2, 3) and dtype float64'
    >>> describe([1, 2])
    'a list of 2 items'
    """
    if value is None:
        return "None"
    if value is Ellipsis:
        return "... (the placeholder)"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {bool(value)}"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"the number {value!r}" if isinstance(value, (int, float)) else f"the number {value}"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {text!r}"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        return f"a {kind} of {len(value)} item{'' if len(value) == 1 else 's'}"
    if callable(value):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    return f"a {type(value).__name__}"


def _arg_text(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"<array of shape {value.shape}>"
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def call_text(function: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """How a call reads in a verdict, e.g. ``"my_mask(4)"``.

    Examples
    --------
    >>> call_text(len, [1, 2])
    'len([1, 2])'
    """
    parts = [_arg_text(a) for a in args] + [f"{k}={_arg_text(v)}" for k, v in kwargs.items()]
    name = getattr(function, "__name__", "<lambda>")
    if not name.isidentifier():  # a lambda or a callable object
        return "your function called with " + (", ".join(parts) or "no arguments")
    return f"{name}({', '.join(parts)})"


def _can_use_alarm() -> bool:
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        return False
    # Someone else's timer is running (pytest-timeout, another tool): leave it alone.
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def _run_with_alarm(function: Callable[[], Any], limit: float) -> Any:
    def on_alarm(signum: int, frame: Any) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, limit, _REPEAT)
            try:
                return function()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except _TimeUp:
            raise _Overran(stopped=True) from None
    finally:
        signal.signal(signal.SIGALRM, previous)


def _run_in_thread(function: Callable[[], Any], limit: float) -> Any:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = function()
        except _TimeUp:
            box["stopped"] = True
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, name="attn-book-exercise", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        try:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(worker.ident), ctypes.py_object(_TimeUp)
            )
        except AttributeError:  # not CPython: the thread cannot be stopped
            pass
        worker.join(1.0)
        raise _Overran(stopped=not worker.is_alive())
    if "error" in box:
        raise box["error"]
    return box.get("value")


def run_with_time_limit(function: Callable[[], Any], limit: float) -> Any:
    """Run ``function()`` and return its result, stopping it after ``limit`` seconds.

    Raises
    ------
    Wrong
        Never; see :func:`call`. This raises the private ``_Overran`` when the
        time is up, and passes on whatever ``function`` raised.
    """
    if _can_use_alarm():
        return _run_with_alarm(function, limit)
    return _run_in_thread(function, limit)


def call(
    function: Any,
    *args: Any,
    time_limit: float | None = None,
    allow_none: bool = False,
    **kwargs: Any,
) -> Any:
    """Call the reader's ``function(*args, **kwargs)``; every failure becomes a verdict.

    The arguments are deep-copied first, so a function that changes its
    input in place cannot change the checker's test data.

    Parameters
    ----------
    function : callable
        The reader's function (anything else is a :class:`Wrong` answer).
    *args, **kwargs
        The test input.
    time_limit : float, optional
        Seconds before the function is stopped; default :data:`DEFAULT_TIME_LIMIT`.
    allow_none : bool
        Whether returning None is acceptable (default: no, it is reported as
        a missing ``return``).

    Returns
    -------
    object
        What the function returned.

    Raises
    ------
    NotTried
        The function raised NotImplementedError (the notebook's stub), or the
        answer is the ``...`` placeholder.
    Wrong
        It is not callable, raised another exception, returned None, or ran
        too long.

    Examples
    --------
    >>> call(lambda n: n + 1, 4)
    5
    >>> try:
    ...     call(lambda n: n / 0, 4)
    ... except Wrong as exc:
    ...     print(exc)
    your function called with 4 raised ZeroDivisionError: division by zero
    """
    if function is Ellipsis:
        raise NotTried("replace the ... with your function")
    if not callable(function):
        raise Wrong(
            f"expected a function, got {describe(function)}: pass the function itself "
            "(its name, without parentheses), not what it returns"
        )
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    shown = call_text(function, *args, **kwargs)
    args = copy.deepcopy(args)
    kwargs = copy.deepcopy(kwargs)
    try:
        with np.errstate(all="ignore"):
            result = run_with_time_limit(lambda: function(*args, **kwargs), limit)
    except NotImplementedError:
        raise NotTried(
            "your function still raises NotImplementedError: write its body, "
            "then run the check again"
        ) from None
    except _Overran as overran:
        ending = (
            "and was stopped"
            if overran.stopped
            else "and could not be stopped (it goes on in the background)"
        )
        raise Wrong(
            f"{shown} ran longer than {limit:g} s {ending}: is there a loop that never ends?"
        ) from None
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise Wrong(
            f"{shown} raised {type(exc).__name__}" + (f": {message}" if message else "")
        ) from None
    if result is None and not allow_none:
        raise Wrong(f"{shown} returned None: does your function end with a `return` line?")
    return result
