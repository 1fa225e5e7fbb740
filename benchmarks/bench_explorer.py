"""Update time of the kernel-free explorer in Chromium (target: one frame, 16 ms).

Builds an explorer page with ``attn_book.explorer.attention_explorer`` holding a
12-token and a 64-token sentence, opens it in headless Chromium (Playwright,
``/usr/bin/chromium --headless --no-sandbox --disable-gpu
--disable-background-networking``), selects the sentence and a head count
(12 tokens / 4 heads, 64 tokens / 8 heads), then changes every control
repeatedly inside the page: the head, the number of heads, the mask, the
selected query (click its button, and click a heatmap cell), hovering a cell,
a token switched off and on, and the sentence (switched to from the other one).
At 12 tokens the heatmap is a table of numbers; at 64 tokens it is a canvas.

For each change it records, with ``performance.now()`` in the page:

- handler: the synchronous event dispatch (the explorer recomputes and updates
  its DOM and canvas inside the handler);
- +style/layout: handler plus a forced style recalculation and layout
  (reading ``offsetHeight``): the work the next frame must do before paint;
- main-thread busy: Chromium's own count of main-thread task time during the
  update (DevTools ``Performance.getMetrics`` TaskDuration, includes paint and
  the canvas raster);
- next frame: until the next ``requestAnimationFrame`` and a task after it (the
  update shown on screen; includes waiting for the frame clock, up to 16.7 ms).

p50 / p95 over the repeats; the target applies to the work (+style/layout and
main-thread busy), not to the wait for the frame clock.

``--baseline REV`` also measures the explorer script of git revision ``REV``
(e.g. ``HEAD``; read with ``git show``, nothing is checked out) on an identical
page with identical changes, and checks after every change that both pages
expose the same ``data-state`` and ``data-weights``.

Run: ``.venv/bin/python benchmarks/bench_explorer.py`` (``--quick``: fewer repeats).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from _common import ROOT, print_machine, print_table, summary_ms

from attn_book.choices import MASK_CHOICES
from attn_book.explorer import attention_explorer
from attn_book.explorer.assets import engine_js

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGET_MS = 16.0
CONFIGS = [(12, 4), (64, 8)]
WORDS = (
    "the cat sat on a mat while her dog slept by warm fire and birds sang outside "
    "until evening rain began to fall softly over quiet old town"
).split()

# Runs one change inside the page and returns its timings (ms).
MEASURE_JS = """
async ([kind, value]) => {
  const root = document.querySelector('.attn-explorer');
  // Where a cell (row, col) is: its td, or its centre on the canvas (found before timing).
  const cellTarget = ([i, j]) => {
    const td = root.querySelector(`td.ae-cell[data-row="${i}"][data-col="${j}"]`);
    if (td) { return [td, {bubbles: true}]; }
    const canvas = root.querySelector('canvas.ae-canvas');
    const box = canvas.getBoundingClientRect(), n = JSON.parse(
      root.getAttribute('data-state')).positions.length;
    const size = box.width / n;
    return [canvas, {bubbles: true, clientX: box.left + (j + 0.5) * size,
                     clientY: box.top + (i + 0.5) * size}];
  };
  const target = (kind === 'hover' || kind === 'cell') ? cellTarget(value) : null;
  const act = () => {
    if (kind === 'select') {
      const sel = root.querySelector(value[0]);
      sel.value = String(value[1]);
      sel.dispatchEvent(new Event('change'));
    } else if (kind === 'query') {
      root.querySelectorAll('button.ae-query')[value].click();
    } else if (kind === 'token') {
      root.querySelectorAll('button.ae-token')[value].click();
    } else if (kind === 'hover') {
      const [node, init] = target;
      node.dispatchEvent(new MouseEvent('mouseover', init));
      node.dispatchEvent(new MouseEvent('mouseenter', {...init, bubbles: false}));
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


def sentence(n_tokens: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(n_tokens))


def page_html(title: str, script: str | None = None) -> str:
    """A page holding one explorer; ``script`` replaces the explorer's JS if given."""
    explorer = attention_explorer(
        {f"{n} tokens": sentence(n) for n, _ in CONFIGS},
        head_options=[1, 2, 4, 8],
        masks=MASK_CHOICES,
        title=title,
    )
    fragment = explorer.to_html()
    if script is not None:
        assert engine_js() in fragment
        fragment = fragment.replace(engine_js(), script)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>bench</title></head>"
        f"<body>{fragment}</body></html>"
    )


def changes(
    index: int, tokens: int, heads: int, repeats: int
) -> list[tuple[str | None, str, object]]:
    """(label, kind, value) for every change, in order, ``repeats`` rounds.

    A change labelled None sets up the next one and is not recorded.
    """
    other = 1 - index
    plan: list[tuple[str | None, str, object]] = []
    for r in range(repeats):
        plan.append(("head", "select", [".ae-head", (r % (heads - 1)) + 1]))
        plan.append(("head", "select", [".ae-head", 0]))
        plan.append(("mask", "select", [".ae-mask", ["causal", "padding"][r % 2]]))
        plan.append(("mask", "select", [".ae-mask", "none"]))
        plan.append(("query (button)", "query", (r * 5 + 3) % tokens))
        plan.append(("query (cell click)", "cell", [(r * 7 + 2) % tokens, (r * 3) % tokens]))
        plan.append(("hover cell", "hover", [(r * 5 + 1) % tokens, (r * 11 + 4) % tokens]))
        plan.append(("token on/off", "token", (r * 3 + 1) % tokens))
        plan.append(("token on/off", "token", (r * 3 + 1) % tokens))
        plan.append(("heads h", "select", [".ae-heads", heads // 2]))
        plan.append(("heads h", "select", [".ae-heads", heads]))
        plan.append((None, "select", [".ae-sentence", other]))
        plan.append(("sentence", "select", [".ae-sentence", index]))
    return plan


def measure(
    browser, page_path: Path, repeats: int
) -> tuple[list[list], list[list], list[str], list[str]]:
    """Drive one page; return summary rows, per-control rows, observed states, errors."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page_path.as_uri())
    page.wait_for_selector(".attn-explorer[data-state]")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def task_ms() -> float:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return metrics["TaskDuration"] * 1e3

    rows, per_control, seen = [], [], []
    for index, (tokens, heads) in enumerate(CONFIGS):
        page.evaluate(MEASURE_JS, ["select", [".ae-sentence", index]])
        page.evaluate(MEASURE_JS, ["select", [".ae-heads", heads]])
        state = page.get_attribute(".attn-explorer", "data-state")
        assert f'"heads":{heads}' in state, state
        assert f'"positions":[{",".join(map(str, range(tokens)))}]' in state, state
        timings: dict[str, list[list[float]]] = {}
        for label, kind, value in changes(index, tokens, heads, repeats):
            busy0 = task_ms()
            handler, layout, frame = page.evaluate(MEASURE_JS, [kind, value])
            busy = task_ms() - busy0
            if label is None:
                continue
            timings.setdefault(label, []).append([handler, layout, busy, frame])
            seen.append(
                page.evaluate(
                    "() => { const r = document.querySelector('.attn-explorer');"
                    " return r.getAttribute('data-state') + r.getAttribute('data-weights'); }"
                )
            )
        every = [t for ts in timings.values() for t in ts]
        cols = [summary_ms([t[k] / 1e3 for t in every]) for k in range(4)]
        verdict = "ok" if cols[1][1] <= TARGET_MS else f"MISS (> {TARGET_MS:.0f} ms)"
        rows.append(
            [tokens, heads, len(every)] + [f"{c[0]:.1f} / {c[1]:.1f}" for c in cols] + [verdict]
        )
        for label, ts in timings.items():
            per_control.append(
                [tokens, heads, label, len(ts)]
                + [
                    "{:.1f} / {:.1f}".format(*summary_ms([t[k] / 1e3 for t in ts])[:2])
                    for k in range(4)
                ]
            )
    page.close()
    return rows, per_control, seen, errors


def baseline_script(rev: str) -> str:
    """The explorer's JavaScript as it was at git revision ``rev`` (read with ``git show``).

    Revisions since the engine was split into parts join them with that
    revision's own ``attn_book/explorer/assets.py``; before that the engine was
    one file, ``explorer.js``; before the attn_book layout it was a Python string.
    The page's data is always the current one, so a revision that read other
    data fields (or other mask names) shows other weights.
    """

    def show(path: str) -> str:
        return subprocess.run(
            ["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout

    class _FileAtRev:
        def __init__(self, name: str) -> None:
            self.name = name

        def read_text(self, encoding: str = "utf-8") -> str:
            return show(f"attn_book/explorer/{self.name}")

    class _PackageAtRev:
        def joinpath(self, name: str) -> _FileAtRev:
            return _FileAtRev(name)

    try:
        source = show("attn_book/explorer/assets.py")
        if "ENGINE_PARTS" in source:
            namespace: dict[str, object] = {"__name__": "assets_at_rev", "__package__": None}
            exec(compile(source, f"{rev}:assets.py", "exec"), namespace)  # noqa: S102
            namespace["files"] = lambda _package: _PackageAtRev()
            return str(namespace["engine_js"]())  # type: ignore[operator]
        return show("attn_book/explorer/explorer.js")
    except subprocess.CalledProcessError:
        namespace = {}
        exec(compile(show("attn_core/_explorer_assets.py"), rev, "exec"), namespace)  # noqa: S102
        return str(namespace["EXPLORER_JS"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds of changes, not 20")
    parser.add_argument(
        "--baseline", metavar="REV", help="also measure the explorer script of this git revision"
    )
    args = parser.parse_args()
    repeats = 5 if args.quick else 20
    from playwright.sync_api import sync_playwright

    print_machine("Kernel-free explorer update benchmark (headless Chromium)")
    workdir = Path(tempfile.mkdtemp(prefix="bench_explorer_"))
    variants: dict[str, str | None] = {}
    if args.baseline:
        variants[f"baseline ({args.baseline})"] = baseline_script(args.baseline)
    variants["current"] = None
    pages = {}
    for name, script in variants.items():
        pages[name] = workdir / f"explorer_{len(pages)}.html"
        pages[name].write_text(page_html("Benchmark explorer", script), encoding="utf-8")
    print(
        f"Pages: {workdir} ({pages['current'].stat().st_size / 1024:.0f} KiB each); "
        f"Chromium {CHROMIUM} {' '.join(CHROMIUM_ARGS)}"
    )

    results = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"Chromium version: {browser.version}\n")
        for name, path in pages.items():
            results[name] = measure(browser, path, repeats)
        browser.close()
    for name, (rows, per_control, _seen, errors) in results.items():
        print(f"## {name} script")
        print_table(
            [
                "tokens",
                "heads",
                "changes",
                "handler p50/p95 ms",
                "+style/layout p50/p95 ms",
                "main-thread busy p50/p95 ms",
                "next frame p50/p95 ms",
                f"target (p95 work <= {TARGET_MS:.0f} ms)",
            ],
            rows,
        )
        print("\np50 / p95 per control (ms):")
        print_table(
            [
                "tokens",
                "heads",
                "control",
                "changes",
                "handler",
                "+style/layout",
                "main-thread busy",
                "next frame",
            ],
            per_control,
        )
        if errors:
            print("\nPage errors:", *errors, sep="\n  ")
        print()
    if args.baseline:
        same = results[f"baseline ({args.baseline})"][2] == results["current"][2]
        print(
            f"baseline vs current: identical data-state and data-weights after every change: {same}"
        )


if __name__ == "__main__":
    main()
