"""Redraw time of every local widget: value change -> new image (compute + render).

Widget builders are discovered in attn_book.widgets: every public function of
one of its modules whose source calls ``guarded_view(`` (plus any listed in
``EXTRA_BUILDERS``). Each is built in the sizes that make sense for it
(``SETUPS``; a builder not listed there gets ``DEFAULT_SIZES``):

- chapter 3, ``self_attention_widget`` (a sentence, no heads): 12 and 64 tokens;
- chapter 6, ``induction_widget``: the chapter's trained model (seed 0, the
  default settings of ``attn_book.induction.train``; 2 layers of 2 heads) and
  its 500 evaluation sequences, shown on a sequence of 24 tokens (the model's
  length; the tokens box alternates between evaluation sequences).

A size is set through builder keyword arguments named like text/sentence and
num_heads/heads, and through controls named that way. Then every other
control is changed repeatedly (checkboxes toggled, sliders and dropdowns
stepped through their values, a text box alternated between two texts of the
same length). ``guarded_view`` redraws synchronously inside the assignment
``control.value = new``, so timing that assignment times the whole redraw.

Printed per widget and size: p50, p95 and max over all changes (each control's
first change left out as warm-up), against the targets p95 <= 50 ms (12
tokens / 4 heads, and the widgets without heads or at their own size) and
<= 100 ms (64 tokens / 8 heads). A widget that misses its target is profiled
(cProfile, top functions).

Run: ``.venv/bin/python benchmarks/bench_widgets.py`` (``--quick``: fewer changes;
``--only NAME``: one builder; ``--profile``: profile every widget).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import inspect
import io
import os
import pkgutil
import pstats
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
from _common import print_machine, print_table, summary_ms  # noqa: E402

import attn_book.widgets  # noqa: E402
from attn_book.widgets.view import WidgetWithFallback  # noqa: E402

# Builders discovery might miss: "module:function" strings.
EXTRA_BUILDERS: list[str] = []
WORDS = (
    "the cat sat on a mat while her dog slept by warm fire and birds sang outside "
    "until evening rain began to fall softly over quiet old town"
).split()
TEXT_PARAMS = ("text", "sentence", "tokens", "source", "words")
HEADS_PARAMS = ("num_heads", "heads", "n_heads")


@dataclass(frozen=True)
class Size:
    """One size to build a widget in, and its p95 target (ms, Python side)."""

    label: str  # as printed, e.g. "12 tokens, 4 heads"
    tokens: int | None  # words in the text box (None: the widget has no text)
    heads: int | None  # heads to set (None: leave the widget's own)
    target_ms: float  # p95 of the redraw in the kernel (this script)
    lab_target_ms: float  # p95 key press -> new image in JupyterLab (bench_lab_widgets.py)


# The small sizes, and the widgets at their own size, have the targets of 12
# tokens / 4 heads; 64 tokens / 8 heads the larger ones.
SMALL = {"target_ms": 50.0, "lab_target_ms": 100.0}
LARGE = {"target_ms": 100.0, "lab_target_ms": 150.0}
#: A widget with a sentence and heads (and any builder not in SETUPS).
DEFAULT_SIZES = [
    Size("12 tokens, 4 heads", 12, 4, **SMALL),
    Size("64 tokens, 8 heads", 64, 8, **LARGE),
]


def sentence(n_tokens: int, shift: int = 0) -> str:
    """A sentence of ``n_tokens`` lowercase words (``shift`` varies the words)."""
    return " ".join(WORDS[(i + shift) % len(WORDS)] for i in range(n_tokens))


@lru_cache(maxsize=1)
def induction_evaluation() -> Any:
    """Chapter 6's 500 evaluation sequences (``attn_book.induction.make_batch``)."""
    from attn_book import induction as ind

    return ind.make_batch(ind.EVAL_SEED, ind.EVAL_SIZE)


@lru_cache(maxsize=1)
def induction_model() -> dict[str, Any]:
    """Chapter 6's trained model (seed 0, the chapter's settings) and evaluation batch."""
    from attn_book import induction as ind

    return {"params": ind.train(ind.init_params(0)).params, "batch": induction_evaluation()}


