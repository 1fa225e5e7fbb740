"""Every page of the built book, as a reader with no internet sees it, on a desktop and a phone.

Each page: nothing requested outside 127.0.0.1, no console error, every image
loaded and described (alt text that says what it shows, not a file name), every
formula typeset at build time (no MathJax script, no TeX left in the text, its
fonts loaded), every icon drawn by the cut-down Font Awesome fonts (no Font
Awesome script), every view started (none left showing its fallback), no output
box left empty, no horizontal scrolling at 390 px, and axe-core finding no
serious or critical violation on the whole page, in the light and dark themes.
A screenshot of each page is kept in ``_build/screenshots/``.
"""

from __future__ import annotations

import pytest

from .conftest import BOOK_HTML, PHONE, SCREENSHOTS, audit

PAGES = sorted(
    p.relative_to(BOOK_HTML).as_posix()
    for p in BOOK_HTML.rglob("*.html")
    if not p.relative_to(BOOK_HTML).parts[0].startswith("_")
    and p.name not in ("genindex.html", "search.html", "index.html")
)
CHAPTERS = [p for p in PAGES if p.split("/")[-1][:2].isdigit()]

REPORT = r"""() => ({
  images: Array.from(document.querySelectorAll('article img')).map(img =>
    [img.getAttribute('src'), img.complete && img.naturalWidth > 0, img.getAttribute('alt') || '']),
  math: document.querySelectorAll('div.math, span.math').length,
  typeset: document.querySelectorAll(
    'div.math > mjx-container[jax="CHTML"], span.math > mjx-container[jax="CHTML"]').length,
  rawTex: Array.from(document.querySelectorAll('article p, article li')).map(e => e.textContent)
    .filter(t => /\\\(|\\\[|\$\$|\\begin\{/.test(t)).map(t => t.slice(0, 80)),
  mathFontErrors: Array.from(document.fonts).filter(f => f.status === 'error').map(f => f.family),
  scripts: Array.from(document.scripts).map(s => s.src).filter(s =>
    /fontawesome|mathjax|tex-chtml/i.test(s)),
  icons: Array.from(document.querySelectorAll('i[class*="fa-"]')).filter(el => {
    const style = getComputedStyle(el, '::before');
    const font = `${style.fontWeight} 16px ${style.fontFamily}`;
    const glyph = style.content.replace(/^"|"$/g, '');
    return el.offsetParent !== null && !document.fonts.check(font, glyph);
  }).map(el => el.className),
  fallbacks: document.querySelectorAll('.attn-fallback').length,
  views: document.querySelectorAll('.attn-view').length,
  emptyOutputs: Array.from(document.querySelectorAll('.cell_output')).filter(out =>
    !out.textContent.trim() && !out.querySelector('img, svg, canvas, table, .attn-view')).length,
  width: document.documentElement.scrollWidth,
})"""


@pytest.mark.parametrize("rel", PAGES or ["<no built book>"])
@pytest.mark.parametrize("theme, viewport", [("light", None), ("dark", PHONE)])
def test_page_as_a_reader_sees_it(book_url, new_page, rel, theme, viewport):
    page, log = new_page(viewport=viewport, color_scheme=theme)
    page.goto(f"{book_url}/{rel}", wait_until="networkidle")
    page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    page.evaluate("document.fonts.ready.then(() => true)")
    report = page.evaluate(REPORT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = f"{rel.replace('/', '__')[:-5]}-{theme}-{(viewport or {'width': 1280})['width']}.png"
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)

    assert log.clean(), log
    assert all(loaded for _, loaded, _ in report["images"]), report["images"]
    undescribed = [src for src, _, alt in report["images"] if len(alt) < 20 or alt.endswith(".png")]
    assert undescribed == [], f"images without a description: {undescribed}"
    assert report["typeset"] == report["math"] and report["rawTex"] == [], report["rawTex"]
    assert report["mathFontErrors"] == [] and report["scripts"] == [] and report["icons"] == []
    assert report["fallbacks"] == 0, "a view did not start"
    assert report["emptyOutputs"] == 0
    assert report["width"] <= (viewport or {"width": 1280})["width"], "the page scrolls sideways"
    assert audit(page) == []


def test_every_chapter_has_its_views():
    for rel in CHAPTERS:
        html = (BOOK_HTML / rel).read_text()
        assert html.count('class="attn-root"') >= 2, rel  # an explorer and a question at least
