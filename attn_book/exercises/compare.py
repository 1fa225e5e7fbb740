"""Comparisons that explain themselves: each raises Wrong with a message for the reader.

A checker calls these on the reader's answer; the first difference found
becomes the verdict, phrased in what the reader can see:

- :func:`as_array`: None, a list instead of an array, text, ragged rows;
- :func:`expect_array`: shape, dtype, NaN/inf, and "largest difference at
  row i, column j: expected x, got y";
- :func:`expect_mask`: "row i lets query i see key j, in the future";
- :func:`expect_number`: one number, "off by ...".

Each function takes ``name``, how the verdict calls the answer: a singular
noun phrase such as ``"your mask for n=4"`` or ``"your output"`` (the
messages say "... is", "... has").

Indices in messages count from 0, as in the reader's code (``got[2, 3]`` is
"row 2, column 3"); an axis named ``"head"`` is shown counted from 1, as
heads are everywhere a reader sees them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from attn_book.exercises.calls import describe
from attn_book.exercises.verdict import NotTried, Wrong

DType = Literal["bool", "int", "float"]


def _fmt(x: Any) -> str:
    """A number as a reader reads it: up to 6 significant digits."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    value = float(x)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def where(index: Sequence[int], axes: Sequence[str] | None = None) -> str:
    """Where an entry is, in words: ``"at row 2, column 3"``.

    Parameters
    ----------
    index : sequence of int
        The entry's index (from 0).
    axes : sequence of str, optional
        A name for each axis, e.g. ``("query", "key")`` gives
        ``"at query 2, key 3"``. An axis named ``"head"`` is shown from 1.

    Examples
    --------
    >>> where((2, 3))
    'at row 2, column 3'
    >>> where((0, 2, 3), axes=("head", "query", "key"))
    'at head 1, query 2, key 3'
    >>> where((4,))
    'at position 4'
    """
    index = tuple(int(i) for i in index)
    if axes is not None and len(axes) == len(index):
        parts = [f"{a} {i + 1 if a == 'head' else i}" for a, i in zip(axes, index, strict=True)]
        return "at " + ", ".join(parts)
    if len(index) == 0:
        return ""
    if len(index) == 1:
        return f"at position {index[0]}"
    if len(index) == 2:
        return f"at row {index[0]}, column {index[1]}"
    return f"at index {index}"


def as_array(answer: Any, *, name: str = "your answer", allow_list: bool = False) -> np.ndarray:
    """The reader's answer as a NumPy array, or a verdict saying why it is not one.

    Parameters
    ----------
    answer : object
        What the reader gave.
    name : str
        How the verdict names it, e.g. ``"your mask for n=4"``.
    allow_list : bool
        Accept a (nested) list or tuple of numbers and convert it. By
        default a list is a wrong answer whose verdict says how to convert it.

    Raises
    ------
    NotTried
        ``answer`` is the ``...`` placeholder.
    Wrong
        None, a list (unless ``allow_list``), text, or anything that is not
        a rectangular array of numbers or booleans.

    Examples
    --------
    >>> try:
    ...     as_array([[1, 0], [1, 1]], name="your mask")
    ... except Wrong as exc:
    ...     print(exc)
    your mask is a list of 2 items, not a NumPy array: wrap it in np.array(...)
    """
    if answer is Ellipsis:
        raise NotTried("replace the ... with your answer")
    if answer is None:
        raise Wrong(f"{name} is None, not an array")
    if isinstance(answer, (list, tuple)) and not allow_list:
        raise Wrong(f"{name} is {describe(answer)}, not a NumPy array: wrap it in np.array(...)")
    if isinstance(answer, (str, bytes, dict, set)) or callable(answer):
        raise Wrong(f"{name} is {describe(answer)}, not an array of numbers")
    try:
        array = np.asarray(answer)
    except Exception as exc:  # ragged nested lists, objects whose __array__ fails
        raise Wrong(f"{name} could not be turned into an array: {exc}") from None
    if array.dtype.kind not in "biuf":
        detail = "rows of different lengths?" if array.dtype.kind == "O" else str(array.dtype)
        raise Wrong(f"{name} is not an array of numbers or booleans ({detail})")
    return array