def induction_tokens(n_tokens: int, shift: int = 0) -> str:
    """The first ``n_tokens`` of evaluation sequence ``shift``, as typed in the box."""
    return " ".join(str(t) for t in induction_evaluation().tokens[shift][:n_tokens])


# Builders that need more than their defaults: required arguments ("kwargs"),
# their own kind of text ("text"), and the sizes that make sense for them.
SETUPS: dict[str, dict[str, Any]] = {
    "self_attention.self_attention_widget": {
        "sizes": [Size("12 tokens", 12, None, **SMALL), Size("64 tokens", 64, None, **LARGE)],
    },
    "induction.induction_widget": {
        "kwargs": induction_model,
        "text": induction_tokens,
        "sizes": [Size("24 tokens, 2 layers x 2 heads", 24, None, **SMALL)],
    },
}


def discover_builders(extra: list[str]) -> dict[str, Callable[..., WidgetWithFallback]]:
    """name -> builder, for every attn_book.widgets function that builds a guarded_view."""
    found: dict[str, Callable[..., WidgetWithFallback]] = {}
    for info in pkgutil.iter_modules(attn_book.widgets.__path__):
        if info.name == "view":
            continue
        name = f"attn_book.widgets.{info.name}"
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a half-written module must not stop us
            print(f"(could not import {name}: {type(exc).__name__}: {exc})")
            continue
        for fname, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != name or fname.startswith("_"):
                continue
            try:
                source = inspect.getsource(fn)
            except (OSError, TypeError):
                continue
            if "guarded_view(" in source or re.match(r"build_.*widget|.*_widget$", fname):
                found[f"{info.name}.{fname}"] = fn
    for spec in EXTRA_BUILDERS + extra:
        module_name, fname = spec.split(":")
        found[f"{module_name.split('.')[-1]}.{fname}"] = getattr(
            importlib.import_module(module_name), fname
        )
    return found


def classify(name: str, control: widgets.Widget) -> str:
    """'text', 'num_heads' or 'other' for a control, from its name and type."""
    lowered = name.lower()
    if isinstance(control, widgets.Text | widgets.Textarea) and not isinstance(
        control, widgets.Password
    ):
        return "text"
    if lowered in HEADS_PARAMS or lowered.endswith("num_heads"):
        return "num_heads"
    return "other"


def options_of(control: widgets.Widget) -> list[Any]:
    """The values a selection widget offers."""
    values = []
    for option in getattr(control, "options", ()):
        values.append(option[1] if isinstance(option, tuple) and len(option) == 2 else option)
    return values


def change_values(control: widgets.Widget, current: Any, count: int) -> list[Any]:
    """A cycle of ``count`` new values for ``control``, each different from the last."""
    if isinstance(control, widgets.Checkbox | widgets.ToggleButton):
        return [not current if i % 2 == 0 else current for i in range(count)]
    if hasattr(control, "options"):
        values = options_of(control)
        if len(values) < 2:
            return []
        start = values.index(current) if current in values else 0
        cycle = values[start + 1 :] + values[: start + 1]
        return [cycle[i % len(cycle)] for i in range(count)]
    if isinstance(control, widgets.IntSlider | widgets.BoundedIntText | widgets.IntText):
        low = getattr(control, "min", current - 2)
        high = getattr(control, "max", current + 2)
        step = getattr(control, "step", 1) or 1
        values = list(range(low, high + 1, step))[:16]
        if len(values) < 2:
            return []
        start = values.index(current) if current in values else 0
        cycle = values[start + 1 :] + values[: start + 1]
        return [cycle[i % len(cycle)] for i in range(count)]
    if isinstance(control, widgets.FloatSlider | widgets.BoundedFloatText | widgets.FloatLogSlider):
        if isinstance(control, widgets.FloatLogSlider):
            low = control.base**control.min
            high = control.base**control.max
        else:
            low, high = control.min, control.max
        values = [low + (high - low) * f for f in (0.1, 0.3, 0.5, 0.7, 0.9)]
        return [values[i % len(values)] for i in range(count)]
    return []


