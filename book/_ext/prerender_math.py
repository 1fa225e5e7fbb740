"""Sphinx extension: typeset every formula with MathJax when the book is built.

The pages then contain finished MathJax CommonHTML (the same output MathJax 3
produces in the browser, with the hidden MathML screen readers read) and load
no MathJax script: a first visit saves the 1.2 MB ``tex-chtml.js`` bundle,
and math shows before any script runs, or with JavaScript off.

How: an HTML math renderer (``html_math_renderer = "mathjax_prerender"``)
sends the TeX of each inline and display formula to one Node.js process
running ``book/_ext/mathjax_prerender.js`` (MathJax 3.2.2 from npm,
``npm ci`` installs it from ``package-lock.json``). The wrapping elements are
those of ``sphinx.ext.mathjax`` (``span.math`` / ``div.math``, equation
numbers and their permalinks); display math is built into one TeX string the
way ``sphinx.ext.mathjax`` builds it. At the end of the build the stylesheet
for every formula of every document (read back from the environment, so an
incremental build that rewrites a few pages still gets a complete sheet) is
written to ``_static/prerendered-math/mathjax-chtml.css``, next to the
MathJax fonts it names (``woff-v2/``); the browser fetches only the fonts a
page uses.

A TeX error (an unknown macro, a missing brace) is a Sphinx warning naming the
document and the formula, so the strict build (``-W``) fails on it; the page
then shows the TeX source instead of the formula.
"""

from __future__ import annotations

import atexit
import html
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

RENDERER = "mathjax_prerender"
HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "mathjax_prerender.js"
STATIC_DIR = "prerendered-math"
STYLESHEET = f"{STATIC_DIR}/mathjax-chtml.css"
FONT_DIR = "woff-v2"
INSTALL_HINT = (
    "install Node.js (18 or newer) and run `npm ci` in the repository root"
)


class MathJaxProcess:
    """One ``node mathjax_prerender.js`` process, started on first use.

    Each distinct formula is typeset once (replies are cached); the process
    remembers the characters of every formula it typeset until it is asked
    for the stylesheet.

    Parameters
    ----------
    root : Path
        Directory whose ``node_modules`` holds ``mathjax-full``.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._proc: subprocess.Popen[str] | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._replies: dict[tuple[str, bool], dict[str, str]] = {}
        # Formulas the running process typeset since its last stylesheet.
        self._in_sheet: set[tuple[str, bool]] = set()

    def _start(self) -> subprocess.Popen[str]:
        # A forked Sphinx worker (parallel build) starts its own process.
        if (
            self._proc is None
            or self._pid != os.getpid()
            or self._proc.poll() is not None
        ):
            node = shutil.which("node")
            if node is None:
                raise ExtensionError(
                    f"prerender_math: Node.js (`node`) not found; "
                    f"{INSTALL_HINT}"
                )
            self._proc = subprocess.Popen(
                [node, str(SCRIPT)],
                cwd=self.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
            self._pid = os.getpid()
            self._in_sheet = set()
        return self._proc

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request, return the decoded reply."""
        with self._lock:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        if not line:
            raise ExtensionError(
                "prerender_math: the MathJax process ended early; "
                f"{INSTALL_HINT}"
            )
        return json.loads(line)

    def typeset(self, tex: str, display: bool) -> dict[str, str]:
        """``{"html": ...}`` for a formula, ``{"error": ...}`` if TeX fails."""
        key = (tex, display)
        if key not in self._replies or key not in self._in_sheet:
            self._replies[key] = self.ask({"tex": tex, "display": display})
            self._in_sheet.add(key)
        return self._replies[key]

    def stylesheet(
        self, formulas: Iterable[tuple[str, bool]], fonts: str
    ) -> str:
        """The CSS for ``formulas`` and all typeset before it.

        ``fonts`` is the URL of the MathJax woff fonts, relative to the sheet.
        """
        for tex, display in formulas:
            self.typeset(tex, display)
        self._in_sheet = set()
        return self.ask({"css": True, "fontURL": fonts})["css"]

    def close(self) -> None:
        """Stop the process (if this Python process started it)."""
        if (
            self._proc is not None
            and self._pid == os.getpid()
            and self._proc.poll() is None
        ):
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None


