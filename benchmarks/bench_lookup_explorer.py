"""Update time of chapter 2's soft-lookup explorer in Chromium (target: one frame, 16 ms).

Builds the chapter's explorer with ``attn_book.explorer.lookup.lookup_explorer``
(three keys with 2-D values, as in the chapter) and a larger one (8 keys with
4-D values, the most the builder allows), opens each in headless Chromium
(Playwright, ``/usr/bin/chromium --headless --no-sandbox --disable-gpu
--disable-background-networking``) and changes every control repeatedly
inside the page: the query-x and query-y sliders, the temperature slider, the
example buttons, and a drag of the query across the plane (pointer events on
the SVG).

For each change it records, with ``performance.now()`` in the page:

- handler: the synchronous event dispatch (the explorer recomputes and updates
  its DOM and SVG inside the handler);
- +style/layout: handler plus a forced style recalculation and layout
  (reading ``offsetHeight``): the work the next frame must do before paint;
- update incl. paint: from a Chromium trace (``devtools.timeline``) of the
  renderer's main thread, the time covered by the update's own work between
  two marks (``console.timeStamp``) placed before the change and after the
  next frame: event dispatch, style, layout, pre-paint, paint, layerize and the
  commit to the compositor (overlapping events counted once; the benchmark's
  own script, timers and idle time between them are not counted);
- next frame: until the next ``requestAnimationFrame`` and a task after it (the
  update on screen; includes waiting for the frame clock, up to 16.7 ms).

p50 / p95 over the repeats; the target applies to the work (update incl.
paint), not to the wait for the frame clock.

Run: ``.venv/bin/python benchmarks/bench_lookup_explorer.py`` (``--quick``: fewer repeats).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from _common import print_machine, print_table, summary_ms

from attn_book.explorer.lookup import lookup_explorer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGET_MS = 16.0

# Runs one change inside the page and returns its timings (ms).
MEASURE_JS = """
async ([kind, value, mark]) => {
  const root = document.querySelector('.attn-lookup');
  const svg = root.querySelector('svg.al-plane');
  // Where a data point (x, y) of the plane is on the screen.
  const at = ([x, y]) => {
    const box = svg.getBoundingClientRect();
    const e = JSON.parse(root.querySelector('script.al-data').textContent).extent;
    return {clientX: box.left + (x + e) / (2 * e) * box.width,
            clientY: box.top + (e - y) / (2 * e) * box.height, bubbles: true, pointerId: 1};
  };
  const act = () => {
    if (kind === 'slider') {
      const input = root.querySelector(value[0]);
      input.value = String(value[1]);
      input.dispatchEvent(new Event('input', {bubbles: true}));
    } else if (kind === 'button') {
      root.querySelectorAll('button.al-example')[value].click();
    } else if (kind === 'down') {
      svg.dispatchEvent(new PointerEvent('pointerdown', at(value)));
    } else if (kind === 'drag') {
      svg.dispatchEvent(new PointerEvent('pointermove', at(value)));
    } else if (kind === 'up') {
      svg.dispatchEvent(new PointerEvent('pointerup', at(value)));
    }
  };
  console.timeStamp(`lk-start-${mark}`);
  const t0 = performance.now();
  act();
  const t1 = performance.now();
  void root.offsetHeight;  // force style recalculation and layout now
  const t2 = performance.now();
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const t3 = performance.now();
  console.timeStamp(`lk-end-${mark}`);
  return [t1 - t0, t2 - t0, t3 - t0];
}
"""


def explorers() -> dict[str, object]:
    """The chapter's explorer and the largest one the builder allows."""
    chapter = lookup_explorer(
        ["cat", "dog", "cow"],
        [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]],
        [[10.0, 0.0], [0.0, 10.0], [-10.0, 5.0]],
        query=[0.8, 0.5],
        examples={"one key": [2.0, 0.0], "several keys": [1.0, 1.0]},
    )
    rng = np.random.default_rng(0)
    large = lookup_explorer(
        [f"key {i + 1}" for i in range(8)],
        np.round(rng.normal(size=(8, 2)), 2),
        np.round(rng.normal(size=(8, 4)), 2),
        examples={"origin": [0.0, 0.0], "right": [1.5, 0.0]},
        extent=3.0,
    )
    return {"3 keys, 2-D values (chapter 2)": chapter, "8 keys, 4-D values": large}


def changes(
    extent: float, n_temperatures: int, repeats: int
) -> list[tuple[str | None, str, object]]:
    """(label, kind, value) for every change, in order; a None label is set-up, not recorded."""
    plan: list[tuple[str | None, str, object]] = []
    grid = np.round(np.linspace(-extent, extent, 9) / 0.05) * 0.05
    for r in range(repeats):
        plan.append(("query x slider", "slider", [".al-x", grid[r % 9]]))
        plan.append(("query y slider", "slider", [".al-y", grid[(r * 4 + 2) % 9]]))
        plan.append(("temperature slider", "slider", [".al-t", (r * 5) % n_temperatures]))
        plan.append(("example button", "button", r % 2))
        # A drag across the plane: down, then moves along a circle, then up.
        angles = np.linspace(0, 2 * np.pi, 8, endpoint=False) + r
        path = [[0.6 * extent * np.cos(a), 0.6 * extent * np.sin(a)] for a in angles]
        plan.append(("drag (pointer down)", "down", path[0]))
        plan.extend(("drag (pointer move)", "drag", p) for p in path[1:])
        plan.append((None, "up", path[-1]))
    return plan


