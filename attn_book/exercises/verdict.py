"""What a checker raises when the reader's answer is not right yet.

A checker (see :mod:`attn_book.exercises.registry`) inspects the reader's
answer and raises :class:`Wrong` with a message in the reader's terms on the
first problem it finds; :func:`attn_book.exercises.check` turns it into the
printed verdict. :class:`NotTried` is the special case of an answer that is
still the notebook's stub.
"""

from __future__ import annotations


class Wrong(Exception):
    """The reader's answer is not right; ``str(exc)`` says what is wrong, for the reader.

    The message names what the reader can see and change: which row of the
    mask, which shape was expected and which was given, how far a number is
    off. It is one or two sentences, with no traceback.
    """


class NotTried(Wrong):
    """The answer is still the stub: ``...``, or a function raising NotImplementedError."""
