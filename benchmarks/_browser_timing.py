"""What the kernel-free component benchmarks share: a page in headless Chromium,
changes made inside it, how each change is timed, and the p50 / p95 tables.

Every benchmark writes a page holding one component (:func:`write_page`),
opens it in headless Chromium (Playwright, :data:`CHROMIUM` with
:data:`CHROMIUM_ARGS`; :func:`chromium`), and makes each change inside the
page with ``page.evaluate`` of a script that :func:`layout_timing_js` or
:func:`frame_timing_js` writes around the benchmark's own ``act()``. The
figures, in milliseconds, measured with ``performance.now()`` in the page
unless said otherwise:

- handler: the synchronous event dispatch (the component recomputes and
  updates its DOM, SVG or canvas inside the handler);
- +style/layout (:func:`layout_timing_js`): handler plus a forced style
  recalculation and layout (reading ``offsetHeight``): the work the next frame
  must do before paint;
- render (:func:`frame_timing_js`): the next frame's rendering work, from its
  ``requestAnimationFrame`` callback to the first task after it (style,
  layout, paint and the commit to the compositor all happen in between, on
  the main thread); handler + render adds the two;
- main-thread busy (:meth:`Session.change`): Chromium's own count of
  main-thread task time during the change (DevTools ``Performance.getMetrics``
  TaskDuration), paint and canvas raster included, and also the benchmark's
  own overhead (the DevTools call that drives the page), which a change that
  does nothing (:data:`OVERHEAD`) measures;
- update incl. paint (:func:`trace_work_ms`): from a Chromium trace
  (``devtools.timeline``) of the renderer's main thread, the time covered by
  the update's own work (:data:`WORK_EVENTS`) between two marks
  (``console.timeStamp``) placed before the change and after the next frame;
  overlapping events count once, and the benchmark's own script, timers and
  idle time between them do not count;
- next frame: from the change until the next frame is done (the wait for the
  frame clock, up to 16.7 ms, included).

Tables give p50 / p95 over the repeats (:func:`p50_p95`); the target,
:data:`TARGET_MS` (one frame), applies to the work, not to the wait for the
frame clock.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import percentile

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: One frame at 60 Hz, the budget of one update.
TARGET_MS = 16.0
#: The label of a change that changes nothing: what the measurement itself costs.
OVERHEAD = "nothing (overhead)"

_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>bench</title></head>"
    "<body>{}</body></html>"
)


def page_html(fragment: str) -> str:
    """A page holding one component's HTML fragment and nothing else."""
    return _PAGE.format(fragment)


def workdir(name: str) -> Path:
    """A new temporary folder for a benchmark's pages, e.g. ``bench_lookup_...``."""
    return Path(tempfile.mkdtemp(prefix=f"bench_{name}_"))


def write_page(path: Path, fragment: str) -> Path:
    """Write :func:`page_html` of ``fragment`` to ``path``; return ``path``."""
    path.write_text(page_html(fragment), encoding="utf-8")
    return path


