"""Predict, then check: a question the reader answers in the page (no kernel needed).

The chapter's code computes the answer and passes it in, so no answer is
typed by hand. The page judges the reply (``question.js``); in a kernel the
reply and the verdict sync back (``q.reply``, ``q.verdict``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import traitlets as t

from attn_book.views import View


class Question(View):
    """A "predict, then check" question (see :func:`question`)."""

    name = "question"
    prompt = t.Unicode().tag(sync=True)
    options = t.List().tag(sync=True)
    answer = t.Float().tag(sync=True)
    answer_text = t.Unicode().tag(sync=True)
    tolerance = t.Float(0.0).tag(sync=True)
    unit = t.Unicode().tag(sync=True)
    explanation = t.Unicode().tag(sync=True)
    reply = t.Unicode().tag(sync=True)
    verdict = t.Unicode().tag(sync=True)


def question(
    prompt: str,
    *,
    answer: float | str,
    explanation: str,
    options: Sequence[str] = (),
    tolerance: float = 0.0,
    unit: str = "",
) -> Question:
    """A "predict, then check" question: pick one of ``options``, or type a number.

    Parameters
    ----------
    prompt : str
        The question (text, no markup).
    answer : float or str
        The right number (accepted within ``tolerance``), or the right option.
    explanation : str
        Shown once the reader is right or asks for the answer.
    options : sequence of str
        For a multiple-choice question.
    tolerance : float
        How far a typed number may be from ``answer``.
    unit : str
        Shown after the number box, e.g. ``"keys"``.
    """
    if options:
        index = list(options).index(answer)
        number, text = float(index), str(answer)
    else:
        number = float(answer)
        decimals = 0 if tolerance >= 1 or tolerance == 0 else math.ceil(-math.log10(tolerance))
        text = str(int(number)) if number.is_integer() else f"{number:.{max(decimals, 1)}f}"
    return Question(
        title="Predict, then check",
        prompt=prompt,
        options=list(options),
        answer=number,
        answer_text=text,
        tolerance=tolerance,
        unit=unit,
        explanation=explanation,
    )