def expect_shape(got: np.ndarray, shape: tuple[int, ...], *, name: str = "your answer") -> None:
    """Raise Wrong unless ``got.shape == shape``; the message suggests a likely cause.

    Examples
    --------
    >>> try:
    ...     expect_shape(np.zeros((3, 4)), (4, 3), name="your weight matrix")
    ... except Wrong as exc:
    ...     print(exc)
    your weight matrix has shape (3, 4), expected (4, 3): rows and columns swapped? (try .T)
    """
    shape = tuple(shape)
    if got.shape == shape:
        return
    if got.ndim == 0:
        raise Wrong(f"{name} is a single number, expected an array of shape {shape}")
    message = f"{name} has shape {got.shape}, expected {shape}"
    if got.ndim == len(shape) == 2 and got.shape == shape[::-1]:
        message += ": rows and columns swapped? (try .T)"
    elif got.ndim != len(shape):
        message += f" ({got.ndim} dimension{'s' if got.ndim != 1 else ''} instead of {len(shape)})"
    raise Wrong(message)


def expect_dtype(got: np.ndarray, dtype: DType, *, name: str = "your answer") -> None:
    """Raise Wrong unless ``got`` holds the kind of values asked for.

    ``"bool"`` accepts booleans only; ``"int"`` accepts integers (and floats
    that are all whole numbers); ``"float"`` accepts any real numbers but
    not booleans.

    Examples
    --------
    >>> try:
    ...     expect_dtype(np.ones((2, 2)), "bool", name="your mask")
    ... except Wrong as exc:
    ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
    your mask holds float64 numbers, expected booleans (True/False):
    use dtype=bool, or compare, e.g. x == 1
    """
    kind = got.dtype.kind
    if dtype == "bool":
        if kind != "b":
            raise Wrong(
                f"{name} holds {got.dtype} numbers, expected booleans (True/False): "
                "use dtype=bool, or compare, e.g. x == 1"
            )
    elif dtype == "int":
        if kind == "b":
            raise Wrong(f"{name} holds booleans, expected whole numbers")
        if kind == "f" and not np.all(np.isfinite(got) & (np.round(got) == got)):
            raise Wrong(f"{name} holds numbers with a fractional part, expected whole numbers")
    elif dtype == "float":
        if kind == "b":
            raise Wrong(f"{name} holds booleans, expected numbers")
    else:
        raise ValueError(f"dtype must be 'bool', 'int' or 'float', got {dtype!r}")


def expect_finite(
    got: np.ndarray, *, name: str = "your answer", axes: Sequence[str] | None = None
) -> None:
    """Raise Wrong if ``got`` holds NaN or inf, naming the first such entry.

    Examples
    --------
    >>> try:
    ...     expect_finite(np.array([[0.5, np.nan], [1.0, np.nan]]), name="your output")
    ... except Wrong as exc:
    ...     print(exc)
    your output contains NaN at row 0, column 1 (2 entries are NaN or infinite)
    """
    if got.dtype.kind != "f":
        return
    bad = ~np.isfinite(got)
    if not bad.any():
        return
    first = tuple(np.argwhere(bad)[0])
    value = got[first]
    what = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    count = int(bad.sum())
    place = where(first, axes)
    raise Wrong(
        f"{name} contains {what}{' ' + place if place else ''}"
        + (f" ({count} entries are NaN or infinite)" if count > 1 else "")
    )


