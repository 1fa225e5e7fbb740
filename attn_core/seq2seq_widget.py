"""Widget: type a source sentence, see the model's translation and its alignment.

The heatmap is drawn straight to PNG with Pillow (see :class:`AlignmentPicture`),
so each keystroke redraws in a few milliseconds.
"""

from __future__ import annotations

import io
import os
from typing import Any

import ipywidgets as widgets
import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from attn_core.seq2seq import translate_batch
from attn_core.toy_tasks import SOURCE_LETTERS, decode_target, encode, translate
from attn_core.widgets import WidgetWithFallback, guarded_view


class AlignmentPicture:
    """Draws an alignment heatmap straight to PNG with Pillow, in a few milliseconds.

    A matplotlib figure spends most of a redraw laying out tick labels; here
    the cells are coloured with matplotlib's colormap as a NumPy array and the
    letters are stamped with the font matplotlib uses (DejaVu Sans), so the
    picture looks like the book's other heatmaps and redraws fast.

    Parameters
    ----------
    cell : int
        Side of one cell in pixels.
    cmap : str
        A matplotlib colormap name (the book's heatmaps use viridis).
    """

    def __init__(self, cell: int = 38, cmap: str = "viridis") -> None:
        font_dir = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
        self.font = ImageFont.truetype(os.path.join(font_dir, "DejaVuSans.ttf"), 15)
        self.small = ImageFont.truetype(os.path.join(font_dir, "DejaVuSans.ttf"), 11)
        self.cell = cell
        self.cmap = matplotlib.colormaps[cmap]
        # The y-axis caption, drawn once and rotated to read bottom-to-top.
        caption = "output word (step i)"
        width = int(self.font.getlength(caption)) + 4
        label = Image.new("RGB", (width, 20), "white")
        ImageDraw.Draw(label).text((2, 1), caption, fill="black", font=self.font)
        self.y_caption = label.rotate(90, expand=True)

    def render(self, alignment: np.ndarray, source: str, output: str, title: str) -> bytes:
        """Draw ``alignment`` (len(output) rows, len(source) columns); return PNG bytes."""
        rows, cols = alignment.shape
        c = self.cell
        left, top = 60, 58
        grid_w, grid_h = cols * c, rows * c
        width = max(left + grid_w + 90, int(self.font.getlength(title)) + 20)
        height = top + grid_h + 48
        # Cells: colormap lookup, then each value repeated into a c x c block.
        colours = (self.cmap(np.clip(alignment, 0.0, 1.0))[..., :3] * 255).astype(np.uint8)
        block = np.repeat(np.repeat(colours, c, axis=0), c, axis=1)
        picture = Image.new("RGB", (width, height), "white")
        picture.paste(Image.fromarray(block), (left, top))
        draw = ImageDraw.Draw(picture)
        draw.text((10, 8), title, fill="black", font=self.font)
        for j, letter in enumerate(source):
            draw.text((left + j * c + c / 2, top - 4), letter, fill="black", font=self.font,
                      anchor="md")
        for i, letter in enumerate(output):
            draw.text((left - 8, top + i * c + c / 2), letter, fill="black", font=self.font,
                      anchor="rm")
        for (i, j), value in np.ndenumerate(alignment):
            draw.text((left + j * c + c / 2, top + i * c + c / 2), f"{value:.2f}",
                      fill="black" if value > 0.6 else "white", font=self.small, anchor="mm")
        draw.text((left + grid_w / 2, top + grid_h + 10), "source word (position j)",
                  fill="black", font=self.font, anchor="mt")
        picture.paste(self.y_caption, (6, top + max(0, (grid_h - self.y_caption.height) // 2)))
        # Colour bar from 0 (bottom) to 1 (top).
        bar_x, bar_h = left + grid_w + 16, max(grid_h, 2 * c)
        ramp = self.cmap(np.linspace(1.0, 0.0, bar_h))[:, :3] * 255
        bar = np.repeat(ramp[:, None, :].astype(np.uint8), 14, axis=1)
        picture.paste(Image.fromarray(bar), (bar_x, top))
        draw.text((bar_x + 18, top), "1", fill="black", font=self.small, anchor="lt")
        draw.text((bar_x + 18, top + bar_h), "0", fill="black", font=self.small, anchor="lb")
        draw.text((bar_x + 18, top + bar_h / 2), "weight", fill="black", font=self.small,
                  anchor="lm")
        buffer = io.BytesIO()
        picture.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


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


def build_translation_widget(
    params: dict[str, Any], text: str = "abcdefgh", *, max_length: int = 10
) -> WidgetWithFallback:
    """A text box for a source sentence and the model's alignment heatmap.

    Parameters
    ----------
    params : dict
        Parameters of a model with attention (:func:`attn_core.seq2seq.init_params`
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
    picture = AlignmentPicture()

    def render(text: str) -> bytes:
        letters = check_sentence(text, max_length)
        predicted, alignment = translate_batch(params, encode(letters)[None])
        output = decode_target(predicted[0])
        reference = translate(letters)
        right = sum(a == b for a, b in zip(output, reference, strict=True))
        title = f"model: {output}   reference: {reference}   ({right}/{len(letters)} right)"
        return picture.render(alignment[0], letters, output, title)

    control = widgets.Text(value=text, description="source:", continuous_update=True,
                           placeholder=f"letters {SOURCE_LETTERS}")
    return guarded_view(
        {"text": control}, render,
        alt="Alignment heatmap of the trained translator: output steps (rows) against "
            "source positions (columns).",
    )
