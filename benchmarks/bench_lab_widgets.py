"""End-to-end widget latency in the real JupyterLab: key press -> new image on screen.

``bench_widgets.py`` times the Python side only (the value change and the
redraw in the kernel). A learner waits for more: the browser sends the change
to the kernel over the websocket, the kernel redraws and sends the PNG back,
and JupyterLab's widget manager turns it into a new ``<img>`` source that
Chromium decodes and paints. This script measures that whole path.

It starts JupyterLab the way a learner does, through ``scripts/lab
--no-browser --port <free port>`` (on a copy of ``book/``, with a temporary
settings folder that turns autosave off, so no output reaches the chapters),
opens each chapter that has a widget in Playwright-driven ``/usr/bin/chromium``
(headless), runs it with Run > Run All Cells, and puts each widget in the sizes
of ``bench_widgets.SETUPS`` by typing into its text box: chapter 3's
self-attention widget at 12 and 64 tokens and chapter 6's induction widget on
the chapter's trained model (2 layers of 2 heads) with a sequence of 24 tokens.
Then it changes every control repeatedly, as a learner would:

- chapter 3: a new sentence typed and Enter pressed, the "divide by sqrt(d_k)"
  checkbox, an arrow key on the query slider;
- chapter 6: another evaluation sequence typed and Enter pressed, the head
  menu and the remove menu (the next option; the first visit of a removal
  measures the model's accuracy on the 500 evaluation sequences, later ones
  reuse it).

In the page (``performance.now()``), for each change:

- start: the dispatch of the key press, click or dropdown change;
- image: the widget's ``<img>`` gets its new ``src`` (a MutationObserver); when
  one change redraws twice (a slider clamped by another control), the last one;
- painted: that image decoded and the next animation frame reached;
- and, from hooks on the page's WebSocket: when the change left for the kernel
  and when the message carrying the new PNG arrived.

Printed per widget and size: p50 / p95 / max of start -> image (the target:
p95 <= 100 ms at 12 tokens / 4 heads and for the widgets at their own size,
<= 150 ms at 64 tokens / 8 heads), p95 per control, p95 start -> painted,
each control's first change at that size (not counted in the percentiles),
and where the time goes (medians): browser until the websocket send, the
round trip through the kernel, the widget manager until the new ``src``,
decode and paint. Beside the round trip: the kernel's own redraw time for the
same changes, timed in this process with ``bench_widgets.build`` / ``drive``,
and, per change, how long the kernel's threads ran on a CPU and how long they
were ready but waited for one (Linux ``/proc/<pid>/task/*/schedstat``), and
how long the JupyterLab server's threads waited: on a busy 2-core machine the
waits are what turn a 10 ms redraw into a 40 ms round trip. (The counters are
read before the action and after the image has settled, so they cover a
little more than the change.) The column "p95 - kernel wait" takes the
kernel's wait out of each change: an estimate of the latency on a machine
with nothing else to do (Chromium and the server may wait too; the target
applies to the measured p95). Last, the three slowest changes of each widget
and size with the same split: the tail the p95 falls in.

Run: ``.venv/bin/python benchmarks/bench_lab_widgets.py`` (``--quick``: 8
changes per control instead of 20; ``--only 04``: one chapter; ``--headed``:
show the browser, needs a display).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, print_machine, print_table, summary_ms
from bench_widgets import SETUPS, Size, induction_tokens, kernel_redraws, sentence

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
QUIET_MS = 300  # a change is over when no new image came for this long
CHANGE_TIMEOUT_MS = 10_000

# Hooks installed in every page before JupyterLab loads: timestamps of the
# websocket traffic and, once armed on a widget, of its <img> source changes.
PAGE_HOOKS = """
(() => {
  const bench = { rec: null };
  window.__bench = bench;
  const size = (d) => (typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0));
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (bench.rec) bench.rec.ws.push([performance.now(), 'send', size(data)]);
    return send.call(this, data);
  };
  const Base = window.WebSocket;
  window.WebSocket = class extends Base {
    constructor(...args) {
      super(...args);
      // Registered before JupyterLab's own handler, so it sees arrival first.
      this.addEventListener('message', (e) => {
        if (bench.rec) bench.rec.ws.push([performance.now(), 'recv', size(e.data)]);
      });
    }
  };
  const startEvents = ['keydown', 'input', 'change', 'click'];
  startEvents.forEach((type) => document.addEventListener(type, () => {
    if (bench.rec && bench.rec.start === null) bench.rec.start = performance.now();
  }, true));
  bench.arm = (root) => {
    const img = document.querySelector(root + ' img');
    if (bench.observer) bench.observer.disconnect();
    const rec = { start: null, src: [], painted: [], ws: [] };
    bench.observer = new MutationObserver(() => {
      const t = performance.now();
      rec.src.push(t);
      img.decode().catch(() => null).then(() => requestAnimationFrame(
        () => rec.painted.push(performance.now())));
    });
    bench.observer.observe(img, { attributes: true, attributeFilter: ['src'] });
    bench.rec = rec;
  };
  bench.settled = (quietMs) => {
    const rec = bench.rec;
    return rec.start !== null && rec.src.length > 0
      && rec.painted.length === rec.src.length
      && performance.now() - rec.src[rec.src.length - 1] > quietMs;
  };
  bench.take = () => { const rec = bench.rec; bench.rec = null; return rec; };
})();
"""


@dataclass
class Change:
    """One timed change: its control and the page timestamps (ms)."""

    control: str
    start: float
    images: list[float]
    painted: list[float]
    ws: list[tuple[float, str, int]]
    kernel_cpu: float = float("nan")  # ms the kernel's threads ran during the change
    kernel_wait: float = float("nan")  # ms they were ready to run but waited for a core
    server_cpu: float = float("nan")  # the same two for the JupyterLab server's threads
    server_wait: float = float("nan")

    @property
    def image_ms(self) -> float:
        return self.images[-1] - self.start

    @property
    def painted_ms(self) -> float:
        return self.painted[-1] - self.start

    def phases(self) -> dict[str, float] | None:
        """Browser -> websocket send -> PNG message in -> new src -> painted (ms)."""
        sends = [t for t, kind, _ in self.ws if kind == "send" and t >= self.start]
        pngs = [
            (n, t)
            for t, kind, n in self.ws
            if kind == "recv" and t <= self.images[-1] and n > 2000 and sends and t > sends[0]
        ]
        if not sends or not pngs:
            return None
        png_at = max(pngs)[1]  # the largest message: the one carrying the PNG
        return {
            "to send": sends[0] - self.start,
            "kernel round trip": png_at - sends[0],
            "to new src": self.images[-1] - png_at,
            "decode + paint": self.painted[-1] - self.images[-1],
        }


@dataclass
class Result:
    chapter: str
    widget: str
    size: Size
    changes: list[Change] = field(default_factory=list)
    first: list[Change] = field(default_factory=list)  # each control's first change
    problems: list[str] = field(default_factory=list)
    kernel_ms: tuple[float, float] | None = None  # p50, p95 of the Python-side redraw


# ------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(folder: Path) -> None:
    """JupyterLab user settings for the run: no autosave, no news pop-up (otherwise
    the learner's defaults)."""
    settings = {
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }
    for name, values in settings.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def start_lab(book_copy: Path, work: Path, port: int, token: str) -> subprocess.Popen:
    """``scripts/lab --no-browser --port PORT`` on ``book_copy``; returns once it answers."""
    write_settings(work / "settings")
    env = dict(
        os.environ,
        LAB_DIR=str(book_copy),
        JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"),
    )
    log = (work / "jupyterlab.log").open("w")
    proc = subprocess.Popen(
        [
            str(ROOT / "scripts" / "lab"),
            "--no-browser",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api/status?token={token}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"scripts/lab exited; see {work / 'jupyterlab.log'}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("JupyterLab did not answer within 120 s")


def stop_lab(proc: subprocess.Popen) -> None:
    """Stop the server started here (it shuts its kernels down)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def shut_down_kernels(port: int, token: str) -> None:
    base = f"http://127.0.0.1:{port}/api/kernels"
    with urllib.request.urlopen(f"{base}?token={token}") as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/{kernel['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request).close()


# ------------------------------------------------------------ the page


ROOT_SELECTOR = ".bench-widget"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show


def open_and_run(page: Any, port: int, token: str, notebook: str) -> None:
    """Open a chapter in a fresh workspace, Run > Run All Cells, wait until it is done."""
    workspace = f"bench-{notebook.split('_')[0]}"
    page.goto(f"http://127.0.0.1:{port}/lab/workspaces/{workspace}/tree/{notebook}?token={token}")
    page.wait_for_selector(f"{PANEL} .jp-Cell", timeout=120_000)
    page.wait_for_timeout(1500)
    # Opened right after the server starts, JupyterLab may not know the kernels
    # yet and asks which to start; a learner accepts the proposed Python 3.
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        dialog.get_by_role("button", name="Select", exact=True).click()
    idle = f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']"
    page.wait_for_selector(idle, timeout=120_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # Started: the first code cell has a prompt number or a star.
    page.wait_for_function(
        r"""(panel) => /\[[0-9*]+\]/.test(
          document.querySelector(panel + ' .jp-CodeCell .jp-InputPrompt')?.textContent ?? '')""",
        arg=PANEL,
        timeout=120_000,
    )
    # Idle for 2 s in a row: every cell has run (the kernel idles briefly between cells).
    page.wait_for_function(
        """(idle) => {
          const busy = !document.querySelector(idle);
          const now = performance.now();
          if (busy || window.__idleSince === undefined) window.__idleSince = busy ? undefined : now;
          return !busy && now - window.__idleSince > 2000;
        }""",
        arg=idle,
        timeout=300_000,
        polling=200,
    )


def find_widget(page: Any) -> None:
    """Scroll to the chapter's widget (a box holding an image beside or under its
    controls) and mark it. JupyterLab mounts only the cells near the view, so scroll down a
    screen at a time until it is in the page."""
    for _ in range(200):
        found = page.evaluate(
            """(cls) => {
              const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
              const boxes = [...panel.querySelectorAll('.widget-vbox, .widget-hbox')].filter(
                (b) => b.querySelector(':scope > img')
                  && b.querySelector('.widget-inline-hbox, .widget-checkbox'));
              if (boxes.length === 1) {
                boxes[0].classList.add(cls);
                boxes[0].scrollIntoView();
                return 'found';
              }
              const outer = panel.querySelector('.jp-WindowedPanel-outer');
              const before = outer.scrollTop;
              outer.scrollTop += outer.clientHeight * 0.8;
              return outer.scrollTop === before ? 'end' : 'scrolled';
            }""",
            ROOT_SELECTOR[1:],
        )
        if found == "found":
            page.wait_for_timeout(500)
            return
        if found == "end":
            break
        page.wait_for_timeout(150)
    shot = Path(tempfile.gettempdir()) / "bench_lab_widgets_failure.png"
    page.screenshot(path=str(shot))
    raise RuntimeError(f"no widget with an image in the notebook (see {shot})")


def control(page: Any, label: str, kind: str) -> Any:
    """The input of the control whose description is exactly ``label``."""
    if kind == "checkbox":  # its description sits in its own label element
        box = page.locator(f"{ROOT_SELECTOR} .widget-checkbox").filter(has_text=label)
        return box.locator("input[type='checkbox']").first
    selector = {"text": "input[type='text']", "dropdown": "select", "slider": ".noUi-handle"}
    name = page.locator(".widget-label", has_text=re.compile(f"^{re.escape(label)}$"))
    box = page.locator(f"{ROOT_SELECTOR} .widget-inline-hbox").filter(has=name)
    return box.locator(selector[kind]).first


def error_text(page: Any) -> str:
    """The widget's message for rejected input, or "" (a note such as chapter 6's
    accuracy line is not an error)."""
    text = page.locator(f"{ROOT_SELECTOR} .widget-html").first.inner_text().strip()
    return text if "showing the last valid figure" in text else ""


KERNEL: dict[str, int] = {}  # the pid of the running chapter's kernel


def kernel_pid(server_pid: int) -> int:
    """The one ipykernel process the JupyterLab server started."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if ppid == server_pid and b"ipykernel" in (stat.parent / "cmdline").read_bytes():
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    if len(found) != 1:
        raise RuntimeError(f"expected one kernel process, found {found}")
    return found[0]


def schedstat(pid: int) -> tuple[float, float]:
    """ms on a CPU and ms waiting for one, summed over the process's threads."""
    on_cpu = waiting = 0
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            run, wait, _ = (int(x) for x in task.read_text().split())
        except (OSError, ValueError):
            continue
        on_cpu, waiting = on_cpu + run, waiting + wait
    return on_cpu / 1e6, waiting / 1e6


def timed(page: Any, name: str, act: Callable[[], None]) -> Change:
    """Arm the hooks, do ``act`` (one learner action), wait for the image to settle."""
    nan = (float("nan"), float("nan"))
    before = schedstat(KERNEL["pid"]) if "pid" in KERNEL else nan
    server_before = schedstat(KERNEL["server"]) if "server" in KERNEL else nan
    page.evaluate("(root) => window.__bench.arm(root)", ROOT_SELECTOR)
    act()
    # Polled every 100 ms, not every animation frame: polling per frame would keep
    # Chromium drawing frames while the kernel works, on the same two cores.
    page.wait_for_function(
        "(q) => window.__bench.settled(q)",
        arg=QUIET_MS,
        timeout=CHANGE_TIMEOUT_MS,
        polling=100,
    )
    rec = page.evaluate("() => window.__bench.take()")
    after = schedstat(KERNEL["pid"]) if "pid" in KERNEL else before
    server_after = schedstat(KERNEL["server"]) if "server" in KERNEL else server_before
    return Change(
        name,
        rec["start"],
        rec["src"],
        rec["painted"],
        [tuple(w) for w in rec["ws"]],
        after[0] - before[0],
        after[1] - before[1],
        server_after[0] - server_before[0],
        server_after[1] - server_before[1],
    )


def untimed(page: Any, act: Callable[[], None]) -> None:
    """A change that only sets the size; waits for its image like ``timed``."""
    timed(page, "setup", act)


# --------------------------------------------------------- the learner's actions


def type_sentence(page: Any, label: str, text: str) -> Callable[[], None]:
    box = control(page, label, "text")

    def act() -> None:
        box.press("Enter")

    box.fill(text)  # before arming: the change starts with Enter, as for a learner
    return act


def selected(select: Any) -> str:
    """The label of a dropdown's selected option (ipywidgets shows spaces as U+00A0)."""
    return select.evaluate("(s) => s.options[s.selectedIndex].text").replace("\xa0", " ")


def choose(page: Any, label: str, value: str) -> Callable[[], None]:
    select = control(page, label, "dropdown")
    labels = [
        t.replace("\xa0", " ") for t in select.evaluate("(s) => [...s.options].map(o => o.text)")
    ]
    index = labels.index(value)
    return lambda: select.select_option(index=index)


_last_key: dict[str, str] = {}


def slide(page: Any, label: str) -> Callable[[], None]:
    """One arrow key on the slider's handle: back and forth, within its range."""
    handle = control(page, label, "slider")
    now = float(handle.get_attribute("aria-valuenow"))
    top = float(handle.get_attribute("aria-valuemax"))
    bottom = float(handle.get_attribute("aria-valuemin"))
    key = "ArrowLeft" if _last_key.get(label) == "ArrowRight" else "ArrowRight"
    if now >= top:
        key = "ArrowLeft"
    elif now <= bottom:
        key = "ArrowRight"
    _last_key[label] = key
    handle.focus()
    return lambda: handle.press(key)


def toggle(page: Any, label: str) -> Callable[[], None]:
    return lambda: control(page, label, "checkbox").click()


def options(page: Any, label: str) -> list[str]:
    """The labels of a dropdown's options, in order."""
    select = control(page, label, "dropdown")
    return [
        t.replace("\xa0", " ") for t in select.evaluate("(s) => [...s.options].map(o => o.text)")
    ]


def next_option(page: Any, label: str) -> Callable[[], None]:
    """The dropdown's next option (after the last, the first)."""
    labels = options(page, label)
    current = selected(control(page, label, "dropdown"))
    return choose(page, label, labels[(labels.index(current) + 1) % len(labels)])


# ------------------------------------------------------------ the chapters

Controls = Callable[[Any, Size, int], list[tuple[str, Callable[[], Callable[[], None]]]]]


@dataclass
class Chapter:
    notebook: str
    builder: str  # bench_widgets name: the sizes (SETUPS) and the kernel-side timing
    setup: Callable[[Any, Size], None]
    controls: Controls  # (page, size, i) -> [(control, make the i-th action)]
    text: Callable[..., str] = sentence  # the text box's contents at a size

    @property
    def sizes(self) -> list[Size]:
        return SETUPS[self.builder]["sizes"]

    @property
    def widget(self) -> str:
        return self.builder.split(".")[-1]


def setup_text(label: str, heads_label: str | None = None, text: Callable[..., str] = sentence):
    """Type the size's text (and choose its heads) unless the widget shows it already."""

    def setup(page: Any, size: Size) -> None:
        if size.tokens is not None:
            wanted = text(size.tokens)
            if control(page, label, "text").input_value() != wanted:
                untimed(page, type_sentence(page, label, wanted))
        if heads_label and size.heads:
            select = control(page, heads_label, "dropdown")
            if selected(select) != str(size.heads):
                untimed(page, choose(page, heads_label, str(size.heads)))
        page.wait_for_timeout(200)

    return setup


def self_attention_controls(page: Any, size: Size, i: int):
    return [
        ("sentence", lambda: type_sentence(page, "sentence", sentence(size.tokens, 1 + i % 2))),
        ("scaling", lambda: toggle(page, "divide by sqrt(d_k)")),
        ("query", lambda: slide(page, "query #")),
    ]


_removals_seen: set[str] = set()


def induction_controls(page: Any, size: Size, i: int):
    # The widget measures the accuracy without a set of heads the first time it
    # shows it (a forward pass over the 500 evaluation sequences), then reuses
    # it: those first visits are timed as their own control.
    labels = options(page, "remove")
    now = selected(control(page, "remove", "dropdown"))
    upcoming = labels[(labels.index(now) + 1) % len(labels)]
    _removals_seen.add(now)
    remove = "remove" if upcoming in _removals_seen else "remove (first visit)"
    _removals_seen.add(upcoming)
    return [
        ("tokens", lambda: type_sentence(page, "tokens", induction_tokens(size.tokens, 1 + i % 2))),
        ("head", lambda: next_option(page, "head")),
        (remove, lambda: next_option(page, "remove")),
    ]


CHAPTERS = [
    Chapter(
        "03_self_attention.ipynb",
        "self_attention.self_attention_widget",
        setup_text("sentence"),
        self_attention_controls,
    ),
    Chapter(
        "06_learned_attention.ipynb",
        "induction.induction_widget",
        setup_text("tokens", text=induction_tokens),
        induction_controls,
        induction_tokens,
    ),
]


def measure_chapter(
    page: Any, chapter: Chapter, count: int, port: int, token: str, server_pid: int
) -> list[Result]:
    print(f"  {chapter.notebook}: Run All Cells ...", file=sys.stderr, flush=True)
    KERNEL.clear()
    open_and_run(page, port, token, chapter.notebook)
    KERNEL["pid"] = kernel_pid(server_pid)
    KERNEL["server"] = server_pid  # scripts/lab execs jupyter lab: the same process
    errors = page.locator("[data-mime-type='application/vnd.jupyter.error']").count()
    find_widget(page)
    results = []
    for size in chapter.sizes:
        result = Result(chapter.notebook, chapter.widget, size)
        if errors:
            result.problems.append(f"{errors} cell(s) raised an error during Run All")
        print(f"    {size.label} ...", file=sys.stderr, flush=True)
        chapter.setup(page, size)
        if error_text(page):
            result.problems.append("size rejected: " + error_text(page))
        for i in range(count + 1):
            for name, make in chapter.controls(page, size, i):
                try:
                    change = timed(page, name, make())
                except Exception as exc:  # noqa: BLE001 - report and go on
                    result.problems.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
                    continue
                if error_text(page):
                    result.problems.append(f"{name}: widget says {error_text(page)[:100]}")
                (result.first if i == 0 else result.changes).append(change)
        results.append(result)
    shut_down_kernels(port, token)
    return results


# ------------------------------------------------------- the kernel side alone


def kernel_side(chapter: Chapter, size: Size, count: int) -> tuple[float, float]:
    """p50, p95 (ms) of the same widget's redraws driven in this process."""
    import matplotlib

    matplotlib.use("Agg")
    p50, p95, _ = summary_ms(kernel_redraws(chapter.builder, size, count))
    return p50, p95


# ------------------------------------------------------------------ report


def report(results: list[Result], chromium_version: str) -> None:
    print(f"Chromium {chromium_version} (headless), JupyterLab started by scripts/lab\n")
    rows = []
    for r in results:
        if not r.changes:
            rows.append([r.widget, r.size.label, 0] + ["-"] * 8)
            continue
        p50, p95, worst = summary_ms([c.image_ms / 1e3 for c in r.changes])
        painted = summary_ms([c.painted_ms / 1e3 for c in r.changes])[1]
        # The same changes with the kernel's wait for a core taken out: an estimate
        # of what the machine's other work cost (Chromium and the server may wait too).
        unloaded = summary_ms([(c.image_ms - c.kernel_wait) / 1e3 for c in r.changes])[1]
        target = r.size.lab_target_ms
        per_control = {}
        for c in r.changes:
            per_control.setdefault(c.control, []).append(c.image_ms / 1e3)
        rows.append(
            [
                r.widget,
                r.size.label,
                len(r.changes),
                f"{p50:.0f}",
                f"{p95:.0f}",
                f"{worst:.0f}",
                f"{painted:.0f}",
                f"{unloaded:.0f}",
                ", ".join(f"{c.control} {c.image_ms:.0f}" for c in r.first) or "-",
                "ok" if p95 <= target else f"MISS (> {target:.0f})",
                ", ".join(f"{k} {summary_ms(v)[1]:.0f}" for k, v in per_control.items()),
            ]
        )
    print_table(
        [
            "widget",
            "size",
            "changes",
            "p50 ms",
            "p95 ms",
            "max ms",
            "p95 painted",
            "p95 - kernel wait",
            "first change",
            "target",
            "p95 ms per control",
        ],
        rows,
    )
    print("\nWhere the time goes (medians, ms; kernel redraw alone timed in this process):")
    rows = []
    for r in results:
        controls = ["all"] + sorted({c.control for c in r.changes})
        for name in controls:
            changes = [c for c in r.changes if name in ("all", c.control)]
            phases = [p for p in (c.phases() for c in changes) if p]
            if not phases:
                continue
            med = {k: float(np.median([p[k] for p in phases])) for k in phases[0]}
            cpu = float(np.median([c.kernel_cpu for c in changes]))
            wait = float(np.median([c.kernel_wait for c in changes]))
            server_wait = float(np.median([c.server_wait for c in changes]))
            kernel = f"{r.kernel_ms[0]:.0f} / {r.kernel_ms[1]:.0f}" if r.kernel_ms else "-"
            rows.append(
                [
                    r.widget,
                    r.size.label,
                    name,
                    f"{med['to send']:.1f}",
                    f"{med['kernel round trip']:.1f}",
                    kernel if name == "all" else "",
                    f"{cpu:.1f}",
                    f"{wait:.1f}",
                    f"{server_wait:.1f}",
                    f"{med['to new src']:.1f}",
                    f"{med['decode + paint']:.1f}",
                ]
            )
    print_table(
        [
            "widget",
            "size",
            "control",
            "event -> ws send",
            "ws round trip",
            "kernel redraw p50 / p95",
            "kernel on CPU",
            "kernel waiting for a core",
            "server waiting for a core",
            "PNG in -> new src",
            "decode + paint",
        ],
        rows,
    )
    print("\nThe slowest changes (the tail the p95 falls in), ms:")
    rows = []
    for r in results:
        for c in sorted(r.changes, key=lambda c: c.image_ms)[-3:][::-1]:
            phase = c.phases() or {}
            rows.append(
                [
                    r.widget,
                    r.size.label,
                    c.control,
                    f"{c.image_ms:.0f}",
                    f"{phase.get('to send', float('nan')):.1f}",
                    f"{phase.get('kernel round trip', float('nan')):.1f}",
                    f"{c.kernel_cpu:.1f}",
                    f"{c.kernel_wait:.1f}",
                    f"{c.server_cpu:.1f}",
                    f"{c.server_wait:.1f}",
                    f"{phase.get('to new src', float('nan')):.1f}",
                ]
            )
    print_table(
        [
            "widget",
            "size",
            "control",
            "to new image",
            "event -> ws send",
            "ws round trip",
            "kernel on CPU",
            "kernel waiting",
            "server on CPU",
            "server waiting",
            "PNG in -> new src",
        ],
        rows,
    )
    notes = [f"{r.widget} ({r.size.label}): {p}" for r in results for p in r.problems]
    if notes:
        print("\nProblems:")
        for note in notes:
            print("  - " + note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 changes per control, not 20")
    parser.add_argument("--only", help="chapter file name (substring) to run")
    parser.add_argument("--headed", action="store_true", help="show the browser")
    parser.add_argument("--no-kernel-side", action="store_true", help="skip the in-process timing")
    parser.add_argument("--json", help="also write every change's timestamps to this file")
    args = parser.parse_args()
    count = 8 if args.quick else 20
    chapters = [c for c in CHAPTERS if not args.only or args.only in c.notebook]

    from playwright.sync_api import sync_playwright

    print_machine("Widget latency in JupyterLab, end to end (key press -> new image)")
    token = os.urandom(12).hex()
    port = free_port()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench_lab_") as tmp:
        work = Path(tmp)
        book_copy = work / "book"
        shutil.copytree(ROOT / "book", book_copy, ignore=shutil.ignore_patterns(".*", "_ext"))
        print(f"  starting scripts/lab on port {port} ...", file=sys.stderr, flush=True)
        lab = start_lab(book_copy, work, port, token)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=not args.headed
                )
                version = browser.version
                for chapter in chapters:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.add_init_script(PAGE_HOOKS)
                    try:
                        results += measure_chapter(page, chapter, count, port, token, lab.pid)
                    except Exception as exc:  # noqa: BLE001 - report, go on
                        shot = Path(tempfile.gettempdir()) / f"bench_lab_{chapter.notebook}.png"
                        page.screenshot(path=str(shot))
                        exc = RuntimeError(f"{exc} (screenshot: {shot})")
                        results.append(
                            Result(
                                chapter.notebook,
                                chapter.widget,
                                chapter.sizes[0],
                                problems=[f"FAILED: {type(exc).__name__}: {str(exc)[:300]}"],
                            )
                        )
                    page.close()
                browser.close()
        finally:
            stop_lab(lab)
            log = (work / "jupyterlab.log").read_text(encoding="utf-8", errors="replace")
            warnings = [ln for ln in log.splitlines() if "WARNING" in ln or "[E " in ln]
    if not args.no_kernel_side:
        print("  kernel side alone ...", file=sys.stderr, flush=True)
        by_name = {c.widget: c for c in chapters}
        for r in results:
            if r.changes:
                r.kernel_ms = kernel_side(by_name[r.widget], r.size, count)
    report(results, version if chapters else "?")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nLoad at the end: {load} (1, 5, 15 min)")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {
                        **r.__dict__,
                        "size": r.size.__dict__,
                        "changes": [c.__dict__ for c in r.changes],
                        "first": [c.__dict__ for c in r.first],
                    }
                    for r in results
                ]
            ),
            encoding="utf-8",
        )
    if warnings:
        print("\nJupyterLab log warnings/errors:")
        for line in warnings[:10]:
            print("  " + line[:200])


if __name__ == "__main__":
    main()