def expect_array(
    answer: Any,
    expected: Any,
    *,
    name: str = "your answer",
    dtype: DType | None = None,
    atol: float = 1e-6,
    rtol: float = 1e-6,
    axes: Sequence[str] | None = None,
    allow_list: bool = False,
) -> np.ndarray:
    """Check an array answer against the expected array; return it as an array.

    Checks in the order a reader fixes them: an array at all, the shape, the
    kind of values, NaN/inf, then the values (to ``atol + rtol * |expected|``;
    booleans and whole numbers exactly).

    Parameters
    ----------
    answer : object
        The reader's answer.
    expected : array_like
        The right answer, computed by the book's code.
    name : str
        How the verdict names the answer, e.g. ``"your weights for the example"``.
    dtype : {"bool", "int", "float"}, optional
        The kind of values required (see :func:`expect_dtype`). Default: the
        kind of ``expected``.
    atol, rtol : float
        Tolerances for float comparisons.
    axes : sequence of str, optional
        Axis names for the messages (see :func:`where`).
    allow_list : bool
        Accept a list and convert it (see :func:`as_array`).

    Returns
    -------
    ndarray
        The answer as an array.

    Raises
    ------
    Wrong
        With the first difference found.

    Examples
    --------
    >>> expected = np.array([[1.0, 0.0], [0.5, 0.5]])
    >>> try:
    ...     expect_array(np.array([[1.0, 0.0], [0.5, 0.7]]), expected, name="your weight matrix")
    ... except Wrong as exc:
    ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
    your weight matrix is off at row 1, column 1: expected 0.5, got 0.7
    (the largest difference, 0.2; 1 of 4 entries are off)
    """
    expected = np.asarray(expected)
    got = as_array(answer, name=name, allow_list=allow_list)
    expect_shape(got, expected.shape, name=name)
    if dtype is None:
        dtype = {"b": "bool", "i": "int", "u": "int"}.get(expected.dtype.kind, "float")
    expect_dtype(got, dtype, name=name)
    expect_finite(got, name=name, axes=axes)
    exact = dtype == "bool" or (dtype == "int" and expected.dtype.kind in "iu")
    if exact:
        bad = got != expected
    else:
        with np.errstate(all="ignore"):
            diff = np.abs(got.astype(np.float64) - expected.astype(np.float64))
            bad = diff > atol + rtol * np.abs(expected)
    if not bad.any():
        return got
    if exact:
        first = tuple(np.argwhere(bad)[0])
        detail = f"expected {_fmt(expected[first])}, got {_fmt(got[first])}"
        detail += f" ({int(bad.sum())} of {bad.size} entries differ)"
    else:
        first = np.unravel_index(int(np.argmax(np.where(bad, diff, -1.0))), bad.shape)
        detail = (
            f"expected {_fmt(expected[first])}, got {_fmt(got[first])} "
            f"(the largest difference, {_fmt(diff[first])}; "
            f"{int(bad.sum())} of {bad.size} entries are off)"
        )
    place = where(first, axes)
    message = f"{name} is off{' ' + place if place else ''}: {detail}"
    if got.ndim == 2 and got.shape[0] == got.shape[1] > 1:
        transposed = (
            got.T == expected if dtype == "bool" else np.isclose(got.T, expected, rtol, atol)
        )
        if np.all(transposed):
            message += "; it equals the expected array transposed: rows and columns swapped?"
    raise Wrong(message)


def expect_mask(
    answer: Any, expected: Any, *, name: str = "your mask", allow_list: bool = False
) -> np.ndarray:
    """Check a boolean attention mask (True = may attend) in the reader's terms.

    Rows are queries and columns are keys. The first wrong entry is
    explained: "row 1 lets query 1 see key 3, in the future" or "row 2
    hides key 2 from query 2, but query 2 must see it".

    Parameters
    ----------
    answer : object
        The reader's mask, shape (..., n_q, n_k).
    expected : array_like of bool
        The right mask.
    name : str
        How the verdict names the answer.
    allow_list : bool
        Accept a list and convert it.

    Returns
    -------
    ndarray of bool

    Raises
    ------
    Wrong
        With the first difference found.

    Examples
    --------
    >>> from attn_core import causal_mask
    >>> try:
    ...     expect_mask(np.ones((3, 3), dtype=bool), causal_mask(3))
    ... except Wrong as exc:
    ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
    your mask is wrong in row 0: it lets query 0 see key 1, in the future
    (query 0 may see keys up to 0 only)
    """
    expected = np.asarray(expected, dtype=bool)
    got = as_array(answer, name=name, allow_list=allow_list)
    expect_shape(got, expected.shape, name=name)
    expect_dtype(got, "bool", name=name)
    bad = got != expected
    if not bad.any():
        return got
    *lead, i, j = (int(k) for k in np.argwhere(bad)[0])
    prefix = f"{name} is wrong" + (f" at {tuple(lead)}," if lead else "") + f" in row {i}: "
    if got[(*lead, i, j)]:
        message = prefix + f"it lets query {i} see key {j}"
        if j > i:
            row = expected[(*lead, i)]
            last = int(np.flatnonzero(row)[-1]) if row.any() else None
            message += ", in the future"
            if last is not None and row[: last + 1].all() and not row[last + 1 :].any():
                message += f" (query {i} may see keys up to {last} only)"
        else:
            message += ", which it must not see"
    else:
        message = prefix + f"it hides key {j} from query {i}, but query {i} must see it"
        if i == j:
            message += " (a query may always see itself)"
    raise Wrong(message)


