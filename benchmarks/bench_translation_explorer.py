"""Update time of the kernel-free translator explorer in Chromium (target: one frame, 16 ms).

Builds the history chapter's translator explorer
(``attn_book.explorer.translation.translator_explorer``) with both models,
without and with attention, at the chapter's sizes (untrained weights cost the
same as trained ones), opens it in headless Chromium (Playwright,
``/usr/bin/chromium --headless --no-sandbox --disable-gpu
--disable-background-networking``) and changes it repeatedly inside the page,
as a reader does: typing (the sentence grows and shrinks by a letter, at the
longest sentences the models take, 9 and 10 letters), a new sentence of 10
letters, an example button, a step button (select an output step), hovering a
heatmap cell, and a bad sentence (a message; the last translation stays).
Each change that translates runs both models' forward passes in JavaScript
and rebuilds the outputs and the 10 x 10 heatmap.

For each change it records (definitions in ``_browser_timing.py``) the
handler, +style/layout, main-thread busy (paint included) and next frame, p50
/ p95 over the repeats, per change and for every change; the target applies
to the work (main-thread busy, paint included), not to the wait for the frame
clock.

Run: ``.venv/bin/python benchmarks/bench_translation_explorer.py`` (``--quick``:
fewer repeats).
"""

from __future__ import annotations

import _browser_timing as bt
from _common import print_machine, print_table

from attn_book.explorer.translation import translator_explorer
from attn_book.seq2seq import init_params
from attn_book.toy_tasks import SOURCE_LETTERS

MAX_LENGTH = 10

# One change inside the page (see _browser_timing.layout_timing_js).
MEASURE_JS = bt.layout_timing_js(
    ".attn-translator",
    """
  const input = root.querySelector('input.at-input');
  let target = null;
  if (kind === 'hover') {
    target = root.querySelector(`td.at-cell[data-row="${value[0]}"][data-col="${value[1]}"]`);
  }
  const act = () => {
    if (kind === 'type') {
      input.value = value;
      input.dispatchEvent(new Event('input', {bubbles: true}));
    } else if (kind === 'example') {
      root.querySelectorAll('button.at-example')[value].click();
    } else if (kind === 'step') {
      root.querySelectorAll('button.at-step')[value].click();
    } else if (kind === 'hover') {
      target.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
      target.dispatchEvent(new MouseEvent('mouseenter', {bubbles: false}));
    }
  };""",
)


def sentence(length: int, shift: int) -> str:
    return "".join(SOURCE_LETTERS[(3 * i + shift) % len(SOURCE_LETTERS)] for i in range(length))


def fragment() -> str:
    explorer = translator_explorer(
        {
            "without attention": init_params(0, attention=False),
            "with attention": init_params(0, attention=True),
        },
        text=sentence(MAX_LENGTH, 0),
        max_length=MAX_LENGTH,
        examples=[sentence(MAX_LENGTH, 1), sentence(MAX_LENGTH, 2)],
        title="Benchmark translator",
    )
    return explorer.to_html()


def changes(repeats: int) -> list[tuple[str | None, str, object]]:
    """(label, kind, value) for every change, in order; a None label sets up the next one."""
    plan: list[tuple[str | None, str, object]] = []
    for r in range(repeats):
        full = sentence(MAX_LENGTH, r)
        plan.append((None, "type", full))
        plan.append(("type a letter (9 -> 10)", "type", full[:-1]))
        plan.append(("type a letter (9 -> 10)", "type", full))
        plan.append(("new sentence, 10 letters", "type", sentence(MAX_LENGTH, r + 3)))
        plan.append(("example button", "example", r % 2))
        plan.append(("select a step", "step", (3 * r + 1) % MAX_LENGTH))
        plan.append(("hover a cell", "hover", [(r * 7) % MAX_LENGTH, (r * 3 + 1) % MAX_LENGTH]))
        plan.append(("bad sentence (message)", "type", full[:5] + "z"))
    return plan


def measure(browser, page_path, repeats: int) -> tuple[list[list], list[str]]:
    session = bt.Session(browser, page_path, ".attn-translator[data-result]")
    timings: dict[str, list[list[float]]] = {}
    for label, kind, value in changes(repeats):
        (handler, layout, frame), busy = session.change(MEASURE_JS, kind, value)
        bt.record(timings, label, [handler, layout, busy, frame])
    error = session.page.get_attribute(".attn-translator", "data-error")
    assert error and "unknown symbol" in error, error  # the last change was the bad sentence
    session.page.close()
    every = bt.every_change(timings)
    rows = bt.per_control(timings)
    rows.append(["**every change**", len(every), *bt.columns(every), bt.verdict(every, 2)])
    return rows, session.errors


def main() -> None:
    parser = bt.command_line(__doc__, 30)
    args = parser.parse_args()
    repeats = args.rounds

    print_machine("Kernel-free translator explorer update benchmark (headless Chromium)")
    path = bt.write_page(bt.workdir("translator") / "translator.html", fragment())
    print(f"Page: {path} ({path.stat().st_size / 1024:.0f} KiB); Chromium {bt.CHROMIUM}")
    with bt.chromium() as browser:
        rows, errors = measure(browser, path, repeats)
    print_table(
        [
            "change",
            "changes",
            "handler p50/p95 ms",
            "+style/layout p50/p95 ms",
            "main-thread busy (paint incl.) p50/p95 ms",
            "next frame p50/p95 ms",
            f"target (p95 busy <= {bt.TARGET_MS:.0f} ms)",
        ],
        [row + [""] * (7 - len(row)) for row in rows],
    )
    if errors:
        print("\nPage errors:", *errors, sep="\n  ")


if __name__ == "__main__":
    main()
