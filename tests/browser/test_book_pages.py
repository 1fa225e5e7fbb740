"""Every page of the built book, as a reader with no internet sees it.

For each page: no request leaves 127.0.0.1, no console error or uncaught
error, every image loads, math is typeset by the locally served MathJax, no
output cell is an empty box, and no widget view (which would need a kernel)
is left in the page. A full-page screenshot of each page is kept in
``_build/screenshots/`` (beside the site, so a deploy does not publish them).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import BOOK_HTML, SCREENSHOTS, book_pages, require_book

PAGES = book_pages()

PAGE_REPORT_JS = """() => ({
  images: Array.from(document.images).map(img => [img.currentSrc || img.src,
    img.complete && img.naturalWidth > 0]),
  math: document.querySelectorAll('div.math, span.math').length,
  typeset: document.querySelectorAll('mjx-container').length,
  widgetViews: document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"], .jupyter-widgets').length,
  emptyOutputs: Array.from(document.querySelectorAll('.cell_output')).filter(out =>
    out.textContent.trim().length === 0 &&
    out.querySelector('img, svg, table, canvas, .attn-explorer') === null
  ).map(out => out.outerHTML.slice(0, 200)),
  theme: document.documentElement.dataset.theme,
})"""


MATHJAX_DONE_JS = """() => (window.MathJax && MathJax.startup && MathJax.startup.promise)
  ? MathJax.startup.promise.then(() => true) : false"""


def wait_for_math(page, expected: int) -> None:
    """Wait until MathJax (served from the build) has typeset the page."""
    if expected:
        page.wait_for_function("() => window.MathJax && MathJax.startup", timeout=15_000)
        page.evaluate(MATHJAX_DONE_JS)


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
    page.goto(f"{book_url}/{rel}", wait_until="load")
    wait_for_math(page, page.evaluate(PAGE_REPORT_JS)["math"])
    page.wait_for_load_state("networkidle")
    report = page.evaluate(PAGE_REPORT_JS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / (rel.replace("/", "__")[:-5] + ".png")), full_page=True)

    assert log.external == [], f"{rel} tried to reach outside 127.0.0.1: {log.external}"
    assert log.console_errors == [], f"{rel} console errors: {log.console_errors}"
    assert log.page_errors == [], f"{rel} uncaught errors: {log.page_errors}"
    broken = [src for src, ok in report["images"] if not ok]
    assert broken == [], f"{rel} has broken images: {broken}"
    assert report["typeset"] >= report["math"], (
        f"{rel}: {report['math']} math elements but {report['typeset']} typeset by MathJax"
    )
    assert report["widgetViews"] == 0, f"{rel} still contains a widget view needing a kernel"
    assert report["emptyOutputs"] == [], f"{rel} has empty outputs: {report['emptyOutputs']}"


def test_book_has_pages():
    require_book()
    assert PAGES, f"no HTML pages found under {BOOK_HTML}"
    assert any(p.endswith("intro.html") for p in PAGES)
