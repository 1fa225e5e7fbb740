"""A kernel-free explorer of the history chapter's trained toy translators.

The reader types a source sentence in the toy alphabet (:mod:`attn_book.toy_tasks`);
the page runs each model's forward pass in JavaScript (``translation.js``) on
the weights the chapter trained, exported into the page when the book is
built, and shows the translations side by side (each letter marked right or
wrong against the reference) and, for a model with attention, its alignment
as a heatmap in the book's colour ramp (:mod:`attn_book.colors`). Nothing is
loaded from a CDN or a server, so it works in the static book, offline, and
in JupyterLab (where trusted output runs its script).

The script follows :func:`attn_book.seq2seq.forward` (greedy decoding)
step by step, in the same order of operations: embeddings, both directions
of the tanh encoder, ``s_0``, then at each step the previous word's share,
the additive attention (``tanh(s W_q + h_j W_k) . v``, a softmax shifted by
its maximum, the weighted sum of the annotations) or the fixed context, the
new state and the output layer; the next word is the first largest logit, as
``numpy.argmax`` picks it. :meth:`TranslatorExplorer.run` computes in Python
exactly what the page exposes (``data-result``), so the browser tests compare
the two to 1e-6.

A sentence is checked by the rule of :func:`attn_book.toy_tasks.check_sentence`
(the page receives its message templates): empty input, too many letters,
or symbols outside the alphabet get that message, and the last good
translation stays on screen.

Weights travel as base64 of little-endian float64 (:func:`encode_weights`),
so the page computes with exactly the trained numbers, in about half the
bytes of decimal JSON. Safety: the data is JSON escaped for ``<script>``
(:func:`attn_book.explorer.fragment.json_for_script`); the script inserts
every text, the reader's included, with ``textContent``; the static fallback
(the default sentence, for a page without JavaScript) escapes with
:func:`html.escape`.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from attn_book.colors import browser_ramp
from attn_book.explorer.fragment import Fragment, check_title, weight_cell
from attn_book.seq2seq import forward, has_attention, init_params
from attn_book.toy_tasks import (
    BOS,
    SENTENCE_MESSAGES,
    SOURCE_LETTERS,
    check_sentence,
    decode_target,
    encode,
    translate,
)
from attn_core._validation import check_int

#: The weights a model of :func:`attn_book.seq2seq.init_params` has, with and without attention.
PLAIN_WEIGHTS = tuple(init_params(0, attention=False, embed=1, hidden=1, decoder_hidden=1))
ATTENTION_WEIGHTS = ("att_wq", "att_wk", "att_va")

#: Sentences offered as buttons when none are given.
DEFAULT_EXAMPLES = ("abc", "badcafeh", "hgfedcba", "aabbccddee")


def encode_weights(params: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each weight as ``{"shape": [...], "data": base64 of little-endian float64}``.

    Parameters
    ----------
    params : mapping of str to array_like
        Finite real arrays.

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        If a weight holds NaN or infinity.

    Examples
    --------
    >>> encode_weights({"b": np.array([1.0, -2.0])})["b"]["shape"]
    [2]
    """
    encoded = {}
    for name, value in params.items():
        array = np.asarray(value, dtype="<f8")
        if not np.isfinite(array).all():
            raise ValueError(f"params[{name!r}] holds NaN or infinity")
        encoded[name] = {
            "shape": list(array.shape),
            "data": base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii"),
        }
    return encoded


