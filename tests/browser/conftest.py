"""Fixtures for the browser tests: the built book on 127.0.0.1 and headless Chromium.

The book is served from ``BOOK_HTML_DIR`` (default ``<repo>/_build/html``) by a
threaded ``http.server`` on a free port of 127.0.0.1. Screenshots go to
``<build>/screenshots`` (beside ``html``). Every page is opened in a
fresh browser context whose router aborts (and records) any request to another
host, and which records console errors and uncaught page errors.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
BOOK_HTML = Path(os.environ.get("BOOK_HTML_DIR", REPO / "_build" / "html")).resolve()
# Beside the site, not in it, so a deploy of _build/html does not publish them.
SCREENSHOTS = Path(os.environ.get("BOOK_SCREENSHOTS_DIR", BOOK_HTML.parent / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SKIP_PAGES = {"genindex.html", "search.html"}


def book_pages() -> list[str]:
    """Every HTML page of the built book, relative to its root (no index/search pages)."""
    if not BOOK_HTML.is_dir():
        return []
    pages = []
    for path in sorted(BOOK_HTML.rglob("*.html")):
        rel = path.relative_to(BOOK_HTML)
        # _static, _sources, _images ... hold assets, not pages.
        if rel.parts[0].startswith("_") or rel.name in SKIP_PAGES:
            continue
        pages.append(rel.as_posix())
    return pages


def pages_with(root_class: str) -> list[str]:
    """The pages of the built book holding a component whose root has class ``root_class``
    (its first class, e.g. ``"attn-lookup"``; ``"attn-"``: any component)."""
    return [rel for rel in book_pages() if f'class="{root_class}' in (BOOK_HTML / rel).read_text()]


def book_params(pages: list[str], what: str) -> list[str]:
    """Parameters for a test of every page in ``pages`` (one placeholder, skipped, if none)."""
    return pages or [f"<no {what} in the book>"]


def page_name(rel: str) -> str:
    """The start of a screenshot's name for a page (``book/01_x.html``: ``book__01_x``)."""
    return rel.replace("/", "__")[:-5]


def require_book() -> None:
    if not BOOK_HTML.is_dir():
        pytest.skip(
            f"no built book at {BOOK_HTML}: build it first (scripts/test does), "
            "or point BOOK_HTML_DIR at a build"
        )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def book_url() -> Iterator[str]:
    """Base URL of the built book, served on 127.0.0.1 for the whole session."""
    require_book()
    handler = functools.partial(_QuietHandler, directory=str(BOOK_HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's) for the session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/ensure-chromium installs it")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageLog:
    """What a page did that a reader would not want: outside requests and errors."""

    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


#: The desktop window of the tests (tests.browser.layout.PHONE is the phone).
DESKTOP: dict[str, int] = {"width": 1280, "height": 900}


def open_page(
    browser,
    *,
    color_scheme: str = "light",
    java_script: bool = True,
    viewport: dict[str, int] | None = None,
):
    """A new page in a fresh context, with outside requests blocked and errors logged."""
    context = browser.new_context(
        viewport=viewport or DESKTOP,
        color_scheme=color_scheme,
        java_script_enabled=java_script,
    )
    page = context.new_page()
    log = PageLog()

    def route(route, request) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            log.external.append(request.url)
            route.abort()

    def on_dialog(dialog) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and log.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    page.on("dialog", on_dialog)
    return context, page, log


@pytest.fixture
def new_page(browser):
    """Factory fixture: ``page, log = new_page(color_scheme=..., viewport=...)``; closed after."""
    contexts = []

    def make(**kwargs):
        context, page, log = open_page(browser, **kwargs)
        contexts.append(context)
        return page, log

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def book_page(book_url, new_page):
    """Factory fixture: ``page, log = book_page(rel, pages, what, **new_page_kwargs)`` opens
    page ``rel`` of the built book (skipped when no page of this build, ``pages``,
    holds ``what``)."""

    def open_book_page(rel: str, pages: list[str], what: str, **kwargs):
        if not pages:
            pytest.skip(f"no page of this build contains {what}")
        page, log = new_page(**kwargs)
        page.goto(f"{book_url}/{rel}", wait_until="load")
        return page, log

    return open_book_page


def standalone(page, *components, theme: str = "light", before: str = "", after: str = "") -> None:
    """Show components (anything with ``to_html()``, or HTML) on a page of their own.

    The page is as the book's theme ``theme`` makes it (``data-theme`` on the
    html element and a page background of that theme); ``before`` and
    ``after`` are HTML around the components (e.g. a button to tab from).
    """
    background = "#fff" if theme == "light" else "#111"
    body = "".join(c if isinstance(c, str) else c.to_html() for c in components)
    page.set_content(
        f'<!doctype html><html lang="en" data-theme="{theme}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>standalone</title></head><body style="margin:8px;background:{background}">'
        f"{before}{body}{after}</body></html>"
    )


def elements_from_text(page, selector: str = "b, i") -> list[int]:
    """[images on the page, elements matching ``selector``]: what hostile text would
    have created, had it been parsed as HTML ([0, 0] when it is shown as text)."""
    return page.evaluate(
        "selector => [document.images.length, document.querySelectorAll(selector).length]",
        selector,
    )


def each_component(page, selector: str) -> Iterator[tuple[int, Any]]:
    """(index, locator) of every element matching ``selector`` on the page (at least
    one), each scrolled into view when the loop reaches it."""
    roots = page.locator(selector)
    count = roots.count()
    assert count >= 1, f"no {selector} on the page"
    for i in range(count):
        root = roots.nth(i)
        root.scroll_into_view_if_needed()
        yield i, root


def type_and_submit(root, box: str, button: str, text: str, *, keyboard: bool) -> None:
    """Type ``text`` into the text box ``box`` of a component, then press Enter in it
    (``keyboard``) or click its ``button``."""
    field = root.locator(box)
    field.fill(text)
    if keyboard:
        field.press("Enter")
    else:
        root.locator(button).click()
