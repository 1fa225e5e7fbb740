"""The toy "translation" tasks of the history chapter: reverse, or copy, a string of letters.

The source language is lower-case letters. Its translation writes the same
letters in upper case, in one of two orders (the *task*):

- ``"reverse"``: in reverse order, so ``"abcd"`` translates to ``"DCBA"``;
  output step ``i`` must read source position ``n + 1 - i``. The chapter
  trains on this one: its alignment is the anti-diagonal, a reordering that
  no left-to-right reading could produce and that is easy to see in a heatmap.
- ``"copy"``: in the same order, ``"abcd"`` -> ``"ABCD"``; output step ``i``
  reads position ``i``. The chapter uses it to check that the model without
  attention does no better when nothing is reordered.

Both tasks share everything but :func:`target_of`, the one place that puts
the letters in order.

Token ids: the source vocabulary is ``SOURCE_LETTERS`` (ids 0..V-1); the
target vocabulary is the same letters in upper case (ids 0..V-1) plus a
begin-of-sentence token ``BOS`` (id V) that the decoder reads at step 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_core._validation import check_int

SOURCE_LETTERS = "abcdefgh"
"""The source vocabulary, one character per token."""

VOCAB_SIZE = len(SOURCE_LETTERS)
BOS = VOCAB_SIZE
"""Id of the begin-of-sentence token the decoder reads at its first step."""

TASKS = ("reverse", "copy")
"""The orders a translation may put the letters in (see the module docstring)."""

SENTENCE_MESSAGES = {
    "empty": "type at least one letter from {letters}",
    "too_long": "{count} letters is too long: the model was trained on at most {max_length}",
    "unknown": "unknown symbol(s): {symbols}; use only the letters {letters}",
}
"""What a reader who typed a bad sentence is told (:func:`check_sentence`, :func:`encode`).

The kernel-free translator explorer receives these templates in its data and
fills them in the browser, so the page and Python say the same words.
"""


def check_task(task: Any) -> str:
    """Return ``task`` if it is one of :data:`TASKS`, else raise a ValueError naming them.

    Examples
    --------
    >>> check_task("copy")
    'copy'
    """
    if not isinstance(task, str) or task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(map(repr, TASKS))}, got {task!r}")
    return task


def target_of(source: Any, task: str = "reverse") -> np.ndarray:
    """The target token ids of source token ids: reversed or copied along the last axis.

    Parameters
    ----------
    source : array_like of int, shape (..., n)
        Source token ids.
    task : {"reverse", "copy"}
        The order of the translation.

    Returns
    -------
    ndarray of int, shape (..., n)
        A new array (never a view of ``source``).

    Raises
    ------
    ValueError
        If ``task`` is not one of :data:`TASKS`.

    Examples
    --------
    >>> target_of([[0, 1, 2]])
    array([[2, 1, 0]])
    >>> target_of([0, 1, 2], task="copy")
    array([0, 1, 2])
    """
    source = np.asarray(source)
    if check_task(task) == "reverse":
        return source[..., ::-1].copy()
    return source.copy()


def translate(text: str, task: str = "reverse") -> str:
    """Return the reference translation of ``text``: upper case, reversed (or copied).

    Parameters
    ----------
    text : str
        A source sentence made of letters from ``SOURCE_LETTERS``; spaces
        are ignored.
    task : {"reverse", "copy"}
        The order of the translation.

    Returns
    -------
    str
        The target sentence.

    Raises
    ------
    ValueError
        If ``text`` contains a letter outside the source vocabulary, or
        ``task`` is unknown.

    Examples
    --------
    >>> translate("abcd")
    'DCBA'
    >>> translate("abcd", task="copy")
    'ABCD'
    """
    return decode_target(target_of(encode(text), task))


def encode(text: str) -> np.ndarray:
    """Turn a source sentence into token ids.

    Parameters
    ----------
    text : str
        Letters from ``SOURCE_LETTERS``; spaces are ignored.

    Returns
    -------
    ndarray of int, shape (n,)

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If it contains a character outside ``SOURCE_LETTERS``.

    Examples
    --------
    >>> encode("bad")
    array([1, 0, 3])
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    letters = text.replace(" ", "")
    unknown = sorted({c for c in letters if c not in SOURCE_LETTERS})
    if unknown:
        raise ValueError(
            SENTENCE_MESSAGES["unknown"].format(symbols=" ".join(unknown), letters=SOURCE_LETTERS)
        )
    return np.array([SOURCE_LETTERS.index(c) for c in letters], dtype=int)