def decode_weights(encoded: Mapping[str, Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """The inverse of :func:`encode_weights` (what the page decodes, decoded in Python).

    Examples
    --------
    >>> w = {"w": np.arange(6.0).reshape(2, 3)}
    >>> np.array_equal(decode_weights(encode_weights(w))["w"], w["w"])
    True
    """
    return {
        name: np.frombuffer(base64.b64decode(entry["data"]), dtype="<f8")
        .reshape(entry["shape"])
        .astype(np.float64)
        for name, entry in encoded.items()
    }


def _check_model(label: str, params: Any) -> dict[str, np.ndarray]:
    if not isinstance(params, Mapping):
        raise TypeError(f"models[{label!r}] must be a dict of weights, got {type(params).__name__}")
    names = PLAIN_WEIGHTS + (ATTENTION_WEIGHTS if has_attention(params) else ())
    missing = [name for name in names if name not in params]
    if missing:
        raise ValueError(f"models[{label!r}] lacks the weights {missing}")
    extra = sorted(set(params) - set(names))
    if extra:
        raise ValueError(f"models[{label!r}] has weights the page does not know: {extra}")
    return {name: np.asarray(params[name], dtype=np.float64) for name in names}


class TranslatorExplorer(Fragment):
    """A self-contained HTML explorer of toy translators (see :func:`translator_explorer`).

    Attributes
    ----------
    data : dict
        What the page's script receives: the alphabet, the task, the length
        limit, the message templates, the examples, the colour ramp, and each
        model's label and weights.
    element_id : str
        The root element's id, derived from a hash of the content.
    """

    component = "translator"
    labelled_by_title = True

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self._models = [
            (model["label"], decode_weights(model["weights"])) for model in data["models"]
        ]

    def run(self, text: str) -> dict[str, Any]:
        """What the page shows for ``text``, computed in Python: the ``data-result`` it exposes.

        Parameters
        ----------
        text : str
            A source sentence (spaces are dropped).

        Returns
        -------
        dict
            ``text`` (the letters), ``reference`` (its translation) and
            ``models``: for each model, ``label``, ``output`` (its greedy
            translation), ``ids``, ``right`` (letters equal to the
            reference), ``logits`` (n, V) and ``alignment`` ((n, n), or None
            without attention), from :func:`attn_book.seq2seq.forward`.

        Raises
        ------
        TypeError, ValueError
            As :func:`attn_book.toy_tasks.check_sentence` does for a bad sentence.
        """
        letters = check_sentence(text, self.data["max_length"])
        reference = translate(letters, self.data["task"])
        models = []
        for label, params in self._models:
            run = forward(params, encode(letters)[None])
            ids = np.argmax(run.logits[0], axis=-1)
            output = decode_target(ids)
            models.append(
                {
                    "label": label,
                    "output": output,
                    "ids": ids.tolist(),
                    "right": sum(a == b for a, b in zip(output, reference, strict=True)),
                    "logits": run.logits[0].tolist(),
                    "alignment": run.alignment[0].tolist() if has_attention(params) else None,
                }
            )
        return {"text": letters, "reference": reference, "models": models}

    def _static(self) -> str:
        """The default sentence's translations and alignment, for a page without JavaScript."""
        result = self.run(self.data["default"])
        source = result["text"]
        lines = [
            f'<p class="at-static-source">Source: <b>{html.escape(source)}</b>, '
            f"reference: <b>{html.escape(result['reference'])}</b></p>",
            '<ul class="at-static-outputs">',
        ]
        for model in result["models"]:
            lines.append(
                f"<li>{html.escape(model['label'])}: <b>{html.escape(model['output'])}</b> "
                f"({model['right']}/{len(source)} right)</li>"
            )
        lines.append("</ul>")
        for model in result["models"]:
            if model["alignment"] is None:
                continue
            weights = np.asarray(model["alignment"])
            head = "".join(f"<th>{j + 1} {html.escape(c)}</th>" for j, c in enumerate(source))
            rows = [f"<tr><th>output \\ source</th>{head}</tr>"]
            for i, letter in enumerate(model["output"]):
                cells = "".join(weight_cell(w, f"{w:.2f}") for w in weights[i])
                rows.append(f"<tr><th>{i + 1} {html.escape(letter)}</th>{cells}</tr>")
            lines.append(
                f'<p class="at-static-caption">Alignment of the model '
                f"{html.escape(model['label'])}:</p>"
                f'<table class="at-static-table">{"".join(rows)}</table>'
            )
        lines.append('<p class="at-static-note">The interactive translator needs JavaScript.</p>')
        return "".join(lines)

    def __repr__(self) -> str:
        labels = [label for label, _ in self._models]
        return f"TranslatorExplorer({self.data['title']!r}, models={labels!r})"


def translator_explorer(
    models: Mapping[str, Mapping[str, Any]],
    *,
    text: str = "badcafeh",
    max_length: int = 10,
    task: str = "reverse",
    examples: Sequence[str] = DEFAULT_EXAMPLES,
    title: str = "Translate a sentence: the trained models, in your browser",
) -> TranslatorExplorer:
    """Build a kernel-free explorer of trained toy translators.

    Parameters
    ----------
    models : mapping of str to dict
        Label -> parameters of :func:`attn_book.seq2seq.init_params` (trained),
        shown side by side in this order. A model with attention also shows
        its alignment.
    text : str
        The sentence shown first.
    max_length : int
        Longest sentence accepted (the longest the models were trained on).
    task : {"reverse", "copy"}
        The task the models were trained on: gives the reference translation.
    examples : sequence of str
        Sentences offered as buttons.
    title : str
        Heading shown above the explorer (as text).

    Returns
    -------
    TranslatorExplorer
        Displays as the explorer in a notebook or the rendered book.

    Raises
    ------
    TypeError
        If ``models`` is not a mapping of dicts, or a text is not a str.
    ValueError
        If there is no model, a model lacks a weight (or has an unknown
        one), ``text`` or an example is not a valid sentence, or ``task`` is
        unknown.

    Examples
    --------
    >>> from attn_book.seq2seq import init_params
    >>> explorer = translator_explorer({"with attention": init_params(0, attention=True)})
    >>> explorer.run("abc")["reference"]
    'CBA'
    >>> explorer.element_id.startswith("attn-translator-")
    True
    """
    if not isinstance(models, Mapping):
        raise TypeError(f"models must map labels to parameters, got {type(models).__name__}")
    if not models:
        raise ValueError("models is empty; give at least one model")
    max_length = check_int(max_length, "max_length", minimum=1)
    text = check_sentence(text, max_length)
    if isinstance(examples, str):
        raise TypeError("examples must be a list of sentences, got one str")
    examples = [check_sentence(example, max_length) for example in examples]
    check_title(title)
    entries = []
    for label, params in models.items():
        if not isinstance(label, str) or not label:
            raise TypeError(f"each model label must be a non-empty str, got {label!r}")
        weights = _check_model(label, params)
        entries.append(
            {
                "label": label,
                "attention": has_attention(weights),
                "weights": encode_weights(weights),
            }
        )
    data = {
        "title": title,
        "letters": SOURCE_LETTERS,
        "bos": BOS,
        "task": task,
        "max_length": max_length,
        "messages": dict(SENTENCE_MESSAGES),
        "default": text,
        "examples": examples,
        "models": entries,
        # The weight ramp of attn_book.colors: the page carries no colours of its own.
        "colours": browser_ramp(),
    }
    return TranslatorExplorer(data)
