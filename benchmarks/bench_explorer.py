"""Update time of the kernel-free explorer in Chromium, paint included (target: 16 ms).

Builds an explorer page with ``attn_book.explorer.attention_explorer`` holding a
12-token and a 64-token sentence, opens it in headless Chromium (Playwright,
``/usr/bin/chromium --headless --no-sandbox --disable-gpu
--disable-background-networking``), selects the sentence and a head count
(12 tokens / 4 heads, 64 tokens / 8 heads), then changes every control
repeatedly inside the page: the head, the number of heads, the mask, the
selected query (click its row header, choose it in the query menu, click a
heatmap cell), hovering a cell,
a token switched off and on, a word typed into the sentence box, and the
sentence (switched to from the other one). At 12 tokens the heatmap is a
table of numbers; at 64 tokens it is a canvas.

For each change it records (definitions in ``_browser_timing.py``) the
handler, render (the next frame's rendering work), handler + render,
main-thread busy, update and next frame, where

- update = main-thread busy - overhead (the median of the row "nothing
  (overhead)", a change that changes nothing): all the main-thread work one
  update causes, paint included, and also the work Chromium does in tasks of
  its own because a form control changed (its autofill code checks the form
  and forces style and layout right away, before the frame, so "render" alone
  would miss it). The target applies to it.

p50 / p95 over the repeats.

``--baseline REV`` also measures the explorer script of git revision ``REV``
(e.g. ``HEAD``; read with ``git show``, nothing is checked out) on an identical
page with identical changes (a revision without a sentence box or a query
menu skips those), and says whether both pages expose the same ``data-weights`` after
every change.

Run: ``.venv/bin/python benchmarks/bench_explorer.py`` (``--quick``: fewer repeats).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import _browser_timing as bt
import numpy as np
from _common import ROOT, print_machine, print_table

from attn_book.choices import MASK_CHOICES
from attn_book.explorer import attention_explorer
from attn_book.explorer.assets import engine_js, stylesheet

CONFIGS = [(12, 4), (64, 8)]
WORDS = (
    "the cat sat on a mat while her dog slept by warm fire and birds sang outside "
    "until evening rain began to fall softly over quiet old town"
).split()

# One change inside the page (see _browser_timing.frame_timing_js); null: not offered.
MEASURE_JS = bt.frame_timing_js(
    ".attn-explorer",
    """
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
  const box = root.querySelector('input.ae-text');
  if (kind === 'type' && !box) { return null; }
  if (kind === 'select' && !root.querySelector(value[0])) { return null; }
  const act = () => {
    if (kind === 'none') {
      return;
    } else if (kind === 'select') {
      const sel = root.querySelector(value[0]);
      sel.value = String(value[1]);
      sel.dispatchEvent(new Event('change'));
    } else if (kind === 'query') {
      // A query button (table) or row label (canvas).
      root.querySelectorAll('button.ae-query, .ae-rowlabel')[value].click();
    } else if (kind === 'token') {
      root.querySelectorAll('button.ae-token')[value].click();
    } else if (kind === 'type') {
      box.value = value;
      box.dispatchEvent(new InputEvent('input', {bubbles: true}));
    } else if (kind === 'hover') {
      const [node, init] = target;
      node.dispatchEvent(new MouseEvent('mouseover', init));
      node.dispatchEvent(new MouseEvent('mouseenter', {...init, bubbles: false}));
      node.dispatchEvent(new MouseEvent('mousemove', init));
    } else if (kind === 'cell') {
      const [node, init] = target;
      node.dispatchEvent(new MouseEvent('click', init));
    }
  };""",
)


def sentence(n_tokens: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(n_tokens))


def explorer_page(title: str, script: tuple[str, str | None] | None = None) -> str:
    """A page holding one explorer; ``script`` = (JS, CSS) replaces the explorer's own if given."""
    explorer = attention_explorer(
        {f"{n} tokens": sentence(n) for n, _ in CONFIGS},
        head_options=[1, 2, 4, 8],
        masks=MASK_CHOICES,
        title=title,
    )
    fragment = explorer.to_html()
    if script is not None:
        js, css = script
        assert engine_js() in fragment and stylesheet() in fragment
        fragment = fragment.replace(engine_js(), js)
        if css is not None:
            fragment = fragment.replace(stylesheet(), css)
    return bt.page_html(fragment)


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
        plan.append(("query (click)", "query", (r * 5 + 3) % tokens))
        plan.append(("query (menu)", "select", [".ae-query-select", (r * 7 + 5) % tokens]))
        plan.append(("query (cell click)", "cell", [(r * 7 + 2) % tokens, (r * 3) % tokens]))
        plan.append(("hover cell", "hover", [(r * 5 + 1) % tokens, (r * 11 + 4) % tokens]))
        # No change at all: what the measurement itself costs.
        plan.append((bt.OVERHEAD, "none", None))
        plan.append(("token on/off", "token", (r * 3 + 1) % tokens))
        plan.append(("token on/off", "token", (r * 3 + 1) % tokens))
        # Type: a word of the sentence changes (the box holds the sentence's text).
        typed = sentence(tokens).split()
        typed[(r * 5 + 2) % tokens] += "s"
        plan.append((None, "type", sentence(tokens)))
        plan.append(("type a word", "type", " ".join(typed)))
        plan.append((None, "select", [".ae-sentence", index]))
        plan.append(("heads h", "select", [".ae-heads", heads // 2]))
        plan.append(("heads h", "select", [".ae-heads", heads]))
        plan.append((None, "select", [".ae-sentence", other]))
        plan.append((None, "select", [".ae-heads", heads]))
        plan.append(("sentence", "select", [".ae-sentence", index]))
        plan.append((None, "select", [".ae-heads", heads]))
    return plan


class Driver:
    """One page of one variant: opens it and runs a change, timing it."""

    def __init__(self, browser, page_path: Path) -> None:
        self.session = bt.Session(browser, page_path, ".attn-explorer[data-state]")
        self.page = self.session.page
        self.errors = self.session.errors
        self.timings: dict[tuple[int, int], dict[str, list[list[float]]]] = {}
        self.seen: list[str] = []

    def setup(self, index: int, tokens: int, heads: int) -> None:
        self.page.evaluate(MEASURE_JS, ["select", [".ae-sentence", index], None])
        self.page.evaluate(MEASURE_JS, ["select", [".ae-heads", heads], None])
        state = self.page.get_attribute(".attn-explorer", "data-state")
        assert f'"heads":{heads}' in state, state
        assert f'"positions":[{",".join(map(str, range(tokens)))}]' in state, state

    def run(self, config: tuple[int, int], label: str | None, kind: str, value: object) -> None:
        measured, busy = self.session.change(MEASURE_JS, kind, value)
        if label is None or measured is None:
            return
        handler, render, work, frame = measured
        bt.record(self.timings.setdefault(config, {}), label, [handler, render, work, busy, frame])
        if kind != "type" and label != "query (menu)":
            self.seen.append(self.page.get_attribute(".attn-explorer", "data-weights"))

    def tables(self) -> tuple[list[list], list[list]]:
        """Summary rows and per-control rows (p50 / p95 in ms)."""
        rows, controls = [], []
        for (tokens, heads), timings in self.timings.items():
            overhead = float(np.median([t[3] for t in timings[bt.OVERHEAD]]))
            # handler, render, handler + render, busy, update = busy - overhead, next frame
            table = {
                label: [[h, r, w, b, max(0.0, b - overhead), f] for h, r, w, b, f in ts]
                for label, ts in timings.items()
            }
            every = bt.every_change(table)
            rows.append([tokens, heads, len(every), *bt.columns(every), bt.verdict(every, 4)])
            controls += bt.per_control(table, tokens, heads)
        return rows, controls


def measure(drivers: dict[str, Driver], repeats: int) -> None:
    """Make every change on every variant's page in turn (the order alternates), so
    that the load of the machine, which changes over time, weighs on all alike."""
    for index, (tokens, heads) in enumerate(CONFIGS):
        for driver in drivers.values():
            driver.setup(index, tokens, heads)
        for step, (label, kind, value) in enumerate(changes(index, tokens, heads, repeats)):
            order = list(drivers.values())
            if step % 2:
                order.reverse()
            for driver in order:
                driver.run((tokens, heads), label, kind, value)


def baseline_script(rev: str) -> tuple[str, str | None]:
    """The explorer's JavaScript and CSS as they were at git revision ``rev`` (``git show``).

    Revisions since the engine was split into parts join them with that
    revision's own ``attn_book/explorer/assets.py``; before that the engine was
    one file, ``explorer.js``; before the attn_book layout it was a Python string.
    The CSS is that revision's explorer stylesheet: ``assets.stylesheet()``
    (base.css and explorer.css) where there is one, else ``explorer.css``
    (None where there was none).
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
        css: str | None = show("attn_book/explorer/explorer.css")
    except subprocess.CalledProcessError:
        css = None
    try:
        source = show("attn_book/explorer/assets.py")
        if "ENGINE_PARTS" in source:
            namespace: dict[str, object] = {"__name__": "assets_at_rev", "__package__": None}
            exec(compile(source, f"{rev}:assets.py", "exec"), namespace)  # noqa: S102
            namespace["files"] = lambda _package: _PackageAtRev()
            if "stylesheet" in namespace:
                css = str(namespace["stylesheet"]())  # type: ignore[operator]
            return str(namespace["engine_js"]()), css  # type: ignore[operator]
        return show("attn_book/explorer/explorer.js"), css
    except subprocess.CalledProcessError:
        namespace = {}
        exec(compile(show("attn_core/_explorer_assets.py"), rev, "exec"), namespace)  # noqa: S102
        return str(namespace["EXPLORER_JS"]), css


def main() -> None:
    parser = bt.command_line(__doc__, 20)
    parser.add_argument(
        "--baseline", metavar="REV", help="also measure the explorer script of this git revision"
    )
    args = parser.parse_args()
    repeats = args.rounds

    print_machine("Kernel-free explorer update benchmark (headless Chromium)")
    folder = bt.workdir("explorer")
    variants: dict[str, tuple[str, str | None] | None] = {}
    if args.baseline:
        variants[f"baseline ({args.baseline})"] = baseline_script(args.baseline)
    variants["current"] = None
    pages = {}
    for name, script in variants.items():
        pages[name] = folder / f"explorer_{len(pages)}.html"
        pages[name].write_text(explorer_page("Benchmark explorer", script), encoding="utf-8")
    print(
        f"Pages: {folder} ({pages['current'].stat().st_size / 1024:.0f} KiB each); "
        f"Chromium {bt.CHROMIUM} {' '.join(bt.CHROMIUM_ARGS)}"
    )

    with bt.chromium() as browser:
        drivers = {name: Driver(browser, path) for name, path in pages.items()}
        measure(drivers, repeats)
    for name, driver in drivers.items():
        rows, controls = driver.tables()
        print(f"## {name} script")
        print_table(
            [
                "tokens",
                "heads",
                "changes",
                "handler p50/p95 ms",
                "render p50/p95 ms",
                "handler + render p50/p95 ms",
                "main-thread busy p50/p95 ms",
                "update p50/p95 ms",
                "next frame p50/p95 ms",
                f"target (p95 update <= {bt.TARGET_MS:.0f} ms)",
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
                "render",
                "handler + render",
                "main-thread busy",
                "update",
                "next frame",
            ],
            controls,
        )
        if driver.errors:
            print("\nPage errors:", *driver.errors, sep="\n  ")
        print()
    if args.baseline:
        same = drivers[f"baseline ({args.baseline})"].seen == drivers["current"].seen
        print(
            "baseline vs current: identical data-weights after every change "
            f"(typing and the query menu excepted): {same}"
        )


if __name__ == "__main__":
    main()
