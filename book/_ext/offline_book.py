"""Sphinx extension: drop scripts from every page that do nothing there.

1. A duplicated inline script.

sphinx-thebe adds its configuration (``const THEBE_JS_URL = ...``) as an
inline script once the HTML builder exists; Sphinx 7.4 then lists it twice
(once as ``None``, once as ``""`` file name), and the second ``const``
declaration throws "Identifier 'THEBE_JS_URL' has already been declared" in
the browser console. Keeping the first of identical scripts fixes that for
this and any other extension with the same pattern.

2. The widget state nobody reads. myst-nb writes each notebook's saved
ipywidgets state (40-60 kB per chapter, mostly PNG bytes of the widgets'
images) into the page as ``<script type="application/vnd.jupyter.widget-
state+json">``; only the ipywidgets HTML manager reads it, and the book loads
none (``nb_ipywidgets_js: {}``: each widget shows its PNG fallback instead).
When a widget manager is configured again, the state is kept.

3. The views' repeated modules and styles. Each view's output carries an
import map naming its modules (``attn_book.views.page_html``) and core.css,
so that it also works alone; a page keeps one map, merged and moved to its
``<head>`` where it precedes every module script, and one copy of each style.
"""

from __future__ import annotations

import json
import re
from typing import Any


def _drop_duplicate_scripts(
    app: Any,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: Any,
) -> None:
    """Keep the first of identical scripts."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for js in scripts:
        attributes = getattr(js, "attributes", {})
        key = (
            getattr(js, "filename", None) or "",
            tuple(sorted(attributes.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _drop_unread_widget_state(
    app: Any,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: Any,
) -> None:
    """Drop the saved widget state when no widget manager reads it."""
    scripts = context.get("script_files")
    if not scripts or getattr(app.config, "nb_ipywidgets_js", None):
        return
    context["script_files"] = [
        js
        for js in scripts
        if getattr(js, "attributes", {}).get("type") != WIDGET_STATE
    ]


IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)
STYLE = re.compile(r"<style>.*?</style>", re.S)


def _one_import_map(
    app: Any,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: Any,
) -> None:
    """Merge the views' import maps into the head; keep one copy of a style."""
    body = context.get("body", "")
    imports: dict[str, str] = {}
    for found in IMPORT_MAP.finditer(body):
        imports.update(json.loads(found.group(1))["imports"])
    if not imports:
        return
    seen: set[str] = set()

    def first_copy(style: re.Match[str]) -> str:
        """The style the first time it appears, nothing after."""
        text = style.group(0)
        keep = text not in seen
        seen.add(text)
        return text if keep else ""

    context["body"] = STYLE.sub(first_copy, IMPORT_MAP.sub("", body))
    merged = json.dumps({"imports": imports}, separators=(",", ":"))
    merged = merged.replace("</", "<\\/")  # cannot close the script early
    context["metatags"] = (
        f'<script type="importmap">{merged}</script>\n'
        + context.get("metatags", "")
    )


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _drop_duplicate_scripts)
    # After myst-nb's own handler (priority 500) has added the state.
    app.connect("html-page-context", _drop_unread_widget_state, priority=900)
    app.connect("html-page-context", _one_import_map)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