def command_line(doc: str, rounds: int) -> argparse.ArgumentParser:
    """A benchmark's command line: its docstring's first line, and ``--quick`` (5 rounds
    of changes, not ``rounds``), which ``args.rounds`` holds."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument(
        "--quick",
        dest="rounds",
        action="store_const",
        const=5,
        default=rounds,
        help=f"5 rounds of changes, not {rounds}",
    )
    return parser


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium for the whole benchmark (its version printed first)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"Chromium version: {browser.version}\n")
        try:
            yield browser
        finally:
            browser.close()


# The page side of one change: `act` (written by the benchmark, see below) makes
# it; `mark`, when not null, brackets it in the trace (see trace_work_ms).
_LAYOUT_JS = """
async ([kind, value, mark]) => {
  const root = document.querySelector(__ROOT__);
__ACT__
  if (mark !== null) { console.timeStamp(`bench-start-${mark}`); }
  const t0 = performance.now();
  act();
  const t1 = performance.now();
  void root.offsetHeight;  // force style recalculation and layout now
  const t2 = performance.now();
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const t3 = performance.now();
  if (mark !== null) { console.timeStamp(`bench-end-${mark}`); }
  return [t1 - t0, t2 - t0, t3 - t0];
}
"""

_FRAME_JS = """
async ([kind, value, mark]) => {
  const root = document.querySelector(__ROOT__);
__ACT__
  // Start just after a frame, so that the change does not wait behind one.
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const t0 = performance.now();
  act();
  const t1 = performance.now();
  // The next frame: its rAF callbacks run first, then style, layout, paint and
  // the commit, in the same task; a message posted from the callback runs after.
  const t2 = await new Promise(r => requestAnimationFrame(() => r(performance.now())));
  await new Promise(r => {
    const channel = new MessageChannel();
    channel.port1.onmessage = r;
    channel.port2.postMessage(0);
  });
  const t3 = performance.now();
  return [t1 - t0, t3 - t2, t1 - t0 + (t3 - t2), t3 - t0];
}
"""


def _timing_js(template: str, root: str, act: str) -> str:
    return template.replace("__ROOT__", json.dumps(root)).replace("__ACT__", act)


def layout_timing_js(root: str, act: str) -> str:
    """The script of one change, timed as [handler, +style/layout, next frame] (ms).

    Parameters
    ----------
    root : str
        CSS selector of the component's root element (``root`` in ``act``).
    act : str
        JavaScript statements that define ``const act = () => ...``, the change
        for ``kind`` and ``value`` (finding its target beforehand, outside the
        timing); they may ``return null`` to skip a change.
    """
    return _timing_js(_LAYOUT_JS, root, act)


def frame_timing_js(root: str, act: str) -> str:
    """The script of one change, timed as [handler, render, handler + render, next frame]
    (ms), started just after a frame; ``root`` and ``act`` as for :func:`layout_timing_js`."""
    return _timing_js(_FRAME_JS, root, act)


class Session:
    """One page in headless Chromium: opened, its errors kept, its changes timed."""

    def __init__(
        self,
        browser: Any,
        path: Path,
        ready: str,
        *,
        width: int = 1300,
        console_errors: bool = False,
        devtools: bool = True,
    ) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        if console_errors:
            self.page.on(
                "console", lambda msg: msg.type == "error" and self.errors.append(msg.text)
            )
        self.page.goto(path.as_uri())
        self.page.wait_for_selector(ready)
        if devtools:  # for main-thread busy (not needed by a traced session)
            self.cdp = self.page.context.new_cdp_session(self.page)
            self.cdp.send("Performance.enable")

    def task_ms(self) -> float:
        """Chromium's main-thread task time so far (DevTools TaskDuration), in ms."""
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return {m["name"]: m["value"] for m in metrics}["TaskDuration"] * 1e3

    def change(self, js: str, kind: str, value: object) -> tuple[list[float] | None, float]:
        """Make one change with ``js``: its timings (None if skipped) and main-thread busy (ms)."""
        busy0 = self.task_ms()
        measured = self.page.evaluate(js, [kind, value, None])
        return measured, self.task_ms() - busy0

    def traced(self, js: str, plan: Sequence[tuple[str, object]]) -> list[list[float]]:
        """Make every change of ``plan`` ((kind, value) pairs) under a Chromium trace.

        Returns, per change, its timings followed by its update incl. paint
        (:func:`trace_work_ms`).
        """
        browser = self.page.context.browser
        browser.start_tracing(page=self.page, categories=TRACE_CATEGORIES)
        raw = [self.page.evaluate(js, [kind, value, i]) for i, (kind, value) in enumerate(plan)]
        work = trace_work_ms(browser.stop_tracing(), len(plan))
        return [[*measured, busy] for measured, busy in zip(raw, work, strict=True)]


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


def trace_work_ms(trace: bytes, marks: int) -> list[float]:
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
        lo, hi = stamps[f"bench-start-{i}"], stamps[f"bench-end-{i}"]
        covered, reach = 0.0, lo
        for start, stop in work:
            start, stop = max(start, reach), min(stop, hi)
            if stop > start:
                covered += stop - start
                reach = stop
        result.append(covered / 1e3)
    return result


# ---------------------------------------------------------------- tables


def p50_p95(ms: Sequence[float]) -> str:
    """``"p50 / p95"`` of durations in ms, one decimal each."""
    return f"{percentile(ms, 50):.1f} / {percentile(ms, 95):.1f}"


def columns(samples: Sequence[Sequence[float]]) -> list[str]:
    """:func:`p50_p95` of each figure (column) of ``samples`` (one row per change)."""
    return [p50_p95([s[k] for s in samples]) for k in range(len(samples[0]))]


def verdict(samples: Sequence[Sequence[float]], column: int, target: float = TARGET_MS) -> str:
    """``"ok"`` if the p95 of figure ``column`` is within ``target`` ms, else a MISS."""
    p95 = percentile([s[column] for s in samples], 95)
    return "ok" if p95 <= target else f"MISS (> {target:.0f} ms)"


def every_change(
    timings: dict[str, list[list[float]]], leave_out: Sequence[str] = (OVERHEAD,)
) -> list[list[float]]:
    """The samples of every control, the changes labelled ``leave_out`` excepted."""
    return [t for label, ts in timings.items() if label not in leave_out for t in ts]


def per_control(timings: dict[str, list[list[float]]], *lead: object) -> list[list[object]]:
    """One row per control: ``lead`` cells, the control, its count and its figures."""
    return [[*lead, label, len(ts), *columns(ts)] for label, ts in timings.items()]


def record(timings: dict[str, list[list[float]]], label: str | None, sample: list[float]) -> None:
    """Keep one change's figures under its control's label (a None label is set-up)."""
    if label is not None:
        timings.setdefault(label, []).append(sample)
