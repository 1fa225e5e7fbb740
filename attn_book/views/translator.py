"""Chapter 1's translator: both trained models translate a sentence the reader types.

The models are :mod:`attn_book.seq2seq`'s, with and without attention, trained on
the reversal task (:mod:`attn_book.toy_tasks`: a sentence is a string of the
letters a to h). :func:`read_sentence` is the rule for the reader's text;
:func:`translator_outputs` is what the kernel computes, and what the page's
``compute`` (``translator.js``) must equal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets as t

from attn_book.seq2seq import Params, has_attention, translate_batch
from attn_book.toy_tasks import SOURCE_LETTERS, decode_target, encode, translate
from attn_book.views import Live, View, wire

#: The source vocabulary (all letters), as a reader sees it named.
ALPHABET = f"the letters {SOURCE_LETTERS[0]} to {SOURCE_LETTERS[-1]}"
_LETTERS = frozenset(SOURCE_LETTERS)


def read_sentence(text: str, max_length: int) -> str:
    """The reader's sentence: spaces dropped, capitals read as small letters.

    Raises
    ------
    ValueError
        With a short message: nothing typed, symbols outside the vocabulary
        (the first five named), or more than ``max_length`` letters.
    """
    letters = text.replace(" ", "")
    if not letters:
        raise ValueError(f"Type a sentence of {ALPHABET}.")
    unknown = list(dict.fromkeys(c for c in letters if c.lower() not in _LETTERS))
    if unknown:
        named = ", ".join(f"“{c}”" for c in unknown[:5]) + (" and more" if unknown[5:] else "")
        raise ValueError(f"Not in the vocabulary: {named}. Use {ALPHABET}.")
    if len(letters) > max_length:
        raise ValueError(
            f"{len(letters)} letters are too many: the models read at most {max_length}."
        )
    return letters.lower()


def translator_outputs(sentence: str, models: Mapping[str, Params]) -> dict[str, Any]:
    """What the view shows for a good sentence (from :func:`read_sentence`).

    Returns
    -------
    dict
        ``reference`` (the sentence reversed, in capitals) and ``translations``:
        per model its ``label``, greedy ``output`` and ``alignment`` ((n, n),
        a row per output step; None without attention), from
        :func:`attn_book.seq2seq.translate_batch`.
    """
    translations = []
    for label, params in models.items():
        predicted, alignment = translate_batch(params, encode(sentence)[None])
        translations.append(
            {
                "label": label,
                "output": decode_target(predicted[0]),
                "alignment": alignment[0] if has_attention(params) else None,
            }
        )
    return {"reference": translate(sentence), "translations": translations}


class TranslatorView(View):
    """The translator (:func:`translator_view`): read back ``sentence``, ``translations``..."""

    name = "translator"
    text = t.Unicode().tag(sync=True)
    sentence = t.Unicode().tag(sync=True)  # the last good sentence: shown while text is bad
    examples = t.List().tag(sync=True)
    letters = t.Unicode(SOURCE_LETTERS).tag(sync=True)
    max_length = t.Int(10).tag(sync=True)
    step = t.Int(0).tag(sync=True)  # the output step read out (from 0), chosen in the picture
    # Outputs: what the kernel computes (online: translator.js's compute).
    reference = t.Unicode().tag(sync=True)
    translations = t.List().tag(sync=True)

    def __init__(self, models: Mapping[str, Params], **state: Any):
        self._models = dict(models)
        super().__init__(**state)
        self._update()
        self.observe(lambda _change: self._update(), "text")

    def _update(self) -> None:
        """Translate the text; bad text is reported and the last good sentence stays shown."""
        try:
            sentence = read_sentence(self.text, self.max_length)
        except ValueError as bad_text:  # the reader's text
            self.error = str(bad_text)
            return
        out = translator_outputs(sentence, self._models)
        with self.hold_sync():
            self.sentence = sentence
            self.reference = out["reference"]
            self.translations = [
                {**m, "alignment": None if m["alignment"] is None else wire(m["alignment"])}
                for m in out["translations"]
            ]
            self.step = min(self.step, len(sentence) - 1)
            self.error = ""

    def page_data(self) -> dict[str, Any]:
        return {
            "models": [
                {"label": label, "weights": {k: wire(w, np.float64) for k, w in params.items()}}
                for label, params in self._models.items()
            ]
        }


def translator_view(
    models: Mapping[str, Params],
    *,
    text: str = "badcafeh",
    max_length: int = 10,
    examples: Sequence[str] = ("abc", "badcafeh", "hgfedcba", "aabbccddee"),
    title: str = "Translate a sentence: both trained models",
) -> Live:
    """The translator, with its text box and example buttons.

    Parameters
    ----------
    models : mapping of label -> params
        Trained models of :mod:`attn_book.seq2seq`, shown in this order; the
        first with attention also shows its alignment.
    text : str
        The sentence shown first.
    max_length : int
        The longest sentence accepted (the longest the models were trained on).
    examples : sequence of str
        Sentences offered as buttons.
    title : str

    Returns
    -------
    Live
        Its ``view`` holds the ``sentence`` shown, the ``reference``, each
        model's ``translations`` and the output ``step`` read out.
    """
    view = TranslatorView(
        models, title=title, text=text, max_length=max_length, examples=list(examples)
    )
    box = widgets.Text(
        text, description="Sentence", placeholder=f"{ALPHABET}, at most {max_length}"
    )
    widgets.link((box, "value"), (view, "text"))
    buttons = [widgets.Button(description=e, layout={"width": "auto"}) for e in examples]
    for button in buttons:
        button.on_click(lambda b: setattr(view, "text", b.description))
    return Live(view, [box, widgets.Label("Examples:"), *buttons])
