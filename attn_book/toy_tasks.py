"""A toy "translation" task with reordering, for the history chapter.

The source language is lower-case letters; its translation is the same
letters in upper case and in reverse order, so ``"abcd"`` translates to
``"DCBA"``. Reversal is the hardest reordering for a fixed-size context
vector: the first output word depends on the last input word, and the last
output word on the first input word, so the whole sentence must survive the
squeeze into one vector.

Token ids: the source vocabulary is ``SOURCE_LETTERS`` (ids 0..V-1); the
target vocabulary is the same letters in upper case (ids 0..V-1) plus a
begin-of-sentence token ``BOS`` (id V) that the decoder reads at step 0.
"""

from __future__ import annotations

import numpy as np

from attn_core._validation import check_int

SOURCE_LETTERS = "abcdefgh"
"""The source vocabulary, one character per token."""

VOCAB_SIZE = len(SOURCE_LETTERS)
BOS = VOCAB_SIZE
"""Id of the begin-of-sentence token the decoder reads at its first step."""


def translate(text: str) -> str:
    """Return the reference translation of ``text``: reversed and upper case.

    Parameters
    ----------
    text : str
        A source sentence made of letters from ``SOURCE_LETTERS``.

    Returns
    -------
    str
        The target sentence.

    Raises
    ------
    ValueError
        If ``text`` contains a letter outside the source vocabulary.

    Examples
    --------
    >>> translate("abcd")
    'DCBA'
    """
    encode(text)  # validates the letters
    return text[::-1].upper()


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
            f"unknown symbol(s): {' '.join(unknown)}; use only the letters {SOURCE_LETTERS}"
        )
    return np.array([SOURCE_LETTERS.index(c) for c in letters], dtype=int)


def decode_target(ids: np.ndarray) -> str:
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
    rng: np.random.Generator, batch_size: int, length: int
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

    Returns
    -------
    source : ndarray of int, shape (batch_size, length)
        Source token ids, drawn uniformly (repeats allowed).
    target : ndarray of int, shape (batch_size, length)
        ``source`` reversed along the time axis (target ids name the same
        letters in upper case).

    Raises
    ------
    TypeError
        If ``batch_size`` or ``length`` is not an int.
    ValueError
        If ``batch_size`` or ``length`` is below 1.

    Examples
    --------
    >>> src, tgt = make_batch(np.random.default_rng(0), 2, 3)
    >>> bool((tgt == src[:, ::-1]).all())
    True
    """
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    length = check_int(length, "length", minimum=1)
    source = rng.integers(0, VOCAB_SIZE, size=(batch_size, length))
    return source, source[:, ::-1].copy()