def check_sentence(text: Any, max_length: int) -> str:
    """Return a reader's sentence without spaces, or raise a short message for the reader.

    The rule every place that takes a typed sentence applies: spaces are
    dropped; then the sentence must not be empty, not be longer than
    ``max_length`` letters and hold only letters of ``SOURCE_LETTERS``, checked
    in that order, with the messages of :data:`SENTENCE_MESSAGES` (unknown
    symbols listed once each, in code point order). The kernel-free translator
    explorer applies the same rule in JavaScript.

    Parameters
    ----------
    text : str
        What the reader typed.
    max_length : int
        Longest sentence accepted (the longest the model was trained on).

    Returns
    -------
    str
        The letters of the sentence.

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    ValueError
        If it is empty, longer than ``max_length`` or has unknown symbols.

    Examples
    --------
    >>> check_sentence("ab c", 10)
    'abc'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    max_length = check_int(max_length, "max_length", minimum=1)
    letters = text.replace(" ", "")
    if not letters:
        raise ValueError(SENTENCE_MESSAGES["empty"].format(letters=SOURCE_LETTERS))
    if len(letters) > max_length:
        raise ValueError(
            SENTENCE_MESSAGES["too_long"].format(count=len(letters), max_length=max_length)
        )
    encode(letters)  # raises ValueError naming the unknown symbols
    return letters


def decode_target(ids: Any) -> str:
    """Turn target token ids (0..V-1) into upper-case text.

    Parameters
    ----------
    ids : array_like of int, shape (n,)

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If an id is outside 0..V-1.

    Examples
    --------
    >>> decode_target([3, 2])
    'DC'
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be 1-D, got shape {ids.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= VOCAB_SIZE):
        raise ValueError(f"ids must lie in 0..{VOCAB_SIZE - 1}, got {ids.tolist()}")
    return "".join(SOURCE_LETTERS[i].upper() for i in ids)


def make_batch(
    rng: np.random.Generator, batch_size: int, length: int, task: str = "reverse"
) -> tuple[np.ndarray, np.ndarray]:
    """Draw random source sentences of one length and their translations.

    Parameters
    ----------
    rng : numpy.random.Generator
        The source of randomness (seed it for reproducible batches).
    batch_size : int
        Number of sentences, at least 1.
    length : int
        Words per sentence, at least 1.
    task : {"reverse", "copy"}
        The order of the translations. The sources drawn do not depend on it.

    Returns
    -------
    source : ndarray of int, shape (batch_size, length)
        Source token ids, drawn uniformly (repeats allowed).
    target : ndarray of int, shape (batch_size, length)
        :func:`target_of` the source (target ids name the same letters in
        upper case).

    Raises
    ------
    TypeError
        If ``batch_size`` or ``length`` is not an int.
    ValueError
        If ``batch_size`` or ``length`` is below 1, or ``task`` is unknown.

    Examples
    --------
    >>> src, tgt = make_batch(np.random.default_rng(0), 2, 3)
    >>> bool((tgt == src[:, ::-1]).all())
    True
    """
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    length = check_int(length, "length", minimum=1)
    check_task(task)
    source = rng.integers(0, VOCAB_SIZE, size=(batch_size, length))
    return source, target_of(source, task)
