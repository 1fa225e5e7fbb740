"""Update time of chapter 6's induction explorer in Chromium (target: one frame, 16 ms).

Trains the chapter's model (seed 0, the default settings of
``attn_book.induction.train``), builds its kernel-free explorer
(``attn_book.explorer.induction.induction_explorer``) on four evaluation
sequences of 24 tokens, opens it in headless Chromium (Playwright, the
flags of ``_browser_timing.py``) and changes every control repeatedly inside
the page: the example, a head removed and put back, the selected position
(its button, and a click on a heatmap row), hovering a heatmap cell, and a
typed sequence submitted (24 tokens, and a bad one, which only shows a
message). Every change runs the model's forward pass in JavaScript and
redraws the four heatmaps and the prediction strip.

For each change it records (definitions in ``_browser_timing.py``) the
handler (forward pass, canvas and DOM updates), +style/layout, main-thread
busy (paint and the canvas raster included: the figure the 16 ms target
applies to) and next frame, p50 / p95 over the repeats, overall and per
control. A change that does nothing shows what the measurement itself costs
(the page.evaluate call and the frame wait); it is left out of the overall
figures.

Run: ``.venv/bin/python benchmarks/bench_induction_explorer.py`` (``--quick``: fewer repeats).
"""

from __future__ import annotations

import _browser_timing as bt
from _common import print_machine, print_table

from attn_book import induction as ind
from attn_book.explorer.induction import induction_explorer

ROWS = [0, 1, 2, 3]

# One change inside the page (see _browser_timing.layout_timing_js).
MEASURE_JS = bt.layout_timing_js(
    ".attn-induction",
    """
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
  };""",
)


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
        plan.append((bt.OVERHEAD, "none", None))
    return plan


def main() -> None:
    parser = bt.command_line(__doc__, 20)
    args = parser.parse_args()
    repeats = args.rounds

    print_machine("Induction explorer update benchmark (headless Chromium)")
    evaluation = ind.make_batch(ind.EVAL_SEED, ind.EVAL_SIZE)
    params = ind.train(ind.init_params(0)).params
    explorer = induction_explorer(params, evaluation, ROWS)
    sequences = [evaluation.tokens[r].tolist() for r in ROWS]
    path = bt.write_page(bt.workdir("induction") / "induction.html", explorer.to_html())
    print(f"Page: {path} ({path.stat().st_size / 1024:.0f} KiB); Chromium {bt.CHROMIUM}")

    with bt.chromium() as browser:
        session = bt.Session(browser, path, ".attn-induction[data-state]")
        timings: dict[str, list[list[float]]] = {}
        for label, kind, value in changes(repeats, sequences):
            (handler, layout, frame), busy = session.change(MEASURE_JS, kind, value)
            bt.record(timings, label, [handler, layout, busy, frame])

    every = bt.every_change(timings)
    print_table(
        [
            "changes",
            "handler p50/p95 ms",
            "+style/layout p50/p95 ms",
            "main-thread busy (paint included) p50/p95 ms",
            "next frame p50/p95 ms",
            f"target (p95 busy <= {bt.TARGET_MS:.0f} ms)",
        ],
        [[len(every), *bt.columns(every), bt.verdict(every, 2)]],
    )
    print("\np50 / p95 per control (ms):")
    print_table(
        ["control", "changes", "handler", "+style/layout", "main-thread busy", "next frame"],
        bt.per_control(timings),
    )
    if session.errors:
        print("\nPage errors:", *session.errors, sep="\n  ")


if __name__ == "__main__":
    main()
