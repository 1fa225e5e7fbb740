"""Sphinx extension: a library edit re-executes every chapter.

An edit to attn_core or attn_book shows in the next build.

Sphinx rebuilds a page when its own source changes; a chapter's output also
depends on the libraries it imports, which Sphinx does not see. So the build
keeps a hash of the libraries' files, and when it changes, every notebook is
read (and so executed) again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

LIBRARIES = ("attn_core", "attn_book")


def library_hash(root: Path) -> str:
    """A hash of the libraries' files under ``root``: names and contents."""
    digest = hashlib.sha256()
    for library in LIBRARIES:
        for path in sorted((root / library).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                name = path.relative_to(root).as_posix()
                digest.update(name.encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _outdated(app: Any, env: Any, *changes: set) -> list[str]:
    """Every notebook, when the libraries changed since the last build."""
    current = library_hash(Path(app.confdir))
    if getattr(env, "attn_library_hash", None) == current:
        return []
    env.attn_library_hash = current
    docs = env.found_docs
    return [doc for doc in docs if str(env.doc2path(doc)).endswith(".ipynb")]


def setup(app: Any) -> dict[str, Any]:
    app.connect("env-get-outdated", _outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
