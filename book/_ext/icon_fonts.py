"""Sphinx extension: icons from small web fonts, not Font Awesome's script.

pydata-sphinx-theme loads ``_static/scripts/fontawesome.js`` (1.5 MB) on every
page, only to swap each ``<i class="fa-...">`` icon for an inline SVG of the
same glyph. The theme's stylesheet already draws those icons with the Font
Awesome web fonts it ships (``_static/vendor/fontawesome/webfonts``), so:

1. ``book/_ext/templates/layout.html`` (this extension adds the folder to
   ``templates_path``) drops that one ``<script>`` line from the theme's head;
   the fonts alone draw the icons.
2. At the end of the build the fonts (156 kB and 118 kB of woff2 a page
   loads) are cut down to the glyphs the book can show: the icons named by a
   ``fa-NAME`` class in a built page or in a script under ``_static``, plus
   every glyph a theme stylesheet asks for directly (a ``content: "\\f107"``
   outside the ``.fa-NAME:before`` icon rules, e.g. the secondary sidebar's
   chevron). fontTools does the cutting; Brotli writes the woff2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
WEBFONTS = "vendor/fontawesome/webfonts"
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{2,6})")
ICON_SELECTOR = re.compile(r"^\.fa-([\w-]+)::?before$")
ICON_CLASS = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")


def _add_templates(app: Sphinx, config: Config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path = [*config.templates_path, str(TEMPLATES)]


def glyphs_to_keep(
    stylesheets: Iterable[str], pages: Iterable[str]
) -> set[int]:
    """Code points of the icons the book can show.

    Parameters
    ----------
    stylesheets : iterable of str
        Text of the theme's CSS files. A rule whose selectors are all
        ``.fa-NAME:before`` maps icon names to code points; any other rule's
        ``content`` escapes are kept outright.
    pages : iterable of str
        Text of the built pages and scripts; each ``fa-NAME`` in them keeps
        that icon.

    Returns
    -------
    set of int
        Unicode code points to keep in the icon fonts.
    """
    names: dict[str, set[int]] = {}
    keep: set[int] = set()
    for css in stylesheets:
        for selectors, body in CSS_RULE.findall(css):
            points = {int(h, 16) for h in CSS_ESCAPE.findall(body)}
            if not points:
                continue
            icons = [
                ICON_SELECTOR.match(s.strip()) for s in selectors.split(",")
            ]
            if all(icons):
                for match in icons:
                    names.setdefault(match.group(1), set()).update(points)
            else:
                keep |= points
    for text in pages:
        for name in ICON_CLASS.findall(text):
            keep |= names.get(name, set())
    return keep


def subset_font(path: Path, unicodes: set[int]) -> tuple[int, int]:
    """Cut the font at ``path`` down to ``unicodes``, in place.

    Returns
    -------
    tuple of int
        The file's size in bytes before and after.
    """
    before = path.stat().st_size
    font = TTFont(path)
    flavor = font.flavor
    options = subset.Options()
    options.flavor = flavor
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font.flavor = flavor
    font.save(path)
    return before, path.stat().st_size


def _subset_icon_fonts(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    fonts = sorted((static / WEBFONTS).glob("fa-*.*"))
    if not fonts:
        return
    stylesheets = [p.read_text("utf-8") for p in static.rglob("*.css")]
    scripts = [p for p in static.rglob("*.js") if p.name != "fontawesome.js"]
    pages = [
        p.read_text("utf-8", errors="replace")
        for p in [*Path(app.outdir).rglob("*.html"), *scripts]
    ]
    keep = glyphs_to_keep(stylesheets, pages)
    total = [0, 0]
    for font in fonts:
        if font.suffix in {".woff2", ".ttf"}:
            before, after = subset_font(font, keep)
            total[0] += before
            total[1] += after
    logger.info(
        "icon_fonts: %d icon glyphs kept; Font Awesome fonts %d kB -> %d kB",
        len(keep),
        total[0] // 1000,
        total[1] // 1000,
    )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _add_templates)
    app.connect("build-finished", _subset_icon_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
