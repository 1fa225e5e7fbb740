"""Bytes a first visit to each page of the built book transfers (target: <= 2 MB).

Serves a built book (default ``_build/html``; pass another ``.../_build/html``)
on 127.0.0.1 and opens every page (each chapter, the introduction and the
references; not the search and index pages, nor ``index.html``, which only
redirects) in a fresh headless Chromium context, so nothing is cached, with
every request to another host aborted and counted. Chromium is Debian's
(``/usr/bin/chromium --headless --no-sandbox --disable-gpu
--disable-background-networking``, through Playwright). After the ``load``
event it waits for MathJax to finish typesetting if the page has MathJax,
scrolls to the bottom (so anything loaded late or lazily is counted) and waits
until the network is idle.

For every response it records the body size in bytes as served here: the
local server does not compress, so this is the uncompressed size, the most a
visit can transfer. It also computes what a host that gzips text (GitHub
Pages does, for HTML, CSS, JavaScript, JSON and SVG) would transfer:
``gzip -6`` of each text body, and images and fonts as they are (they are
compressed already). Header bytes are not counted.

The target (a first visit transfers at most 2 MB, 2,000,000 bytes) is checked
against the **uncompressed** total, the conservative figure; the gzip column
is for information. The script prints one row per page, the largest files a
first visit loads, and exits with status 1 if a page is over the target or
any request left 127.0.0.1.

Run: ``.venv/bin/python benchmarks/bench_page_weight.py [path/to/_build/html]``
(``--top N``: how many of the largest files to list).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from _common import ROOT, print_machine, print_table

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGET_BYTES = 2_000_000
SKIP_PAGES = {"genindex.html", "search.html"}
# Content types a gzip-serving host (GitHub Pages) compresses.
TEXT_TYPES = re.compile(r"^(text/|application/(javascript|json|xml|x-javascript)|image/svg)")
MATHJAX_DONE_JS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  return true;
}"""


@dataclass
class Transfer:
    """One response of a page visit."""

    path: str
    content_type: str
    raw: int
    gzipped: int


@dataclass
class Visit:
    """Every response of one first visit, and requests that tried to leave 127.0.0.1."""

    page: str
    transfers: list[Transfer] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    @property
    def raw(self) -> int:
        return sum(t.raw for t in self.transfers)

    @property
    def gzipped(self) -> int:
        return sum(t.gzipped for t in self.transfers)


def book_pages(html_dir: Path) -> list[str]:
    """The reader-facing pages of a built book, relative to its root."""
    pages = []
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir)
        if rel.parts[0].startswith("_") or rel.name in SKIP_PAGES:
            continue
        if 'http-equiv="Refresh"' in path.read_text(errors="replace")[:2000]:
            continue  # index.html: a redirect to the first page, measured itself
        pages.append(rel.as_posix())
    return pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def gzip_size(body: bytes, content_type: str) -> int:
    """Bytes a gzip-serving host sends for this body (text compressed, the rest as is)."""
    if TEXT_TYPES.match(content_type):
        return len(gzip.compress(body, compresslevel=6, mtime=0))
    return len(body)


def visit(browser, base_url: str, page_path: str) -> Visit:
    """Open one page in a fresh context (empty cache) and record every response."""
    result = Visit(page_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(route, request) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            result.external.append(request.url)
            route.abort()

    responses = []
    page.route("**/*", route)
    page.on("response", lambda response: responses.append(response))
    try:
        page.goto(f"{base_url}/{page_path}", wait_until="load")
        page.evaluate(MATHJAX_DONE_JS)
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        page.wait_for_load_state("networkidle")
        for response in responses:
            if response.url.startswith("data:"):
                continue
            body = response.body()
            content_type = response.headers.get("content-type", "").split(";")[0]
            result.transfers.append(
                Transfer(
                    urlparse(response.url).path,
                    content_type,
                    len(body),
                    gzip_size(body, content_type),
                )
            )
    finally:
        context.close()
    return result


def chromium_version() -> str:
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def kb(n: int) -> str:
    return f"{n / 1000:,.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "html_dir",
        nargs="?",
        type=Path,
        default=ROOT / "_build" / "html",
        help="a built book's _build/html (default: this repository's)",
    )
    parser.add_argument("--top", type=int, default=12, help="how many of the largest files to list")
    args = parser.parse_args()
    html_dir = args.html_dir.resolve()
    if not (html_dir / "_static").is_dir():
        parser.error(f"html_dir must be a built book's _build/html; got {html_dir}")
    from playwright.sync_api import sync_playwright

    print_machine("Page weight: bytes of a first visit to each page of the built book")
    print(f"Chromium: {chromium_version()}")
    print(f"Book:    {html_dir}")
    print(
        "Sizes in kB (1 kB = 1,000 bytes), response bodies only. 'served' = as served here, "
        "uncompressed (checked against the target); 'gzip' = what a gzip-serving host such "
        "as GitHub Pages would send (text gzip -6, images and fonts as they are)."
    )
    print()

    pages = book_pages(html_dir)
    if not pages:
        print(f"no pages found under {html_dir}")
        return 1
    visits = []
    with serve(html_dir) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            visits = [visit(browser, base_url, page) for page in pages]
        finally:
            browser.close()

    rows = []
    for v in visits:
        status = "ok" if v.raw <= TARGET_BYTES and not v.external else "OVER"
        if v.external:
            status = f"{len(v.external)} outside request(s)"
        rows.append([v.page, len(v.transfers), kb(v.raw), kb(v.gzipped), status])
    print_table(["Page", "Requests", "Served kB", "gzip kB", f"<= {kb(TARGET_BYTES)} kB"], rows)
    print()

    largest: dict[str, tuple[Transfer, int]] = {}
    for v in visits:
        for t in v.transfers:
            seen = largest.get(t.path)
            largest[t.path] = (t, (seen[1] if seen else 0) + 1)
    top = sorted(largest.values(), key=lambda item: -item[0].raw)[: args.top]
    print(f"The {len(top)} largest files a first visit loads (of {len(largest)} distinct):")
    print_table(
        ["File", "Type", "Served kB", "gzip kB", "Pages loading it"],
        [
            [t.path, t.content_type or "?", kb(t.raw), kb(t.gzipped), f"{n}/{len(visits)}"]
            for t, n in top
        ],
    )
    print()
    worst = max(visits, key=lambda v: v.raw)
    external = sorted({url for v in visits for url in v.external})
    print(
        f"Largest first visit: {worst.page}, {kb(worst.raw)} kB served "
        f"({kb(worst.gzipped)} kB gzip); target <= {kb(TARGET_BYTES)} kB uncompressed."
    )
    if external:
        print("Requests outside 127.0.0.1 (aborted):")
        for url in external:
            print(f"  {url}")
    failed = worst.raw > TARGET_BYTES or bool(external)
    print("FAIL" if failed else "PASS: every page within the target, no outside request.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
