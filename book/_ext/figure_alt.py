"""Sphinx extension: a figure's alt text says what it shows, not its file.

The chapters' figures reach the notebook with their alt text in the output's
metadata (``attn_book.plots.describe``: titles, axes, legends); myst-nb reads
only width and height from there, so this sets the image's ``alt`` from it too.
"""

from __future__ import annotations

from typing import Any

from myst_nb.core.render import NbElementRenderer

_render_image = NbElementRenderer.render_image


def _render_image_with_alt(self: NbElementRenderer, data: Any) -> list:
    """myst-nb's image, with the alt text of the output's metadata."""
    image_nodes = _render_image(self, data)
    alt = data.output_metadata.get(data.mime_type, {}).get("alt")
    if alt and image_nodes:
        image_nodes[0]["alt"] = alt
    return image_nodes


def setup(app: Any) -> dict[str, Any]:
    NbElementRenderer.render_image = _render_image_with_alt
    return {"parallel_read_safe": True, "parallel_write_safe": True}
