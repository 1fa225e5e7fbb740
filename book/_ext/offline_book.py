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
"""

from __future__ import annotations

from typing import Any


def _drop_duplicate_scripts(
    app: Any,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: Any,
) -> None:
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
    scripts = context.get("script_files")
    if not scripts or getattr(app.config, "nb_ipywidgets_js", None):
        return
    context["script_files"] = [
        js
        for js in scripts
        if getattr(js, "attributes", {}).get("type") != WIDGET_STATE
    ]


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _drop_duplicate_scripts)
    # After myst-nb's own handler (priority 500) has added the state.
    app.connect("html-page-context", _drop_unread_widget_state, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