def heads_value(control: widgets.Widget, heads: int) -> Any:
    """``heads`` if the control accepts it, else None."""
    if hasattr(control, "options"):
        return heads if heads in options_of(control) else None
    low, high = getattr(control, "min", heads), getattr(control, "max", heads)
    return heads if low <= heads <= high else None


def build(
    builder: Callable[..., WidgetWithFallback], size: Size, setup: dict[str, Any]
) -> tuple[WidgetWithFallback, list[str]]:
    """Build the widget in the given size; return it and notes on how the size was set."""
    notes = []
    params = inspect.signature(builder).parameters
    kwargs: dict[str, Any] = setup["kwargs"]() if "kwargs" in setup else {}
    make_text = setup.get("text", sentence)
    tokens, heads = size.tokens, size.heads
    if tokens is not None:
        for p in TEXT_PARAMS:
            if p in params:
                default = params[p].default
                kwargs[p] = (
                    make_text(tokens).split()
                    if isinstance(default, list | tuple)
                    else make_text(tokens)
                )
                notes.append(f"{p}=<{tokens} tokens>")
                break
    if heads is not None:
        for p in HEADS_PARAMS:
            if p in params:
                kwargs[p] = heads
                notes.append(f"{p}={heads}")
                break
    start = time.perf_counter()
    view = builder(**kwargs)
    notes.insert(0, f"built in {(time.perf_counter() - start) * 1e3:.0f} ms")
    for name, control in view.controls.items():
        kind = classify(name, control)
        if kind == "text" and tokens is not None and control.value != make_text(tokens):
            control.value = make_text(tokens)
            notes.append(f"control {name}=<{tokens} tokens>")
        elif kind == "num_heads" and heads is not None:
            value = heads_value(control, heads)
            if value is not None and control.value != value:
                control.value = value
                notes.append(f"control {name}={heads}")
            elif value is None:
                notes.append(f"control {name} cannot take {heads}")
    if rejected(view):
        notes.append("REJECTED size: " + re.sub("<[^>]+>", "", view.status.value))
    return view, notes


def rejected(view: WidgetWithFallback) -> bool:
    """True when the status line shows an error (not a note such as the accuracy)."""
    return view.status is not None and "showing the last valid figure" in view.status.value


