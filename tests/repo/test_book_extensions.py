"""The book's local Sphinx extensions that keep pages light (book/_ext/).

prerender_math typesets formulas with MathJax under Node.js at build time
(these tests need ``node`` and ``npm ci``'s ``node_modules``, which
``scripts/test`` installs first); icon_fonts keeps only the Font Awesome glyphs
the book uses. The browser tests check the built book itself.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from docutils import nodes

ROOT = Path(__file__).resolve().parents[2]
EXT = ROOT / "book" / "_ext"
sys.path.insert(0, str(EXT))

import icon_fonts  # noqa: E402
import prerender_math  # noqa: E402

needs_mathjax = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "mathjax-full").is_dir(),
    reason="needs Node.js and `npm ci` (scripts/test installs both)",
)


def test_icon_glyphs_are_those_named_by_pages_and_theme_rules():
    css = (
        '.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}'
        '.fa-github:before{content:"\\f09b"}'
        '.fa-rocket:before{content:"\\f135"}'
        '.toc:after{content:"\\f107";font-family:Font Awesome\\ 6 Free}'
        '@media (min-width:1px){.fa-list:before{content:"\\f03a"}}'
    )
    pages = ['<i class="fa-solid fa-navicon"></i>', 'el.className = "fab fa-github"']
    assert icon_fonts.glyphs_to_keep([css], pages) == {0xF0C9, 0xF09B, 0xF107}


def test_display_tex_joins_parts_like_sphinx_mathjax():
    def block(text: str, nowrap: bool = False) -> nodes.math_block:
        return nodes.math_block(text, text, nowrap=nowrap, number=None)

    assert prerender_math.display_tex(block("a = b")) == "a = b"
    assert prerender_math.display_tex(block(r"a \\ b")) == (r"\begin{split}a \\ b\end{split}")
    assert prerender_math.display_tex(block("a\n\nb")) == (
        r"\begin{align}\begin{aligned}a\\b\end{aligned}\end{align}"
    )
    env = r"\begin{align}a&=b\end{align}"
    assert prerender_math.display_tex(block(env, nowrap=True)) == env


@needs_mathjax
def test_mathjax_process_typesets_reports_errors_and_writes_css():
    mathjax = prerender_math.MathJaxProcess(ROOT)
    try:
        inline = mathjax.typeset(r"\sqrt{d_k}", display=False)
        assert inline["html"].startswith('<mjx-container class="MathJax" jax="CHTML"')
        assert "font-size: 127.3%" in inline["html"]
        assert "<mjx-assistive-mml" in inline["html"]
        display = mathjax.typeset(r"\frac{a}{b}", display=True)
        assert 'display="true"' in display["html"]
        assert mathjax.typeset(r"\nosuchmacro", display=False) == {
            "error": "Undefined control sequence \\nosuchmacro"
        }
        assert "error" in mathjax.typeset("x^{", display=False)
        css = mathjax.stylesheet([("y", False)], "fonts")
        assert 'src: url("fonts/MathJax_Main-Regular.woff")' in css
        for glyph in ("mjx-c221A", "mjx-c1D451", "mjx-c1D466"):  # sqrt, d, y
            assert f"mjx-c.{glyph}" in css
    finally:
        mathjax.close()


def _build(tmp_path: Path, body: str) -> tuple[int, Path, str]:
    from sphinx.cmd.build import build_main

    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "node_modules").symlink_to(ROOT / "node_modules")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXT)!r})\n"
        'extensions = ["prerender_math"]\n'
        'html_math_renderer = "mathjax_prerender"\n'
        'exclude_patterns = ["node_modules"]\n'
    )
    (src / "index.rst").write_text(f"Title\n=====\n\n{body}\n")
    out = tmp_path / "out"
    warnings = tmp_path / "warnings.txt"
    status = build_main(["-W", "-q", "-b", "html", str(src), str(out), "-w", str(warnings)])
    return status, out, warnings.read_text()


@needs_mathjax
def test_strict_build_typesets_math_and_fails_on_a_tex_error(tmp_path):
    status, out, warnings = _build(
        tmp_path / "good", "Inline :math:`x^2`.\n\n.. math::\n   :label: e\n\n   y = 1"
    )
    assert status == 0, warnings
    page = (out / "index.html").read_text()
    assert page.count('<mjx-container class="MathJax" jax="CHTML"') == 2
    assert "MathJax" not in "".join(line for line in page.splitlines() if "<script" in line)
    assert '<span class="eqno">(1)' in page
    assert "prerendered-math/mathjax-chtml.css" in page
    css = (out / "_static/prerendered-math/mathjax-chtml.css").read_text()
    assert "mjx-c.mjx-c1D465" in css  # x
    assert (out / "_static/prerendered-math/woff-v2/MathJax_Main-Regular.woff").is_file()

    status, _, warnings = _build(tmp_path / "bad", r"Inline :math:`\nosuchmacro`.")
    assert status != 0
    assert "TeX error in inline formula" in warnings and "nosuchmacro" in warnings
