"""Every page of the built book, as a reader with no internet sees it.

For each page: no request leaves 127.0.0.1, no console error or uncaught
error, every image loads, every formula arrives typeset (MathJax ran when the
book was built, book/_ext/prerender_math.py: no MathJax script is loaded and
no TeX source is left in the text) with the MathJax fonts loaded, no output
cell is an empty box, and no widget view (which would need a kernel) is left
in the page. The page loads no Font Awesome script (book/_ext/icon_fonts.py)
and every icon is drawn by the Font Awesome web fonts. A full-page screenshot
of each page is kept in ``_build/screenshots/`` (beside the site, so a deploy
does not publish them).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import BOOK_HTML, SCREENSHOTS, book_pages, page_name, require_book

PAGES = book_pages()

PAGE_REPORT_JS = r"""() => ({
  images: Array.from(document.images).map(img => [img.currentSrc || img.src,
    img.complete && img.naturalWidth > 0]),
  math: document.querySelectorAll('div.math, span.math').length,
  typeset: Array.from(document.querySelectorAll('div.math, span.math')).filter(el =>
    el.querySelector(':scope > mjx-container[jax="CHTML"] > mjx-math') !== null).length,
  mathJaxLoaded: typeof window.MathJax !== 'undefined',
  // TeX delimiters left in the article's text, outputs included (code and
  // scripts excluded): nothing typesets them in the browser any more.
  rawTex: (() => {
    const article = document.querySelector('article');
    if (!article) { return []; }
    const walk = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walk.nextNode()) {
      const text = walk.currentNode.nodeValue;
      if (!walk.currentNode.parentElement.closest('pre, code, script, style') &&
          /\\\(|\\\[|\$\$|\\begin\{/.test(text)) { found.push(text.slice(0, 80)); }
    }
    return found;
  })(),
  mathFonts: Array.from(document.fonts).filter(f => f.family.startsWith('MJXTEX'))
    .map(f => [f.family, f.status]),
  widgetViews: document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"], .jupyter-widgets').length,
  emptyOutputs: Array.from(document.querySelectorAll('.cell_output')).filter(out =>
    out.textContent.trim().length === 0 &&
    out.querySelector('img, svg, table, canvas, .attn-explorer') === null
  ).map(out => out.outerHTML.slice(0, 200)),
  theme: document.documentElement.dataset.theme,
})"""


# Every Font Awesome icon in the page: its class, size, and whether the web
# font draws its glyph. A glyph missing from the font falls back to another
# font: on a canvas, the icon font then measures as wide as the fallback alone.
ICONS_JS = """() => Array.from(document.querySelectorAll('i[class*="fa-"]')).map(el => {
  const style = getComputedStyle(el, '::before');
  const glyph = style.content.replace(/^"|"$/g, '');
  const ctx = document.createElement('canvas').getContext('2d');
  const font = `${style.fontWeight} 40px ${style.fontFamily}`;
  ctx.font = `${font}, monospace`;
  const width = ctx.measureText(glyph).width;
  ctx.font = '40px monospace';
  const fallback = ctx.measureText(glyph).width;
  const box = el.getBoundingClientRect();
  return {icon: el.className, family: style.fontFamily, glyph: glyph.length === 1,
    drawn: width !== fallback, visible: el.offsetParent !== null, width: box.width,
    loaded: document.fonts.check(font, glyph)};
})"""

# Scripts the book must not load: Font Awesome's SVG script (1.5 MB) and MathJax.
HEAVY_SCRIPTS = ("fontawesome", "mathjax", "tex-chtml", "tex-svg", "tex-mml")


@pytest.mark.parametrize("rel", PAGES or ["<no built book>"])
def test_page_is_offline_clean_and_complete(rel, book_url, new_page):
    require_book()
    source = (BOOK_HTML / rel).read_text()
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', source)
    if redirect:
        # index.html only redirects to the first chapter, which is tested itself.
        assert (BOOK_HTML / rel).parent.joinpath(redirect.group(1)).is_file()
        return
    page, log = new_page()
    scripts: list[str] = []
    page.on(
        "request",
        lambda request: request.resource_type == "script" and scripts.append(request.url),
    )
    page.goto(f"{book_url}/{rel}", wait_until="load")
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    report = page.evaluate(PAGE_REPORT_JS)
    icons = page.evaluate(ICONS_JS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{page_name(rel)}.png"), full_page=True)

    assert log.external == [], f"{rel} tried to reach outside 127.0.0.1: {log.external}"
    assert log.console_errors == [], f"{rel} console errors: {log.console_errors}"
    assert log.page_errors == [], f"{rel} uncaught errors: {log.page_errors}"
    broken = [src for src, ok in report["images"] if not ok]
    assert broken == [], f"{rel} has broken images: {broken}"
    assert report["typeset"] == report["math"], (
        f"{rel}: {report['math']} math elements but {report['typeset']} typeset at build time"
    )
    assert report["rawTex"] == [], f"{rel} shows TeX source: {report['rawTex']}"
    assert not report["mathJaxLoaded"], f"{rel} loads MathJax in the browser"
    heavy = [url for url in scripts if any(name in url.lower() for name in HEAVY_SCRIPTS)]
    assert heavy == [], f"{rel} loads {heavy}"
    if report["math"]:
        assert report["mathFonts"], f"{rel} has math but no MathJax font face"
        assert all(status != "error" for _, status in report["mathFonts"]), (
            f"{rel}: a MathJax font failed to load: {report['mathFonts']}"
        )
    assert icons, f"{rel} has no Font Awesome icon (the header buttons have them)"
    missing = [i for i in icons if not (i["glyph"] and i["drawn"] and i["loaded"])]
    assert missing == [], f"{rel}: icons not drawn by the Font Awesome fonts: {missing}"
    hidden = [i["icon"] for i in icons if i["visible"] and i["width"] == 0]
    assert hidden == [], f"{rel}: icons with no width: {hidden}"
    assert report["widgetViews"] == 0, f"{rel} still contains a widget view needing a kernel"
    assert report["emptyOutputs"] == [], f"{rel} has empty outputs: {report['emptyOutputs']}"


def test_book_has_pages():
    require_book()
    assert PAGES, f"no HTML pages found under {BOOK_HTML}"
    assert any(p.endswith("intro.html") for p in PAGES)
