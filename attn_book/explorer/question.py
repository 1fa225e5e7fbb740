"""Predict, then check: a question the reader answers in the page, with no kernel.

:func:`question` writes one self-contained HTML fragment (inline CSS, data and
script from ``question.css`` and ``question.js``) into a notebook's output. In
the rendered book, offline, the reader types a number or picks an option and
the page says whether it is right, with a one-line explanation; a wrong
answer can be tried again or the answer shown.

The right answer is passed in by the chapter's code, which computes it, so
it is never typed into the page by hand.

Safety, as for the attention explorer: the data goes in as JSON with ``<``,
``>`` and ``&`` escaped (:func:`attn_book.explorer.fragment.json_for_script`);
the prompt, options and explanation in the static part are escaped with
:func:`html.escape`; the script inserts every text, the reader's own input
included, with ``textContent``. Element ids derive from a hash of the content,
so two runs give the same output.

Without JavaScript the static part remains: the prompt, the options, and the
answer with its explanation inside a ``<details>`` element the reader opens.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Sequence
from typing import Any

from attn_book.explorer.fragment import Fragment

#: The heading shown above every question.
LABEL = "Predict, then check"


def _text(value: Any, name: str, *, one_line: bool = False) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name} must be a non-empty str, got {value!r}")
    if one_line and "\n" in value.strip():
        raise ValueError(f"{name} must be one line, got {value!r}")
    return value.strip()


def _real(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def answer_text(answer: float, tolerance: float) -> str:
    """The answer as the page shows it: as many decimals as the tolerance needs.

    Examples
    --------
    >>> answer_text(0.123456, 0.005)
    '0.123'
    >>> answer_text(15.0, 0)
    '15'
    >>> answer_text(2.5, 0)
    '2.5'
    """
    if float(answer).is_integer():
        return str(int(answer))
    if tolerance <= 0:
        return f"{answer:.6g}"
    decimals = 0 if tolerance >= 1 else math.ceil(-math.log10(tolerance))
    return f"{answer:.{decimals}f}"


class Question(Fragment):
    """A kernel-free "predict, then check" question (see :func:`question`).

    Attributes
    ----------
    data : dict
        What the page's script receives: kind, prompt, answer (a number, or
        the index of the right option), answer_text, tolerance, options,
        unit, explanation.
    element_id : str
        The root element's id, derived from a hash of the content.
    """

    component = "question"
    labelled_by_title = True

    def _title(self) -> str:
        return LABEL

    def _root_attributes(self) -> str:
        return f' data-kind="{self.data["kind"]}"'

    def _intro(self) -> str:
        prompt = html.escape(self.data["prompt"])
        return f'<p class="aq-prompt" id="{self.element_id}-prompt">{prompt}</p>\n'

    def _static(self) -> str:
        """What a page without JavaScript shows under the prompt."""
        parts = []
        if self.data["kind"] == "choice":
            items = "".join(f"<li>{html.escape(o)}</li>" for o in self.data["options"])
            parts.append(f'<ul class="aq-static-options">{items}</ul>')
        unit = f" {html.escape(self.data['unit'])}" if self.data["unit"] else ""
        parts.append(
            '<details class="aq-static-answer"><summary>Show the answer</summary>'
            f"<p>The answer is {html.escape(self.data['answer_text'])}{unit}. "
            f"{html.escape(self.data['explanation'])}</p></details>"
        )
        return "".join(parts)

    def __repr__(self) -> str:
        return f"Question({self.data['kind']}, {self.data['prompt']!r})"


def question(
    prompt: str,
    *,
    answer: float | str,
    explanation: str,
    options: Sequence[str] | None = None,
    tolerance: float | None = None,
    unit: str = "",
) -> Question:
    """A "predict, then check" question for the rendered page (no kernel needed).

    Two kinds: with ``options``, the reader picks one (multiple choice) and
    ``answer`` is the right option's text; without, the reader types a
    number and ``answer`` is that number, accepted within ``tolerance``.
    Compute ``answer`` with the chapter's code; never type it.

    Parameters
    ----------
    prompt : str
        The question, shown as text (no markup or math).
    answer : float or str
        The right number, or the right option (one of ``options``).
    explanation : str
        One line shown with the verdict once the reader is right or asks for
        the answer, e.g. why the number is what it is.
    options : sequence of str, optional
        At least two distinct options: makes a multiple-choice question.
    tolerance : float, optional
        Numbers only: how far from ``answer`` a reply may be and still be
        right. Default 0 for a whole-number answer; required otherwise, since a
        reader cannot type every digit of a computed fraction.
    unit : str
        Numbers only: shown after the input box, e.g. ``"keys"``.

    Returns
    -------
    Question
        Displays as the question in a notebook or the rendered book.

    Raises
    ------
    TypeError
        A prompt, explanation or option that is not a non-empty str; an
        answer of the wrong type for the kind.
    ValueError
        A multi-line explanation, fewer than two options or repeated ones, an
        answer that is not one of the options, a non-finite answer, a negative
        tolerance, or no tolerance for a fractional answer.

    Examples
    --------
    >>> from attn_core import causal_mask
    >>> q = question(
    ...     "How many entries of a 4 x 4 causal mask are True?",
    ...     answer=int(causal_mask(4).sum()),
    ...     explanation="Row i allows keys 0..i: 1 + 2 + 3 + 4 = 10.",
    ... )
    >>> q.data["answer"], q.data["answer_text"]
    (10.0, '10')
    >>> q.element_id.startswith("attn-question-")
    True
    """
    prompt = _text(prompt, "prompt")
    explanation = _text(explanation, "explanation", one_line=True)
    if not isinstance(unit, str):
        raise TypeError(f"unit must be a str, got {unit!r}")
    if options is not None:
        if isinstance(options, str) or not isinstance(options, Sequence):
            raise TypeError(f"options must be a list of str, got {options!r}")
        options = [_text(o, f"options[{i}]", one_line=True) for i, o in enumerate(options)]
        if len(options) < 2:
            raise ValueError(f"options must hold at least two options, got {len(options)}")
        if len(set(options)) != len(options):
            raise ValueError(f"options must be distinct, got {options}")
        if tolerance is not None or unit:
            raise ValueError("tolerance and unit are for number questions, not options")
        if not isinstance(answer, str):
            raise TypeError(f"answer must be the right option's text, got {answer!r}")
        if answer.strip() not in options:
            raise ValueError(f"answer {answer!r} is not one of the options {options}")
        index = options.index(answer.strip())
        data = {
            "kind": "choice",
            "prompt": prompt,
            "options": options,
            "answer": index,
            "answer_text": options[index],
            "tolerance": 0,
            "unit": "",
            "explanation": explanation,
        }
        return Question(data)
    number = _real(answer, "answer")
    if tolerance is None:
        if not number.is_integer():
            raise ValueError(
                f"tolerance is required for the fractional answer {number!r}: a reader "
                "cannot type every digit, e.g. give tolerance=0.005"
            )
        tolerance = 0.0
    tolerance = _real(tolerance, "tolerance")
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    data = {
        "kind": "number",
        "prompt": prompt,
        "options": [],
        "answer": number,
        "answer_text": answer_text(number, tolerance),
        "tolerance": tolerance,
        "unit": unit.strip(),
        "explanation": explanation,
    }
    return Question(data)
