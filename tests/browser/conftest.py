"""Fixtures for the browser tests: headless Chromium (Debian's), pages with nothing
outside the machine reachable, the built book on 127.0.0.1, and axe-core.

Every page opens in a fresh context whose router aborts (and records) any request
to another host, and which records console errors and uncaught page errors.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
BOOK_HTML = Path(os.environ.get("BOOK_HTML_DIR", REPO / "_build" / "html")).resolve()
SCREENSHOTS = BOOK_HTML.parent / "screenshots"  # beside the site, so a deploy does not publish them
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Log:
    """What a page did that a reader would not want."""

    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def clean(self) -> bool:
        return not self.external and not self.errors


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """``page, log = new_page(viewport=..., color_scheme=...)``: offline, errors logged."""
    contexts = []

    def make(viewport: dict | None = None, **options):
        context = browser.new_context(viewport=viewport or DESKTOP, **options)
        contexts.append(context)
        page, log = context.new_page(), Log()

        def route(route, request) -> None:
            local = urlparse(request.url).hostname in (None, "", "127.0.0.1")
            if request.url.startswith(("data:", "blob:", "about:", "file:")) or local:
                route.continue_()
            else:
                log.external.append(request.url)
                route.abort()

        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and log.errors.append(m.text))
        page.on("pageerror", lambda e: log.errors.append(str(e)))
        return page, log

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def book_url():
    """The built book, served on 127.0.0.1 for the session (skipped when not built)."""
    if not BOOK_HTML.is_dir():
        pytest.skip(f"no built book at {BOOK_HTML} (scripts/test builds it)")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(BOOK_HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def show(page, *outputs, theme: str = "light") -> None:
    """Show notebook outputs (with a mime bundle, or HTML) on a page in the book's theme."""
    html = []
    for out in outputs:
        bundle = out if isinstance(out, str) else out._repr_mimebundle_()
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        html.append(bundle if isinstance(bundle, str) else bundle["text/html"])
    background = "#fff" if theme == "light" else "#121212"
    page.set_content(
        f'<!doctype html><html lang="en" data-theme="{theme}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>views</title>'
        f'</head><body style="background:{background}"><main>{"".join(html)}</main></body></html>'
    )
    page.wait_for_function("() => !document.querySelector('.attn-fallback')")


def audit(page, selector: str = "html") -> list[str]:
    """axe-core's serious and critical violations under ``selector`` (WCAG 2.2 A/AA and
    best practices), one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
    result = page.evaluate(
        "async ([selector, tags]) => (await axe.run(document.querySelectorAll(selector),"
        " {runOnly: {type: 'tag', values: tags}})).violations",
        [selector, tags],
    )
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in result
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


def compute_in_page(page, name: str, state: dict, data: dict) -> dict:
    """Run view ``name``'s ``compute(state, data)`` in ``page``; arrays come back as lists."""
    from attn_book.views import _data_url, _for_page, module

    return page.evaluate(
        """async ([src, state, data]) => {
          const out = (await import(src)).compute(state, data);
          return JSON.parse(JSON.stringify(out, (key, value) =>
            ArrayBuffer.isView(value) ? Array.from(value) : value));
        }""",
        [_data_url(module(name)), _for_page(state), _for_page(data)],
    )
