"""Widget: type a source sentence, see the model's translation and its alignment.

The heatmap is drawn straight to PNG with Pillow
(:func:`attn_book.heatmap_png.heatmaps_png`), so each keystroke redraws in a
few milliseconds.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.seq2seq import translate_batch
from attn_book.toy_tasks import SOURCE_LETTERS, decode_target, encode, translate
from attn_book.widgets.view import WidgetWithFallback, guarded_view


def check_sentence(text: str, max_length: int) -> str:
    """Return ``text`` without spaces, or raise a short message for the reader.

    Parameters
    ----------
    text : str
        What the reader typed.
    max_length : int
        Longest sentence the model was trained on.

    Returns
    -------
    str
        The letters of the sentence.

    Raises
    ------
    ValueError
        If it is empty, longer than ``max_length`` or has unknown symbols.

    Examples
    --------
    >>> check_sentence("ab c", 10)
    'abc'
    """
    letters = text.replace(" ", "")
    if not letters:
        raise ValueError(f"type at least one letter from {SOURCE_LETTERS}")
    if len(letters) > max_length:
        raise ValueError(
            f"{len(letters)} letters is too long: the model was trained on at most {max_length}"
        )
    encode(letters)  # raises ValueError naming the unknown symbols
    return letters


def translation_widget(
    params: dict[str, Any], text: str = "abcdefgh", *, max_length: int = 10
) -> WidgetWithFallback:
    """A text box for a source sentence and the model's alignment heatmap.

    Parameters
    ----------
    params : dict
        Parameters of a model with attention (:func:`attn_book.seq2seq.init_params`
        with ``attention=True``, usually trained).
    text : str
        The sentence shown first.
    max_length : int
        Longest accepted sentence.

    Returns
    -------
    WidgetWithFallback
        The live view in a kernel, a PNG of ``text`` in the static book.

    Raises
    ------
    ValueError
        If ``params`` has no attention or ``text`` is rejected.
    """
    if "att_v" not in params:
        raise ValueError("params must belong to a model with attention (no 'att_v' found)")

    def render(text: str) -> bytes:
        letters = check_sentence(text, max_length)
        predicted, alignment = translate_batch(params, encode(letters)[None])
        output = decode_target(predicted[0])
        reference = translate(letters)
        right = sum(a == b for a, b in zip(output, reference, strict=True))
        title = f"model: {output}   reference: {reference}   ({right}/{len(letters)} right)"
        return heatmaps_png(
            [
                Panel(
                    alignment[0],
                    list(output),
                    list(letters),
                    title=title,
                    annotate_all=True,
                    xlabel="source word (position j)",
                    ylabel="output word (step i)",
                )
            ]
        )

    control = widgets.Text(
        value=text,
        description="source:",
        continuous_update=True,
        placeholder=f"letters {SOURCE_LETTERS}",
    )
    return guarded_view(
        {"text": control},
        render,
        alt="Alignment heatmap of the trained translator: output steps (rows) against "
        "source positions (columns).",
    )