def _mathjax(app: Sphinx) -> MathJaxProcess:
    return app._prerender_math  # type: ignore[attr-defined]


def display_tex(node: nodes.math_block) -> str:
    """The TeX of a display formula, joined as ``sphinx.ext.mathjax`` joins it.

    Blank-line-separated parts become rows of one ``align``/``aligned``; a part
    with ``\\\\`` is wrapped in ``split``; ``nowrap`` content (e.g. an amsmath
    environment) is used as it is.
    """
    if node["nowrap"]:
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [
        rf"\begin{{split}}{p}\end{{split}}" if r"\\" in p else p for p in parts
    ]
    if len(parts) > 1:
        return (
            r"\begin{align}\begin{aligned}"
            + r"\\".join(parts)
            + r"\end{aligned}\end{align}"
        )
    return parts[0] if parts else ""


def typeset(
    translator: Any, node: nodes.Element, tex: str, display: bool
) -> str:
    """MathJax CommonHTML for ``tex``.

    On a TeX error: a warning (an error under ``-W``) and the escaped source.
    """
    reply = _mathjax(translator.builder.app).ask(
        {"tex": tex, "display": display}
    )
    if "html" in reply:
        return reply["html"]
    logger.warning(
        "TeX error in %s formula %r: %s",
        "display" if display else "inline",
        tex,
        reply["error"],
        location=node,
    )
    return html.escape(tex)


def visit_inline(self: Any, node: nodes.math) -> None:
    self.body.append(
        self.starttag(node, "span", "", CLASS="math notranslate nohighlight")
    )
    self.body.append(
        typeset(self, node, node.astext(), display=False) + "</span>"
    )
    raise nodes.SkipNode


def visit_display(self: Any, node: nodes.math_block) -> None:
    self.body.append(
        self.starttag(node, "div", CLASS="math notranslate nohighlight")
    )
    if node["number"] and not node["nowrap"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(typeset(self, node, display_tex(node), display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def _check_install(app: Sphinx) -> None:
    if (
        app.builder.format != "html"
        or app.builder.math_renderer_name != RENDERER
    ):
        return
    package = (
        Path(app.confdir) / "node_modules" / "mathjax-full" / "package.json"
    )
    if not package.is_file():
        raise ExtensionError(
            f"prerender_math: {package} not found; {INSTALL_HINT}"
        )
    app.add_css_file(STYLESHEET)


def _write_stylesheet(app: Sphinx, exception: Exception | None) -> None:
    """Write the stylesheet for every formula of the book; copy the fonts."""
    mathjax = _mathjax(app)
    try:
        if exception is not None or app.builder.format != "html":
            return
        if app.builder.math_renderer_name != RENDERER:
            return
        formulas = []
        for docname in sorted(app.env.found_docs):
            doctree = app.env.get_doctree(docname)
            formulas += [
                (n.astext(), False) for n in doctree.findall(nodes.math)
            ]
            formulas += [
                (display_tex(n), True)
                for n in doctree.findall(nodes.math_block)
            ]
        css = mathjax.stylesheet(formulas, FONT_DIR)
        target = Path(app.outdir) / "_static" / STATIC_DIR
        target.mkdir(parents=True, exist_ok=True)
        (target / "mathjax-chtml.css").write_text(css, encoding="utf-8")
        fonts = (
            Path(app.confdir)
            / "node_modules/mathjax-full/es5/output/chtml/fonts/woff-v2"
        )
        shutil.copytree(fonts, target / FONT_DIR, dirs_exist_ok=True)
    finally:
        mathjax.close()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer(
        RENDERER, (visit_inline, None), (visit_display, None)
    )
    app._prerender_math = process = MathJaxProcess(Path(app.confdir))  # type: ignore[attr-defined]
    atexit.register(process.close)
    app.connect("builder-inited", _check_install)
    app.connect("build-finished", _write_stylesheet)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
