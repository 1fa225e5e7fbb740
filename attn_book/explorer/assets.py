"""The kernel-free components' JavaScript and CSS, read from the package's real .js and .css files.

The files ship as package data (see pyproject.toml), so any install of the
book's distribution, including ``pip install git+...`` in Colab, carries them;
:func:`asset` reads them with :mod:`importlib.resources` and the components
inline them into the page.

Every component of :data:`COMPONENTS` (the attention explorer, the "predict,
then check" question, the translator, the induction explorer) is one root
element of class ``root_class`` whose parts' classes start with ``prefix``
(e.g. ``attn-explorer`` and ``ae-``), and brings:

- a stylesheet, :func:`stylesheet`: ``base.css`` (the colours of both
  themes, the box, the controls, the focus ring, the containment every
  component shares), written for that root class and prefix, then the
  component's own file, which may override any of it;
- an engine, :func:`engine_js`: ``common.js`` (DOM helpers, the start of
  every root on the page) and the component's parts (``weights.js`` first for
  a component that shows weights: the colour ramp, a canvas of weights, a
  stable softmax), joined in order inside one wrapper that defines
  ``engine``, the object every part adds its functions to. A page, or a
  JupyterLab session, keeps one engine per component in
  ``window[global_name]``; its ``version`` is a hash of what it is made of
  (:func:`engine_version`), so an engine from an older release of the book
  already on the page is replaced, never reused, and nobody bumps a number by
  hand.

The shared files (:data:`SHARED`) go into every fragment, several times on a
page, so they are inlined without their comments (:func:`inline`); a
component's own files are inlined as they are.

The JavaScript and CSS files are linted and formatted by Biome
(``package.json``; ``scripts/test`` and pre-commit run it).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib.resources import files
from typing import NamedTuple

#: The attention explorer's own parts, in the order they are joined (each may use
#: the ones before it).
ENGINE_PARTS: tuple[str, ...] = (
    "state.js",  # the state of one explorer, its attention maths
    "tokens.js",  # text -> tokens -> vectors, as attn_book.tokens does it
    "controls.js",  # the menus, the sentence box and the token buttons
    "bars.js",  # per-token elements: query buttons, key labels, the bars of one row
    "table_view.js",  # up to 16 positions: a table that writes each weight
    "canvas_view.js",  # more positions: a canvas with one square per weight
    "app.js",  # one explorer: build it, render it on every change
)

#: What every engine starts with, and what every stylesheet starts with.
COMMON_JS = "common.js"
BASE_CSS = "base.css"
#: What the engines of the components that show weights start with (after common.js).
WEIGHTS_JS = "weights.js"
#: The files that more than one component inlines.
SHARED: frozenset[str] = frozenset({COMMON_JS, BASE_CSS, WEIGHTS_JS})
#: The root class and the prefix ``base.css`` is written for (replaced per component).
BASE_ROOT, BASE_PREFIX = "attn-fragment", "af"


class Component(NamedTuple):
    """What one kind of kernel-free component is made of."""

    root_class: str  #: the class of its root element, e.g. ``"attn-explorer"``
    prefix: str  #: what its parts' classes start with (before ``-``), e.g. ``"ae"``
    global_name: str  #: where a page keeps its engine, e.g. ``"__attnExplorer"``
    parts: tuple[str, ...]  #: its JavaScript files, in order (after common.js)
    css: str  #: its own stylesheet (after base.css)


#: Every kind of component, by name.
COMPONENTS: dict[str, Component] = {
    "explorer": Component(
        "attn-explorer", "ae", "__attnExplorer", (WEIGHTS_JS, *ENGINE_PARTS), "explorer.css"
    ),
    "question": Component(
        "attn-question", "aq", "__attnQuestion", ("question.js",), "question.css"
    ),
    "translator": Component(
        "attn-translator",
        "at",
        "__attnTranslator",
        (WEIGHTS_JS, "translation.js"),
        "translation.css",
    ),
    "induction": Component(
        "attn-induction", "ai", "__attnInduction", (WEIGHTS_JS, "induction.js"), "induction.css"
    ),
}

# The wrapper: a private scope, and one engine per page (replaced when its version differs).
_BEGIN = """(() => {
  "use strict";
  const ENGINE_VERSION = "%(version)s";
  let engine = window.%(global_name)s;
  if (!engine || engine.version !== ENGINE_VERSION) {
    engine = { version: ENGINE_VERSION, rootClass: "%(root_class)s", prefix: "%(prefix)s" };
    window.%(global_name)s = engine;
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


# Comments of the shared files: CSS /* ... */, and JavaScript lines that are
# nothing but a // comment or part of a /** ... */ block (Biome keeps both on
# lines of their own in these files).
_CSS_COMMENT = re.compile(r"/\*.*?\*/\n?", re.S)
_JS_COMMENT = re.compile(r"^[ \t]*(?://[^\n]*|/\*\*?(?:[^*]|\*(?!/))*\*/)[ \t]*\n", re.M)


@cache
def inline(name: str) -> str:
    """One asset as the page receives it: a shared file (:data:`SHARED`) without its
    comments, any other file as it is.

    Examples
    --------
    >>> "/*" in inline("base.css") or "//" in inline("common.js")
    False
    """
    text = asset(name)
    if name not in SHARED:
        return text
    if name.endswith(".css"):
        return _CSS_COMMENT.sub("", text)
    return _JS_COMMENT.sub("", text)


def _component(name: str) -> Component:
    if name not in COMPONENTS:
        raise ValueError(f"component must be one of {sorted(COMPONENTS)}, got {name!r}")
    return COMPONENTS[name]


def _begin(component: Component, version: str) -> str:
    return _BEGIN % {**component._asdict(), "version": version}


@cache
def engine_version(name: str = "explorer") -> str:
    """A hash of one component's engine: changes whenever any of its parts changes.

    Parameters
    ----------
    name : str
        A key of :data:`COMPONENTS`.
    """
    component = _component(name)
    digest = hashlib.sha256()
    for part in (COMMON_JS, *component.parts):
        digest.update(part.encode() + b"\0" + asset(part).encode() + b"\0")
    digest.update((_begin(component, "") + _END).encode())
    return digest.hexdigest()[:16]


@cache
def engine_js(name: str = "explorer") -> str:
    """One component's whole engine: common.js and its parts, in order, inside one wrapper.

    Parameters
    ----------
    name : str
        A key of :data:`COMPONENTS` (default: the attention explorer).
    """
    component = _component(name)
    parts = "".join(f"// ---- {part}\n{inline(part)}" for part in (COMMON_JS, *component.parts))
    return _begin(component, engine_version(name)) + parts + _END


@cache
def stylesheet(name: str = "explorer") -> str:
    """One component's stylesheet: base.css for its root class and prefix, then its own.

    Parameters
    ----------
    name : str
        A key of :data:`COMPONENTS` (default: the attention explorer).

    Examples
    --------
    >>> ".attn-question .aq-title" in stylesheet("question")
    True
    """
    component = _component(name)
    base = (
        inline(BASE_CSS)
        .replace(BASE_ROOT, component.root_class)
        .replace(f".{BASE_PREFIX}-", f".{component.prefix}-")
    )
    return base + asset(component.css)
