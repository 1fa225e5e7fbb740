"""Sphinx extension: fix what axe-core finds in the theme's pages.

pydata-sphinx-theme, sphinx-book-theme, myst-nb and docutils write these; the
book rewrites the finished HTML (their upstream reports: docs/upstream.md):

- a button or summary whose ``aria-label`` ("Search", "Toggle hidden content")
  differs from its visible text ("Search Ctrl+K", "Show code cell source"):
  without the label, the visible text names it (WCAG 2.5.3);
- bibliography entries with the deprecated role ``doc-biblioentry`` inside a
  ``role="list"``, which then has no list items: they become list items;
- the primary sidebar (the logo, search, chapters) outside every landmark;
- display formulas the theme lets scroll sideways on a phone, which a keyboard
  cannot reach: they take the focus (``tabindex="0"``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

FIXES = [
    (
        re.compile(r'(search-button__button[^>]*?) aria-label="Search"'),
        r"\1",
    ),
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    (re.compile(r'role="doc-biblioentry"'), 'role="listitem"'),
    (
        re.compile(
            r'(<div id="pst-primary-sidebar" class="bd-sidebar-primary[^"]*")>'
        ),
        r'\1 role="complementary" aria-label="The book">',
    ),
    (
        re.compile(
            r'(<div class="math notranslate nohighlight">\s*<mjx-container) '
        ),
        r'\1 tabindex="0" ',
    ),
]


def fix_page(html: str) -> str:
    """The page with every fix applied."""
    for pattern, replacement in FIXES:
        html = pattern.sub(replacement, html)
    return html


def _fix_pages(app: Any, error: Exception | None) -> None:
    """Rewrite every HTML page of a successful build."""
    if error is None and app.builder.format == "html":
        for path in Path(app.outdir).rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            fixed = fix_page(text)
            if fixed != text:
                path.write_text(fixed, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", _fix_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
