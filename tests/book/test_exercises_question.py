"""Unit tests of attn_book.explorer.question (the page side: tests/browser/test_questions.py)."""

from __future__ import annotations

import json
import re

import pytest

from attn_book.explorer.assets import asset
from attn_book.explorer.question import Question, answer_text, question
from attn_core import causal_mask

HOSTILE = "</script><img src=x onerror=alert(1)> & <b>"


def count_question(**changes):
    kwargs = {
        "answer": int(causal_mask(4).sum()),
        "explanation": "Row i allows keys 0..i: 1 + 2 + 3 + 4 = 10.",
    }
    kwargs.update(changes)
    return question("How many entries of a 4 x 4 causal mask are True?", **kwargs)


def data_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="aq-data">(.*?)</script>', html, re.S)
    assert match, "no data script"
    return json.loads(match.group(1))


def test_fragment_is_self_contained_and_deterministic():
    first, second, other = count_question(), count_question(), count_question(unit="entries")
    html = first._repr_html_()
    assert html == second.to_html()
    assert first.element_id == second.element_id != other.element_id
    assert re.fullmatch(r"attn-question-[0-9a-f]{12}", first.element_id)
    assert html.startswith('<div class="attn-question tex2jax_ignore mathjax_ignore"')
    assert asset("question.js") in html and asset("question.css") in html
    # Nothing is fetched: no src, href or URL anywhere in the fragment.
    assert not re.search(r"\b(src|href)=|https?:", html)
    assert (
        f'id="{first.element_id}-prompt"' in html
        and f'aria-labelledby="{first.element_id}-title"' in html
    )


def test_number_data():
    q = count_question(unit="entries")
    assert q.data == {
        "kind": "number",
        "prompt": "How many entries of a 4 x 4 causal mask are True?",
        "options": [],
        "answer": 10.0,
        "answer_text": "10",
        "tolerance": 0.0,
        "unit": "entries",
        "explanation": "Row i allows keys 0..i: 1 + 2 + 3 + 4 = 10.",
    }
    assert data_of(q.to_html()) == q.data


def test_choice_data():
    q = question(
        "Which query sees only itself?",
        options=["the first", "the last"],
        answer="the last" if causal_mask(3)[-1].sum() == 1 else "the first",
        explanation="Query 0 has no earlier keys.",
    )
    assert q.data["kind"] == "choice"
    assert q.data["answer"] == 0 and q.data["answer_text"] == "the first"
    assert data_of(q.to_html()) == q.data


def test_hostile_text_is_escaped_everywhere():
    q = question(
        HOSTILE,
        options=[HOSTILE, "plain"],
        answer=HOSTILE,
        explanation=HOSTILE,
    )
    html = q.to_html()
    # Only the two script elements of the fragment itself close.
    assert html.count("</script>") == 2
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;" in html
    assert data_of(html)["options"][0] == HOSTILE
    # A number question's unit is escaped too.
    assert "<img" not in count_question(unit="<img src=x>").to_html()


def test_static_fallback_holds_prompt_options_and_answer():
    q = question(
        "Pick one",
        options=["yes", "no"],
        answer="no",
        explanation="Because.",
    )
    html = q.to_html()
    static = html[html.index('<div class="aq-static">') : html.index('<div class="aq-app">')]
    assert "<li>yes</li><li>no</li>" in static
    assert "<summary>Show the answer</summary>" in static
    assert "The answer is no. Because." in static
    number = count_question(unit="entries").to_html()
    assert "The answer is 10 entries. Row i allows" in number


@pytest.mark.parametrize(
    ("answer", "tolerance", "expected"),
    [
        (10, 0, "10"),
        (0.123456, 0.005, "0.123"),
        (0.123456, 0.05, "0.12"),
        (12.34, 0.5, "12.3"),
        (1234.5, 5, "1234"),
        (2.5, 0, "2.5"),
        (1 / 3, 1e-4, "0.3333"),
    ],
)
def test_answer_text(answer, tolerance, expected):
    assert answer_text(answer, tolerance) == expected


@pytest.mark.parametrize(
    ("changes", "error", "fragment"),
    [
        ({"answer": 1 / 3}, ValueError, "tolerance is required for the fractional answer"),
        ({"answer": float("nan")}, ValueError, "answer must be finite"),
        ({"answer": True}, TypeError, "answer must be a real number"),
        ({"answer": "10"}, TypeError, "answer must be a real number"),
        ({"tolerance": -1}, ValueError, "tolerance must be >= 0"),
        ({"explanation": ""}, TypeError, "explanation must be a non-empty str"),
        ({"explanation": "one\ntwo"}, ValueError, "explanation must be one line"),
        ({"unit": 3}, TypeError, "unit must be a str"),
        ({"options": "ab"}, TypeError, "options must be a list of str"),
        ({"options": ["only"], "answer": "only"}, ValueError, "at least two options"),
        ({"options": ["a", "a"], "answer": "a"}, ValueError, "options must be distinct"),
        ({"options": ["a", ""], "answer": "a"}, TypeError, r"options\[1\] must be a non-empty"),
        (
            {"options": ["a", "b"], "answer": "c"},
            ValueError,
            "answer 'c' is not one of the options",
        ),
        ({"options": ["a", "b"], "answer": 0}, TypeError, "the right option's text"),
        (
            {"options": ["a", "b"], "answer": "a", "tolerance": 1},
            ValueError,
            "for number questions",
        ),
    ],
)
def test_bad_arguments_name_the_argument(changes, error, fragment):
    with pytest.raises(error, match=fragment):
        count_question(**changes)


def test_prompt_must_be_text():
    with pytest.raises(TypeError, match="prompt must be a non-empty str"):
        question(None, answer=1, explanation="x")


def test_repr():
    assert isinstance(count_question(), Question)
    assert (
        repr(count_question())
        == "Question(number, 'How many entries of a 4 x 4 causal mask are True?')"
    )
