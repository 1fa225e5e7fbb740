"""Sphinx extension that removes a duplicated inline script from every page.

sphinx-thebe adds its configuration (``const THEBE_JS_URL = ...``) as an
inline script once the HTML builder exists; Sphinx 7.4 then lists it twice
(once as ``None``, once as ``""`` file name), and the second ``const``
declaration throws "Identifier 'THEBE_JS_URL' has already been declared" in
the browser console. Keeping the first of identical scripts fixes that for
this and any other extension with the same pattern.
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


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