def drive(
    view: WidgetWithFallback,
    size: Size,
    changes: int,
    make_text: Callable[..., str] = sentence,
) -> tuple[dict[str, list[float]], list[str]]:
    """Change every control ``changes`` times; return per-control durations (s)."""
    durations: dict[str, list[float]] = {}
    problems = []
    for name, control in view.controls.items():
        kind = classify(name, control)
        heads = size.heads
        if kind == "text":
            n = size.tokens if size.tokens is not None else len(str(control.value).split())
            values = [make_text(n, shift=1 + i % 2) for i in range(changes)]
        elif kind == "num_heads" and heads is not None:
            # Alternate between the size's head count and the next smaller valid one.
            other = next(
                (
                    h
                    for h in (heads // 2, heads - 1, 1, 2)
                    if h != heads and heads_value(control, h) is not None
                ),
                None,
            )
            values = [other if i % 2 == 0 else heads for i in range(changes)] if other else []
        else:
            values = change_values(control, control.value, changes)
        times = []
        bad = 0
        unchanged = 0
        first = control.value
        for value in values:
            before = view.image.value if view.image is not None else None
            start = time.perf_counter()
            control.value = value
            elapsed = time.perf_counter() - start
            if rejected(view):
                bad += 1
                continue
            if view.image is not None and view.image.value == before:
                unchanged += 1  # redrawn, but the same picture (timed all the same)
            times.append(elapsed)
        if control.value != first:
            # Back to the start, untimed: the next control is driven from the
            # widget's starting state, where each change shows.
            control.value = first
        if bad:
            problems.append(
                f"{name}: {bad}/{len(values)} changes rejected ("
                + re.sub("<[^>]+>", "", view.status.value)[:120]
                + ")"
            )
        if unchanged:
            problems.append(f"{name}: {unchanged}/{len(values)} changes redrew the same image")
        if times:
            durations[name] = times[1:] if len(times) > 2 else times  # drop first (warm-up)
    return durations, problems


def profile_changes(
    view: WidgetWithFallback, size: Size, changes: int, make_text: Callable[..., str]
) -> str:
    """cProfile of driving the controls; the top functions by cumulative and own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    drive(view, size, changes, make_text)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(18)
    stats.sort_stats("tottime").print_stats(10)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    return "\n".join("    " + ln for ln in lines)


def kernel_redraws(name: str, size: Size, changes: int) -> list[float]:
    """Every timed redraw (s) of builder ``name`` (e.g. "self_attention.self_attention_widget")
    at ``size``: what bench_lab_widgets.py prints beside the kernel's round trip."""
    builder = discover_builders([])[name]
    setup = SETUPS.get(name, {})
    view, _ = build(builder, size, setup)
    durations, _ = drive(view, size, changes, setup.get("text", sentence))
    return [t for ts in durations.values() for t in ts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 changes per control, not 30")
    parser.add_argument("--only", help="builder name (substring) to run")
    parser.add_argument("--profile", action="store_true", help="profile every widget")
    parser.add_argument(
        "--builder",
        action="append",
        default=[],
        help="extra builder as module:function (repeatable)",
    )
    args = parser.parse_args()
    changes = 10 if args.quick else 30

    print_machine("Widget redraw benchmark (value change -> new image)")
    builders = discover_builders(args.builder)
    if args.only:
        builders = {k: v for k, v in builders.items() if args.only in k}
    if not builders:
        print("No widget builders found in attn_book.widgets.")
        return
    print("Builders: " + ", ".join(builders) + "\n")
    rows, notes_out, profiles = [], [], []
    for name, builder in builders.items():
        setup = SETUPS.get(name, {})
        make_text = setup.get("text", sentence)
        for size in setup.get("sizes", DEFAULT_SIZES):
            print(f"  {name}: {size.label} ...", file=sys.stderr, flush=True)
            try:
                view, notes = build(builder, size, setup)
                durations, problems = drive(view, size, changes, make_text)
            except Exception:  # noqa: BLE001 - report and carry on with the others
                notes_out.append(f"{name} ({size.label}) FAILED:\n" + traceback.format_exc(limit=3))
                continue
            everything = [t for ts in durations.values() for t in ts]
            if not everything:
                notes_out.append(
                    f"{name} ({size.label}): no change could be timed; "
                    + "; ".join(notes + problems)
                )
                continue
            p50, p95, worst = summary_ms(everything)
            target = size.target_ms
            verdict = "ok" if p95 <= target else f"MISS (> {target:.0f} ms)"
            per_control = ", ".join(f"{c} {summary_ms(ts)[1]:.0f}" for c, ts in durations.items())
            rows.append(
                [
                    name,
                    size.label,
                    len(everything),
                    f"{p50:.1f}",
                    f"{p95:.1f}",
                    f"{worst:.1f}",
                    f"<= {target:.0f}",
                    verdict,
                    per_control,
                ]
            )
            if notes or problems:
                notes_out.append(f"{name} ({size.label}): " + "; ".join(notes + problems))
            if args.profile or p95 > target:
                profiles.append(
                    (
                        f"{name} ({size.label})",
                        profile_changes(view, size, max(5, changes // 3), make_text),
                    )
                )
    print_table(
        [
            "widget",
            "size",
            "changes",
            "p50 ms",
            "p95 ms",
            "max ms",
            "target p95",
            "",
            "p95 ms per control",
        ],
        rows,
    )
    print("\nHow each size was set / anything odd:")
    for note in notes_out:
        print("  - " + note)
    for title, text in profiles:
        print(f"\n## Profile: {title}\n{text}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nLoad at the end: {load} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
