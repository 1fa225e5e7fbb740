"""Update time of chapter 2's soft-lookup explorer in Chromium (target: one frame, 16 ms).

Builds the chapter's explorer with ``attn_book.explorer.lookup.lookup_explorer``
(three keys with 2-D values, as in the chapter) and a larger one (8 keys with
4-D values, the most the builder allows), opens each in headless Chromium
(Playwright, ``/usr/bin/chromium --headless --no-sandbox --disable-gpu
--disable-background-networking``) and changes every control repeatedly
inside the page: the query-x and query-y sliders, the temperature slider, the
example buttons, and a drag of the query across the plane (pointer events on
the SVG).

For each change it records (definitions in ``_browser_timing.py``) the
handler (the explorer recomputes and updates its DOM and SVG inside it),
+style/layout, update incl. paint (from a Chromium trace of the renderer's
main thread: event dispatch, style, layout, pre-paint, paint, layerize and
the commit between two marks) and next frame, p50 / p95 over the repeats; the
target applies to the work (update incl. paint), not to the wait for the
frame clock.

Run: ``.venv/bin/python benchmarks/bench_lookup_explorer.py`` (``--quick``: fewer repeats).
"""

from __future__ import annotations

import json
from pathlib import Path

import _browser_timing as bt
import numpy as np
from _common import print_machine, print_table

from attn_book.explorer.lookup import lookup_explorer

# One change inside the page (see _browser_timing.layout_timing_js).
MEASURE_JS = bt.layout_timing_js(
    ".attn-lookup",
    """
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
  };""",
)


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


def measure(browser, path: Path, repeats: int):
    session = bt.Session(
        browser,
        path,
        ".attn-lookup[data-result]",
        width=1000,
        console_errors=True,
        devtools=False,
    )
    root = session.page.locator(".attn-lookup").first
    root.scroll_into_view_if_needed()
    data = json.loads(root.locator("script.al-data").text_content())
    plan = changes(data["extent"], len(data["temperatures"]), repeats)
    samples = session.traced(MEASURE_JS, [(kind, value) for _, kind, value in plan])
    session.page.close()
    timings: dict[str, list[list[float]]] = {}
    for (label, _, _), (handler, layout, frame, busy) in zip(plan, samples, strict=True):
        bt.record(timings, label, [handler, layout, busy, frame])
    return timings, session.errors


def main() -> None:
    parser = bt.command_line(__doc__, 20)
    parser.add_argument(
        "--book",
        metavar="HTML_DIR",
        type=Path,
        help="also measure the explorer inside chapter 2's page of a built book "
        "(e.g. _build/html): the whole page's DOM around it",
    )
    args = parser.parse_args()
    repeats = args.rounds

    print_machine("Soft-lookup explorer update benchmark (headless Chromium)")
    folder = bt.workdir("lookup")
    pages = {
        name: bt.write_page(folder / f"lookup_{i}.html", explorer.to_html())
        for i, (name, explorer) in enumerate(explorers().items())
    }
    if args.book is not None:
        chapter = args.book / "book" / "02_intuition.html"
        if not chapter.is_file():
            parser.error(f"no chapter 2 page at {chapter}")
        pages["chapter 2 page of the built book"] = chapter.resolve()
    print(f"Pages: {folder}; Chromium {bt.CHROMIUM} {' '.join(bt.CHROMIUM_ARGS)}")

    rows, per_control_rows, all_errors = [], [], []
    with bt.chromium() as browser:
        for name, path in pages.items():
            timings, errors = measure(browser, path, repeats)
            all_errors += errors
            every = bt.every_change(timings)
            rows.append([name, len(every), *bt.columns(every), bt.verdict(every, 2)])
            per_control_rows += bt.per_control(timings, name)
    print_table(
        [
            "explorer",
            "changes",
            "handler p50/p95 ms",
            "+style/layout p50/p95 ms",
            "update incl. paint p50/p95 ms",
            "next frame p50/p95 ms",
            f"target (p95 update incl. paint <= {bt.TARGET_MS:.0f} ms)",
        ],
        rows,
    )
    print("\np50 / p95 per control (ms):")
    print_table(
        ["explorer", "control", "changes", "handler", "+style/layout", "incl. paint", "next frame"],
        per_control_rows,
    )
    if all_errors:
        print("\nPage errors:", *all_errors, sep="\n  ")


if __name__ == "__main__":
    main()
