"""Heatmaps drawn straight to PNG with Pillow, fast enough for a widget's redraw.

:func:`attn_book.plots.show_heatmaps` is the book's heatmap helper for static
figures. A widget, though, must answer a change in well under 50 ms, and a
matplotlib redraw of a labelled 12 x 12 heatmap takes several times that on
a small machine (most of it laying out tick-label text). This module draws
the same kind of picture (colour-mapped cells, token labels, a title, the
values of one highlighted row, a colour scale) with Pillow: a few
milliseconds, independent of matplotlib's layout engine. The colours and the
text colour on each cell come from :mod:`attn_book.colors`, as in
:func:`~attn_book.plots.show_heatmaps` and the kernel-free explorer.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from attn_book.colors import WEIGHT_CMAP, ramp, ramp_index, text_is_dark

_FONT_PATH = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")


#: RGB colour of masked cells.
MASKED_GREY = (208, 208, 208)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_FONT_PATH, size)


@dataclass
class Panel:
    """One heatmap panel.

    Attributes
    ----------
    matrix : ndarray, shape (rows, cols)
    row_labels, col_labels : sequence of str
    title : str
        May contain newlines.
    cmap : str
        A matplotlib colormap name (default: the weights' ramp,
        :data:`attn_book.colors.WEIGHT_CMAP`).
    vmin, vmax : float
        Colour limits.
    highlight_row : int, optional
        A row to outline in red.
    annotate_row : bool
        Write the values of ``highlight_row`` in its cells.
    annotate_all : bool
        Write every cell's value (for small matrices).
    xlabel, ylabel : str
    masked : ndarray of bool, shape (rows, cols), optional
        Cells to draw flat grey (masked entries) instead of by value.
    """

    matrix: np.ndarray
    row_labels: Sequence[str]
    col_labels: Sequence[str]
    title: str = ""
    cmap: str = WEIGHT_CMAP
    vmin: float = 0.0
    vmax: float = 1.0
    highlight_row: int | None = None
    annotate_row: bool = True
    annotate_all: bool = False
    xlabel: str = ""
    ylabel: str = ""
    masked: np.ndarray | None = None


@lru_cache(maxsize=1024)
def _vertical_label(text: str, size: int) -> tuple[Image.Image, Image.Image]:
    # A label rotated to read bottom-up: (black tile, mask). Cached: tokens repeat
    # across redraws, and rendering glyphs is the slow part.
    font = _font(size)
    strip = Image.new("L", (int(np.ceil(font.getlength(text))) + 2, size + 4), 0)
    ImageDraw.Draw(strip).text((0, 0), text, fill=255, font=font)
    strip = strip.rotate(90, expand=True)
    return Image.new("RGB", strip.size, "black"), strip


def _text_width(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> int:
    return int(np.ceil(draw.textlength(text, font=font)))


def heatmaps_png(panels: Sequence[Panel], cell: int | None = None, gap: int = 40) -> bytes:
    """Draw panels side by side and return PNG bytes.

    Parameters
    ----------
    panels : sequence of Panel
        Left to right; each may have its own shape, labels and colour map.
    cell : int, optional
        Cell size in pixels; by default 34, 22 or 13 depending on the
        largest row count (up to 16, 32, or more).
    gap : int
        Pixels between panels.

    Returns
    -------
    bytes
        A PNG image.

    Raises
    ------
    ValueError
        If a panel's labels do not match its matrix.
    """
    if not panels:
        raise ValueError("panels is empty")
    rows_max = max(p.matrix.shape[0] for p in panels)
    if cell is None:
        cell = 34 if rows_max <= 16 else (22 if rows_max <= 32 else 13)
    label_font = _font(13 if cell >= 22 else 10)
    small_font = _font(11 if cell >= 30 else (9 if cell >= 22 else 7))
    title_font = _font(14)
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))

    layouts = []
    for p in panels:
        rows, cols = p.matrix.shape
        if len(p.row_labels) != rows or len(p.col_labels) != cols:
            raise ValueError(
                f"panel {p.title!r}: {len(p.row_labels)} row / {len(p.col_labels)} column "
                f"labels for a {rows} x {cols} matrix"
            )
        left = max(_text_width(scratch, s, label_font) for s in p.row_labels) + 8
        left += 20 if p.ylabel else 0
        bottom = max(_text_width(scratch, s, label_font) for s in p.col_labels) + 8
        title_h = 18 * (p.title.count("\n") + 1) + 8 if p.title else 4
        width = left + cols * cell
        width = max(
            width,
            max(
                (_text_width(scratch, line, title_font) for line in p.title.split("\n")), default=0
            ),
        )
        layouts.append((left, bottom, title_h, width))
    legend_h = 42
    title_max = max(t for _, _, t, _ in layouts)
    bottom_max = max(b for _, b, _, _ in layouts) + (20 if any(p.xlabel for p in panels) else 0)
    height = title_max + rows_max * cell + bottom_max + legend_h + 10
    width = sum(w for *_, w in layouts) + gap * (len(panels) - 1) + 20
    image = Image.new("RGB", (int(width), int(height)), "white")
    draw = ImageDraw.Draw(image)

    x0 = 10
    for p, (left, _bottom, _title_h, panel_w) in zip(panels, layouts, strict=True):
        rows, cols = p.matrix.shape
        top = title_max
        gx = x0 + left  # grid origin
        # Cells: map values to colours, then scale each value up to a cell block.
        rgb = ramp(p.cmap)[ramp_index(p.matrix, p.vmin, p.vmax)]
        if p.masked is not None:
            rgb[np.asarray(p.masked, dtype=bool)] = MASKED_GREY
        block = np.repeat(np.repeat(rgb, cell, axis=0), cell, axis=1)
        image.paste(Image.fromarray(block), (gx, top))
        # Title lines centred over the grid.
        for i, line in enumerate(p.title.split("\n") if p.title else []):
            w = _text_width(draw, line, title_font)
            cx = max(x0, gx + cols * cell // 2 - w // 2)
            draw.text((cx, 4 + 18 * i), line, fill="black", font=title_font)
        # Row labels, right-aligned; column labels, rotated.
        for i, s in enumerate(p.row_labels):
            draw.text(
                (gx - 5, top + i * cell + cell // 2), s, fill="black", font=label_font, anchor="rm"
            )
        for j, s in enumerate(p.col_labels):
            tile, mask = _vertical_label(s, label_font.size)
            image.paste(
                tile, (gx + j * cell + cell // 2 - mask.size[0] // 2, top + rows * cell + 4), mask
            )
        if p.ylabel:
            tile, mask = _vertical_label(p.ylabel, label_font.size)
            image.paste(tile, (x0, top + rows * cell // 2 - mask.size[1] // 2), mask)
        if p.xlabel:
            w = _text_width(draw, p.xlabel, label_font)
            draw.text(
                (gx + cols * cell // 2 - w // 2, top + rows * cell + bottom_max - 18),
                p.xlabel,
                fill="black",
                font=label_font,
            )
        # Highlighted row: outline; values of that row (or of every cell).
        annotated_rows: list[int] = []
        if p.highlight_row is not None:
            r = p.highlight_row
            draw.rectangle(
                (gx - 1, top + r * cell - 1, gx + cols * cell, top + (r + 1) * cell),
                outline=(220, 0, 0),
                width=3,
            )
            if p.annotate_row:
                annotated_rows = [r]
        if p.annotate_all:
            annotated_rows = list(range(rows))
        if cell >= 22:
            dark = text_is_dark(rgb)
            for r in annotated_rows:
                for j, value in enumerate(p.matrix[r]):
                    # Dark text on light cells, light text on dark ones.
                    colour = "black" if dark[r, j] else "white"
                    draw.text(
                        (gx + j * cell + cell // 2, top + r * cell + cell // 2),
                        f"{value:.2f}",
                        fill=colour,
                        font=small_font,
                        anchor="mm",
                    )
        # Colour scale under the panel.
        ly = title_max + rows_max * cell + bottom_max + 6
        bar_w = min(cols * cell, 200)
        scale = ramp(p.cmap)[np.linspace(0, 255, bar_w).astype(int)][None].repeat(10, axis=0)
        image.paste(Image.fromarray(np.ascontiguousarray(scale)), (gx, ly))
        draw.rectangle((gx, ly, gx + bar_w - 1, ly + 9), outline="grey")
        draw.text((gx, ly + 12), f"{p.vmin:g}", fill="black", font=small_font)
        draw.text((gx + bar_w, ly + 12), f"{p.vmax:g}", fill="black", font=small_font, anchor="ra")
        x0 += panel_w + gap
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()