def expect_number(
    answer: Any,
    expected: float,
    *,
    name: str = "your answer",
    atol: float = 0.0,
    rtol: float = 1e-6,
    integer: bool = False,
    reveal: bool = False,
) -> float:
    """Check a single number; return it as a float.

    Parameters
    ----------
    answer : object
        The reader's answer: a Python or NumPy number, or a 0-d or one-entry array.
    expected : float
        The right number, computed by the book's code.
    name : str
        How the verdict names the answer.
    atol, rtol : float
        Accept ``|answer - expected| <= atol + rtol * |expected|``.
    integer : bool
        Require a whole number.
    reveal : bool
        Whether a wrong verdict shows the expected number and how far off
        the answer is. Off by default: for a one-number exercise that would
        give the answer away; the verdict then says only "too large" or
        "too small" (and "far too ..." when off by more than a factor of 10).

    Raises
    ------
    Wrong
        None, text, a boolean, an array of several numbers, NaN/inf, a
        fraction where a whole number is asked for, or a number off by more
        than the tolerance.

    Examples
    --------
    >>> try:
    ...     expect_number(10, 15, integer=True)
    ... except Wrong as exc:
    ...     print(exc)
    your answer 10 is too small
    >>> try:
    ...     expect_number(0.2, 0.25, atol=0.01, reveal=True)
    ... except Wrong as exc:
    ...     print(exc)
    your answer is off: expected 0.25, got 0.2 (too small by 0.05)
    """
    if answer is Ellipsis:
        raise NotTried("replace the ... with your answer")
    if answer is None:
        raise Wrong(f"{name} is None, not a number")
    if isinstance(answer, (bool, np.bool_)):
        raise Wrong(f"{name} is {describe(answer)}, not a number")
    if isinstance(answer, str):
        try:
            float(answer)
        except ValueError:
            raise Wrong(f"{name} is {describe(answer)}, not a number") from None
        raise Wrong(f"{name} is {describe(answer)}, not a number: drop the quotes")
    if isinstance(answer, (list, tuple)):
        raise Wrong(f"{name} is {describe(answer)}, expected a single number")
    if isinstance(answer, np.ndarray):
        if answer.size != 1:
            raise Wrong(f"{name} is {describe(answer)}, expected a single number")
        answer = answer.reshape(())[()]
    if not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Wrong(f"{name} is {describe(answer)}, not a number")
    value = float(answer)
    if not np.isfinite(value):
        raise Wrong(f"{name} is {'NaN' if np.isnan(value) else value}, not a finite number")
    if integer and not value.is_integer():
        raise Wrong(f"{name} is {_fmt(value)}, expected a whole number")
    expected = float(expected)
    off = value - expected
    if abs(off) > atol + rtol * abs(expected):
        direction = "too large" if off > 0 else "too small"
        if reveal:
            raise Wrong(
                f"{name} is off: expected {_fmt(expected)}, got {_fmt(value)} "
                f"({direction} by {_fmt(abs(off))})"
            )
        if expected * value < 0:
            direction += " (it has the wrong sign)"
        elif expected * value > 0 and max(value / expected, expected / value) > 10:
            direction = "far " + direction
        raise Wrong(f"{name} {_fmt(value)} is {direction}")
    return value
