"""The book as a maintainer and a reader meet it: chapter times, a build from a clone, page bytes.

- notebooks: each chapter executed in a fresh kernel, as nbval does (best of
  ``--repeat``); targets: each at most 10 s, all at most 30 s;
- build: ``git clone`` of the committed state, ``npm ci``, then the strict build
  (``jupyter-book build -W -n --keep-going``) with this checkout's ``.venv``;
  target: at most 90 s;
- page weight: every page of that build opened in a fresh headless Chromium
  (nothing cached; requests outside 127.0.0.1 aborted and counted), the bytes
  of every response as served (uncompressed) and as gzip would send its text;
  target: a first visit at most 2 MB uncompressed.

Run: ``.venv/bin/python benchmarks/bench_book.py`` (``--only notebooks|build``).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import print_machine  # noqa: E402

TEXT = ("text/", "javascript", "json", "svg", "css")


def notebooks(repeat: int) -> None:
    """Each chapter in a fresh kernel, best of ``repeat`` runs."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from quiet_kernels import encrypt_kernel_transport

    encrypt_kernel_transport()  # as the book build does: no warning from each kernel
    print(f"\nChapters, each in a fresh kernel (best of {repeat}; target <= 10 s each):")
    total = 0.0
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        times = []
        for _ in range(repeat):
            notebook = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(
                notebook, timeout=600, resources={"metadata": {"path": path.parent}}
            ).execute()
            times.append(time.perf_counter() - start)
        total += min(times)
        print(f"  {path.name:32} {min(times):5.1f} s")
    print(f"  {'all chapters':32} {total:5.1f} s")


def build() -> Path:
    """Clone, install the npm packages and build the book strictly; return the site."""
    folder = Path(tempfile.mkdtemp(prefix="bench-book-"))
    clone = folder / "book"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    start = time.perf_counter()
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=clone, check=True
    )
    npm = time.perf_counter() - start
    env = {**os.environ, "PYTHONPATH": str(clone)}
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    command = [jupyter_book, "build", str(clone), "-W", "-n", "--keep-going"]
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    print(f"\nBuild from a clone (target <= 90 s): npm ci {npm:.1f} s, then the strict build "
          f"{seconds:.1f} s, exit status {result.returncode}")  # fmt: skip
    if result.returncode:
        print(result.stdout[-2000:], result.stderr[-2000:])
    return clone / "_build" / "html"


def page_weight(site: Path) -> None:
    """Bytes of a first visit to every page, in a fresh Chromium context each."""
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=site)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "book").glob("*.html"))
    print(
        "\nFirst visit to each page (target <= 2,000 kB as served; gzip as GitHub Pages sends it):"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for rel in pages:
            context = browser.new_context()
            page = context.new_page()
            sizes, outside = [], []

            def count(response, sizes=sizes) -> None:
                body = response.body() if response.ok else b""
                kind = response.headers.get("content-type", "")
                packed = len(gzip.compress(body, 6)) if any(t in kind for t in TEXT) else len(body)
                sizes.append((len(body), packed, response.url))

            def local_only(route, outside=outside) -> None:
                if route.request.url.startswith(base):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", local_only)
            page.on("response", count)
            page.goto(f"{base}/{rel}", wait_until="networkidle")
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_load_state("networkidle")
            raw, packed = sum(s[0] for s in sizes), sum(s[1] for s in sizes)
            away = f"  OUTSIDE: {outside}" if outside else ""
            print(f"  {rel:36} {raw / 1000:7,.0f} kB  gzip {packed / 1000:5,.0f} kB{away}")
            context.close()
        browser.close()
    server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["notebooks", "build"])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print_machine("bench_book: chapter times, a build from a clone, the bytes of each page")
    if args.only != "build":
        notebooks(args.repeat)
    if args.only != "notebooks":
        page_weight(build())


if __name__ == "__main__":
    main()
