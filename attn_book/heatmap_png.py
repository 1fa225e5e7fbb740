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

A widget redraws the same labels again and again (a new query, the scaling
toggled), so the text that rarely changes is kept between redraws: each
label's glyphs, each panel's block of row and column labels, each colour
scale. Only the cells, the titles and the values written in cells are drawn
anew. The PNG is written here too (:func:`_png`), faster than Pillow's
encoder for these pictures.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from attn_book.plots import WEIGHT_CMAP, ramp, ramp_index, text_is_dark

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


@lru_cache(maxsize=16)
def _ramp(cmap: str) -> np.ndarray:
    return ramp(cmap)


@lru_cache(maxsize=4096)
def _text_width(text: str, size: int) -> int:
    return int(np.ceil(_font(size).getlength(text)))


@lru_cache(maxsize=2048)
def _glyphs(text: str, size: int) -> Image.Image:
    # The text as an "L" mask (255 = ink), its vertical middle at row height // 2.
    # Cached: labels repeat across redraws, and rendering glyphs is slow.
    ascent, descent = _font(size).getmetrics()
    strip = Image.new("L", (_text_width(text, size) + 2, ascent + descent + 2), 0)
    ImageDraw.Draw(strip).text(
        (0, strip.height // 2), text, fill=255, font=_font(size), anchor="lm"
    )
    return strip


@lru_cache(maxsize=64)
def _label_block(
    labels: tuple[str, ...], size: int, cell: int, width: int, vertical: bool
) -> Image.Image:
    """Every row label (right-aligned, ``width`` wide) or column label (rotated to
    read bottom-up, ``width`` deep) of a panel, as one "L" mask: one paste per
    redraw, and no text rendering at all while the labels stay the same."""
    block = Image.new("L", (width, len(labels) * cell), 0)
    for i, text in enumerate(labels):
        glyphs = _glyphs(text, size)
        # Ink added through the glyphs as a mask, so a descender that reaches
        # into the next row is kept.
        x, y = width - 2 - _text_width(text, size), i * cell + cell // 2 - glyphs.height // 2
        block.paste(255, (x, y), glyphs)
    return block.transpose(Image.Transpose.ROTATE_90) if vertical else block


@lru_cache(maxsize=64)
def _legend(cmap: str, bar_w: int, vmin: float, vmax: float, size: int) -> Image.Image:
    """The colour scale under a panel: the ramp, outlined, its ends labelled."""
    tile = Image.new("RGB", (bar_w, 12 + size + 4), "white")
    scale = _ramp(cmap)[np.linspace(0, 255, bar_w).astype(int)][None].repeat(10, axis=0)
    tile.paste(Image.fromarray(np.ascontiguousarray(scale)), (0, 0))
    draw = ImageDraw.Draw(tile)
    draw.rectangle((0, 0, bar_w - 1, 9), outline="grey")
    draw.text((0, 12), f"{vmin:g}", fill="black", font=_font(size))
    draw.text((bar_w, 12), f"{vmax:g}", fill="black", font=_font(size), anchor="ra")
    return tile


def _png(image: Image.Image) -> bytes:
    """``image`` (RGB) as PNG bytes: each row unfiltered, one zlib stream (level 3).

    Pillow's encoder (at compress_level 1) chooses a filter for every row;
    on these pictures (flat cells, black text on white) it took 14 ms for
    chapter 3's 64-token figure (1129 x 1002 px, 73 kB), this 5 to 10 ms
    (88 kB; 4.5 ms of it zlib).
    """
    rows = np.asarray(image, dtype=np.uint8).reshape(image.height, -1)
    raw = np.zeros((image.height, rows.shape[1] + 1), dtype=np.uint8)  # filter byte 0: none
    raw[:, 1:] = rows
    header = struct.pack(">IIBBBBB", image.width, image.height, 8, 2, 0, 0, 0)  # 8-bit RGB

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(raw, 3)),
            chunk(b"IEND", b""),
        ]
    )


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
    label_size = 13 if cell >= 22 else 10
    small_size = 11 if cell >= 30 else (9 if cell >= 22 else 7)
    title_font = _font(14)

    layouts = []
    for p in panels:
        rows, cols = p.matrix.shape
        if len(p.row_labels) != rows or len(p.col_labels) != cols:
            raise ValueError(
                f"panel {p.title!r}: {len(p.row_labels)} row / {len(p.col_labels)} column "
                f"labels for a {rows} x {cols} matrix"
            )
        labels_w = max(_text_width(s, label_size) for s in p.row_labels) + 8
        left = labels_w + (20 if p.ylabel else 0)
        bottom = max(_text_width(s, label_size) for s in p.col_labels) + 8
        title_h = 18 * (p.title.count("\n") + 1) + 8 if p.title else 4
        width = left + cols * cell
        width = max(width, max((_text_width(line, 14) for line in p.title.split("\n")), default=0))
        layouts.append((left, labels_w, bottom, title_h, width))
    legend_h = 42
    title_max = max(layout[3] for layout in layouts)
    bottom_max = max(layout[2] for layout in layouts) + (20 if any(p.xlabel for p in panels) else 0)
    height = title_max + rows_max * cell + bottom_max + legend_h + 10
    width = sum(layout[4] for layout in layouts) + gap * (len(panels) - 1) + 20
    image = Image.new("RGB", (int(width), int(height)), "white")
    draw = ImageDraw.Draw(image)

    x0 = 10
    for p, (left, labels_w, bottom, _title_h, panel_w) in zip(panels, layouts, strict=True):
        rows, cols = p.matrix.shape
        top = title_max
        gx = x0 + left  # grid origin
        # Cells: map values to colours, then scale each value up to a cell block.
        rgb = _ramp(p.cmap)[ramp_index(p.matrix, p.vmin, p.vmax)]
        if p.masked is not None:
            rgb[np.asarray(p.masked, dtype=bool)] = MASKED_GREY
        cells = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
        image.paste(cells.resize((cols * cell, rows * cell), Image.Resampling.NEAREST), (gx, top))
        # Title lines centred over the grid.
        for i, line in enumerate(p.title.split("\n") if p.title else []):
            w = _text_width(line, 14)
            cx = max(x0, gx + cols * cell // 2 - w // 2)
            draw.text((cx, 4 + 18 * i), line, fill="black", font=title_font)
        # Row labels, right-aligned 5 px left of the grid; column labels, rotated.
        row_block = _label_block(tuple(p.row_labels), label_size, cell, labels_w - 3, False)
        image.paste((0, 0, 0), (gx - labels_w, top), row_block)
        col_block = _label_block(tuple(p.col_labels), label_size, cell, bottom - 4, True)
        image.paste((0, 0, 0), (gx, top + rows * cell + 4), col_block)
        if p.ylabel:
            mask = _glyphs(p.ylabel, label_size).transpose(Image.Transpose.ROTATE_90)
            image.paste((0, 0, 0), (x0, top + rows * cell // 2 - mask.size[1] // 2), mask)
        if p.xlabel:
            w = _text_width(p.xlabel, label_size)
            draw.text(
                (gx + cols * cell // 2 - w // 2, top + rows * cell + bottom_max - 18),
                p.xlabel,
                fill="black",
                font=_font(label_size),
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
                        font=_font(small_size),
                        anchor="mm",
                    )
        # Colour scale under the panel.
        ly = title_max + rows_max * cell + bottom_max + 6
        image.paste(_legend(p.cmap, min(cols * cell, 200), p.vmin, p.vmax, small_size), (gx, ly))
        x0 += panel_w + gap
    return _png(image)
