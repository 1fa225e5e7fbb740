"""The explorer's JavaScript and CSS, read from the package's real .js and .css files.

The files ship as package data (see pyproject.toml), so any install of the
book's distribution, including ``pip install git+...`` in Colab, carries them;
:func:`asset` reads them with :mod:`importlib.resources` and the explorers
inline them into the page.

The JavaScript engine is written in parts, one file each, linted and
formatted by Biome (``package.json``; ``scripts/test`` and pre-commit run it).
:func:`engine_js` joins them in the order of :data:`ENGINE_PARTS` inside one
wrapper that defines ``engine``, the object every part adds its functions to.
A page, or a JupyterLab session, keeps one engine in
``window.__attnExplorer``; its ``version`` is a hash of the parts
(:func:`engine_version`), so an engine from an older release of the book
already on the page is replaced, never reused, and nobody bumps a number by hand.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files

#: The engine's parts, in the order they are joined (each may use the ones before it).
ENGINE_PARTS: tuple[str, ...] = (
    "state.js",  # the state of one explorer, its attention maths, the colour of a weight
    "controls.js",  # DOM helpers, the menus and the token buttons
    "bars.js",  # per-token elements: query buttons, key labels, the bars of one row
    "table_view.js",  # up to 16 positions: a table that writes each weight
    "canvas_view.js",  # more positions: a canvas with one square per weight
    "app.js",  # one explorer: build, render on every change, start every explorer on the page
)

# The wrapper: a private scope, and one engine per page (replaced when its version differs).
_BEGIN = """(() => {
  "use strict";
  const ENGINE_VERSION = "%s";
  let engine = window.__attnExplorer;
  if (!engine || engine.version !== ENGINE_VERSION) {
    engine = { version: ENGINE_VERSION };
    window.__attnExplorer = engine;
"""
_END = """  }
  engine.startAll();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", engine.startAll);
  }
})();
"""


@cache
def asset(name: str) -> str:
    """The text of one asset file of this package, e.g. ``"explorer.css"``.

    Raises
    ------
    FileNotFoundError
        If the package holds no file of that name.
    """
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def engine_version() -> str:
    """A hash of the engine's parts: changes whenever any of them changes."""
    digest = hashlib.sha256()
    for name in ENGINE_PARTS:
        digest.update(name.encode() + b"\0" + asset(name).encode() + b"\0")
    digest.update((_BEGIN + _END).encode())
    return digest.hexdigest()[:16]


@cache
def engine_js() -> str:
    """The whole engine: the parts of :data:`ENGINE_PARTS`, in order, inside one wrapper."""
    parts = "".join(f"// ---- {name}\n{asset(name)}" for name in ENGINE_PARTS)
    return _BEGIN % engine_version() + parts + _END
