"""Update time of chapter 6's induction explorer in Chromium (target: one frame, 16 ms).

Trains the chapter's model (seed 0, the default settings of
``attn_book.induction.train``), builds its kernel-free explorer
(``attn_book.explorer.induction.induction_explorer``) on four evaluation
sequences of 24 tokens, opens it in headless Chromium (Playwright, the
flags of ``bench_explorer.py``) and changes every control repeatedly inside
the page: the example, a head removed and put back, the selected position
(its button, and a click on a heatmap row), hovering a heatmap cell, and a
typed sequence submitted (24 tokens, and a bad one, which only shows a
message). Every change runs the model's forward pass in JavaScript and
redraws the four heatmaps and the prediction strip.

For each change it records, with ``performance.now()`` in the page:

- handler: the synchronous event dispatch (forward pass, canvas and DOM updates);
- +style/layout: handler plus a forced style recalculation and layout;
- main-thread busy: Chromium's own count of main-thread task time during the
  update (DevTools ``Performance.getMetrics`` TaskDuration), which includes
  paint and the canvas raster: the figure the 16 ms target applies to;
- next frame: until the next ``requestAnimationFrame`` and a task after it
  (includes waiting for the frame clock, up to 16.7 ms).

p50 / p95 over the repeats, overall and per control. A change that does
nothing shows what the measurement itself costs (the page.evaluate call and
the frame wait); it is left out of the overall figures.

Run: ``.venv/bin/python benchmarks/bench_induction_explorer.py`` (``--quick``: fewer repeats).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import print_machine, print_table, summary_ms
from bench_explorer import CHROMIUM, CHROMIUM_ARGS, TARGET_MS

from attn_book import induction as ind
from attn_book.explorer.induction import induction_explorer

ROWS = [0, 1, 2, 3]

MEASURE_JS = """
async ([kind, value]) => {
  const root = document.querySelector('.attn-induction');
  const canvasPoint = ([index, i, j]) => {
    const canvas = root.querySelectorAll('canvas.ai-canvas')[index];
    const box = canvas.getBoundingClientRect();
    const n = JSON.parse(root.getAttribute('data-state')).tokens.length;
    return [canvas, {bubbles: true, clientX: box.left + (j + 0.5) * box.width / n,
                     clientY: box.top + (i + 0.5) * box.height / n}];
  };
  const target = (kind === 'hover' || kind === 'cell') ? canvasPoint(value) : null;
  const act = () => {
    if (kind === 'example') {
      const sel = root.querySelector('select.ai-example');
      sel.value = String(value);
      sel.dispatchEvent(new Event('change', {bubbles: true}));
    } else if (kind === 'remove') {
      root.querySelectorAll('.ai-remove input')[value].click();
    } else if (kind === 'position') {
      root.querySelectorAll('button.ai-pos')[value].click();
    } else if (kind === 'type') {
      root.querySelector('input.ai-tokens').value = value;
      root.querySelector('button.ai-run').click();
    } else if (kind === 'hover') {
      const [node, init] = target;
      node.dispatchEvent(new MouseEvent('mousemove', init));
    } else if (kind === 'cell') {
      const [node, init] = target;
      node.dispatchEvent(new MouseEvent('click', init));
    }
  };
  const t0 = performance.now();
  act();
  const t1 = performance.now();
  void root.offsetHeight;  // force style recalculation and layout now
  const t2 = performance.now();
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const t3 = performance.now();
  return [t1 - t0, t2 - t0, t3 - t0];
}
"""


def changes(repeats: int, sequences: list[list[int]]) -> list[tuple[str | None, str, object]]:
    """(label, kind, value) for every change, in order; a None label sets up the next one."""
    plan: list[tuple[str | None, str, object]] = []
    for r in range(repeats):
        plan.append(("example", "example", (r + 1) % len(sequences)))
        plan.append(("head removed / back", "remove", r % 4))
        plan.append(("head removed / back", "remove", r % 4))
        plan.append(("position (button)", "position", (r * 5 + 3) % 24))
        plan.append(("position (heatmap click)", "cell", [r % 4, (r * 7 + 2) % 24, 0]))
        plan.append(("hover a heatmap cell", "hover", [(r + 2) % 4, (r * 5 + 1) % 24, r % 24]))
        typed = " ".join(str(t) for t in reversed(sequences[r % len(sequences)]))
        plan.append(("typed sequence (24 tokens)", "type", typed))
        plan.append(("bad input (message only)", "type", "3 7 <b>x</b>"))
        plan.append(("nothing (the measurement's own cost)", "none", None))
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds of changes, not 20")
    args = parser.parse_args()
    repeats = 5 if args.quick else 20
    from playwright.sync_api import sync_playwright

    print_machine("Induction explorer update benchmark (headless Chromium)")
    evaluation = ind.make_batch(ind.EVAL_SEED, ind.EVAL_SIZE)
    params = ind.train(ind.init_params(0)).params
    explorer = induction_explorer(params, evaluation, ROWS)
    sequences = [evaluation.tokens[r].tolist() for r in ROWS]
    path = Path(tempfile.mkdtemp(prefix="bench_induction_")) / "induction.html"
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>bench</title></head>"
        f"<body>{explorer.to_html()}</body></html>",
        encoding="utf-8",
    )
    print(f"Page: {path} ({path.stat().st_size / 1024:.0f} KiB); Chromium {CHROMIUM}")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"Chromium version: {browser.version}\n")
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_selector(".attn-induction[data-state]")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")

        def task_ms() -> float:
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            return metrics["TaskDuration"] * 1e3

        timings: dict[str, list[list[float]]] = {}
        for label, kind, value in changes(repeats, sequences):
            busy0 = task_ms()
            handler, layout, frame = page.evaluate(MEASURE_JS, [kind, value])
            busy = task_ms() - busy0
            if label is not None:
                timings.setdefault(label, []).append([handler, layout, busy, frame])
        browser.close()

    every = [t for label, ts in timings.items() if not label.startswith("nothing") for t in ts]
    cols = [summary_ms([t[k] / 1e3 for t in every]) for k in range(4)]
    verdict = "ok" if cols[2][1] <= TARGET_MS else f"MISS (> {TARGET_MS:.0f} ms)"
    print_table(
        [
            "changes",
            "handler p50/p95 ms",
            "+style/layout p50/p95 ms",
            "main-thread busy (paint included) p50/p95 ms",
            "next frame p50/p95 ms",
            f"target (p95 busy <= {TARGET_MS:.0f} ms)",
        ],
        [[len(every)] + [f"{c[0]:.1f} / {c[1]:.1f}" for c in cols] + [verdict]],
    )
    print("\np50 / p95 per control (ms):")
    print_table(
        ["control", "changes", "handler", "+style/layout", "main-thread busy", "next frame"],
        [
            [label, len(ts)]
            + [
                "{:.1f} / {:.1f}".format(*summary_ms([t[k] / 1e3 for t in ts])[:2])
                for k in range(4)
            ]
            for label, ts in timings.items()
        ],
    )
    if errors:
        print("\nPage errors:", *errors, sep="\n  ")


if __name__ == "__main__":
    main()