#: Main-thread trace events that are the update's work, from the event to the commit.
WORK_EVENTS = {
    "EventDispatch",
    "UpdateLayoutTree",
    "Layout",
    "PrePaint",
    "Paint",
    "Layerize",
    "UpdateLayer",
    "Commit",
}
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline"]


def work_ms(trace: bytes, marks: int) -> list[float]:
    """Per mark, the main-thread time covered by WORK_EVENTS between its two timestamps (ms)."""
    data = json.loads(trace)
    events = data["traceEvents"] if isinstance(data, dict) else data
    threads = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    stamps = {
        e["args"]["data"]["message"]: e["ts"]
        for e in events
        if e.get("name") == "TimeStamp" and (e["pid"], e["tid"]) in threads
    }
    work = sorted(
        (e["ts"], e["ts"] + e.get("dur", 0))
        for e in events
        if e.get("ph") == "X" and e.get("name") in WORK_EVENTS and (e["pid"], e["tid"]) in threads
    )
    result = []
    for i in range(marks):
        lo, hi = stamps[f"lk-start-{i}"], stamps[f"lk-end-{i}"]
        covered, reach = 0.0, lo
        for start, stop in work:
            start, stop = max(start, reach), min(stop, hi)
            if stop > start:
                covered += stop - start
                reach = stop
        result.append(covered / 1e3)
    return result


def measure(browser, path: Path, repeats: int):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(path.as_uri())
    page.wait_for_selector(".attn-lookup[data-result]")
    root = page.locator(".attn-lookup").first
    root.scroll_into_view_if_needed()
    data = json.loads(root.locator("script.al-data").text_content())
    plan = changes(data["extent"], len(data["temperatures"]), repeats)
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    raw = [page.evaluate(MEASURE_JS, [kind, value, i]) for i, (_, kind, value) in enumerate(plan)]
    work = work_ms(browser.stop_tracing(), len(plan))
    page.close()
    timings: dict[str, list[list[float]]] = {}
    for (label, _, _), (handler, layout, frame), busy in zip(plan, raw, work, strict=True):
        if label is not None:
            timings.setdefault(label, []).append([handler, layout, busy, frame])
    return timings, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds of changes, not 20")
    parser.add_argument(
        "--book",
        metavar="HTML_DIR",
        type=Path,
        help="also measure the explorer inside chapter 2's page of a built book "
        "(e.g. _build/html): the whole page's DOM around it",
    )
    args = parser.parse_args()
    repeats = 5 if args.quick else 20
    from playwright.sync_api import sync_playwright

    print_machine("Soft-lookup explorer update benchmark (headless Chromium)")
    workdir = Path(tempfile.mkdtemp(prefix="bench_lookup_"))
    pages = {}
    for i, (name, explorer) in enumerate(explorers().items()):
        path = workdir / f"lookup_{i}.html"
        path.write_text(
            "<!doctype html><html><head><meta charset='utf-8'><title>bench</title></head>"
            f"<body>{explorer.to_html()}</body></html>",
            encoding="utf-8",
        )
        pages[name] = path
    if args.book is not None:
        chapter = args.book / "book" / "02_intuition.html"
        if not chapter.is_file():
            parser.error(f"no chapter 2 page at {chapter}")
        pages["chapter 2 page of the built book"] = chapter.resolve()
    print(f"Pages: {workdir}; Chromium {CHROMIUM} {' '.join(CHROMIUM_ARGS)}")

    rows, per_control, all_errors = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"Chromium version: {browser.version}\n")
        for name, path in pages.items():
            timings, errors = measure(browser, path, repeats)
            all_errors += errors
            every = [t for ts in timings.values() for t in ts]
            cols = [summary_ms([t[k] / 1e3 for t in every]) for k in range(4)]
            verdict = "ok" if cols[2][1] <= TARGET_MS else f"MISS (> {TARGET_MS:.0f} ms)"
            rows.append([name, len(every)] + [f"{c[0]:.1f} / {c[1]:.1f}" for c in cols] + [verdict])
            for label, ts in timings.items():
                per_control.append(
                    [name, label, len(ts)]
                    + [
                        "{:.1f} / {:.1f}".format(*summary_ms([t[k] / 1e3 for t in ts])[:2])
                        for k in range(4)
                    ]
                )
        browser.close()
    print_table(
        [
            "explorer",
            "changes",
            "handler p50/p95 ms",
            "+style/layout p50/p95 ms",
            "update incl. paint p50/p95 ms",
            "next frame p50/p95 ms",
            f"target (p95 update incl. paint <= {TARGET_MS:.0f} ms)",
        ],
        rows,
    )
    print("\np50 / p95 per control (ms):")
    print_table(
        ["explorer", "control", "changes", "handler", "+style/layout", "incl. paint", "next frame"],
        per_control,
    )
    if all_errors:
        print("\nPage errors:", *all_errors, sep="\n  ")


if __name__ == "__main__":
    main()
