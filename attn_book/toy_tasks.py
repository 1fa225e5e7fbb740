"""Chapter 1's toy "translation": a string of letters, written in upper case, reversed or copied.

The source vocabulary is :data:`SOURCE_LETTERS` (ids 0..V-1); the target
vocabulary is the same letters in upper case (ids 0..V-1) and a
begin-of-sentence token :data:`BOS` (id V) that the decoder reads first. The
task ``"reverse"`` (the chapter's) writes ``"abcd"`` as ``"DCBA"``; the task
``"copy"`` as ``"ABCD"``. :func:`target_of` is the one place that orders them.
"""

from __future__ import annotations

import numpy as np

SOURCE_LETTERS = "abcdefgh"
VOCAB_SIZE = len(SOURCE_LETTERS)
BOS = VOCAB_SIZE


def target_of(source: np.ndarray, task: str = "reverse") -> np.ndarray:
    """The target ids of source ids (..., n): reversed on the last axis, or copied (``"copy"``)."""
    source = np.asarray(source)
    return source[..., ::-1].copy() if task == "reverse" else source.copy()


def make_batch(
    rng: np.random.Generator, batch_size: int, length: int, task: str = "reverse"
) -> tuple[np.ndarray, np.ndarray]:
    """Random source sentences of one length and their translations.

    Parameters
    ----------
    rng : numpy.random.Generator
    batch_size, length : int
    task : {"reverse", "copy"}
        The order of the translations; the sources drawn do not depend on it.

    Returns
    -------
    source, target : ndarray of int, shape (batch_size, length)
    """
    source = rng.integers(0, VOCAB_SIZE, size=(batch_size, length))
    return source, target_of(source, task)


def encode(text: str) -> np.ndarray:
    """The token ids of a source sentence; spaces are ignored.

    Raises
    ------
    ValueError
        If ``text`` holds a symbol outside :data:`SOURCE_LETTERS`.
    """
    letters = text.replace(" ", "")
    unknown = sorted({c for c in letters if c not in SOURCE_LETTERS})
    if unknown:
        raise ValueError(f"unknown symbol(s) {' '.join(unknown)}: use only {SOURCE_LETTERS}")
    return np.array([SOURCE_LETTERS.index(c) for c in letters], dtype=int)


def decode_target(ids: np.ndarray) -> str:
    """Upper-case text of target ids (0..V-1)."""
    return "".join(SOURCE_LETTERS[i].upper() for i in ids)


def translate(text: str, task: str = "reverse") -> str:
    """The reference translation of a source sentence: ``translate("abcd")`` is ``"DCBA"``."""
    return decode_target(target_of(encode(text), task))
