"""Exercises of chapter 3 (Self-attention).

Register each exercise with :func:`attn_book.exercises.registry.exercise`,
as ``chapter0.py`` shows: ids ``"3.1"``, ``"3.2"``, ..., a checker built from
:mod:`attn_book.exercises.compare` and :func:`attn_book.exercises.calls.call`,
a hint, the solution and at least two typical wrong answers.
"""

from __future__ import annotations
