"""Redraw time of every local widget: value change -> new image (compute + render).

Widget builders are discovered in attn_book.widgets: every public function of
one of its modules whose source calls ``guarded_view(`` (plus any listed in
``EXTRA_BUILDERS``). Each is built with its defaults, then put in two sizes
where it has such parameters: 12 tokens / 4 heads and 64 tokens / 8 heads
(through builder keyword arguments named like text/sentence/tokens and
num_heads/heads, and through controls named that way). Then every other control
is changed repeatedly (checkboxes toggled, sliders and dropdowns stepped
through their values, a text box alternated between two sentences of the same
length). ``guarded_view`` redraws synchronously inside the assignment
``control.value = new``, so timing that assignment times the whole redraw; the
image is checked to have changed (or the change is reported as rejected).

Printed per widget and size: p50, p95 and max over all changes, against the
targets p95 <= 50 ms (12 tokens, 4 heads) and <= 100 ms (64 tokens, 8 heads).
A widget that misses its target is profiled (cProfile, top functions).

Run: ``.venv/bin/python benchmarks/bench_widgets.py`` (``--quick``: fewer changes;
``--only NAME``: one builder; ``--profile``: profile every widget).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import inspect
import io
import pkgutil
import pstats
import re
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
from _common import print_machine, print_table, summary_ms  # noqa: E402

import attn_book.widgets  # noqa: E402
from attn_book.widgets.view import WidgetWithFallback  # noqa: E402

# Builders discovery might miss: "module:function" strings.
EXTRA_BUILDERS: list[str] = []
CONFIGS = [(12, 4, 50.0), (64, 8, 100.0)]  # tokens, heads, p95 target in ms
WORDS = (
    "the cat sat on a mat while her dog slept by warm fire and birds sang outside "
    "until evening rain began to fall softly over quiet old town"
).split()
TEXT_PARAMS = ("text", "sentence", "tokens", "source", "words")
HEADS_PARAMS = ("num_heads", "heads", "n_heads")


def sentence(n_tokens: int, shift: int = 0) -> str:
    """A sentence of ``n_tokens`` lowercase words (``shift`` varies the words)."""
    return " ".join(WORDS[(i + shift) % len(WORDS)] for i in range(n_tokens))


# Builders that need more than their defaults: required arguments, their own kind
# of text, and the sizes that make sense for them (tokens, heads, p95 target ms).
# (The history chapter's translation widget became a kernel-free explorer:
# benchmarks/bench_translation_explorer.py.)
SETUPS: dict[str, dict[str, Any]] = {}


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
    builder: Callable[..., WidgetWithFallback], tokens: int, heads: int, setup: dict[str, Any]
) -> tuple[WidgetWithFallback, list[str]]:
    """Build the widget in the given size; return it and notes on how the size was set."""
    notes = []
    params = inspect.signature(builder).parameters
    kwargs: dict[str, Any] = setup["kwargs"]() if "kwargs" in setup else {}
    make_text = setup.get("text", sentence)
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
    for p in HEADS_PARAMS:
        if p in params:
            kwargs[p] = heads
            notes.append(f"{p}={heads}")
            break
    view = builder(**kwargs)
    for name, control in view.controls.items():
        kind = classify(name, control)
        if kind == "text" and control.value != make_text(tokens):
            control.value = make_text(tokens)
            notes.append(f"control {name}=<{tokens} tokens>")
        elif kind == "num_heads":
            value = heads_value(control, heads)
            if value is not None and control.value != value:
                control.value = value
                notes.append(f"control {name}={heads}")
            elif value is None:
                notes.append(f"control {name} cannot take {heads}")
    if view.status is not None and view.status.value:
        notes.append("REJECTED size: " + re.sub("<[^>]+>", "", view.status.value))
    return view, notes


def drive(
    view: WidgetWithFallback,
    tokens: int,
    heads: int,
    changes: int,
    make_text: Callable[..., str] = sentence,
) -> tuple[dict[str, list[float]], list[str]]:
    """Change every control ``changes`` times; return per-control durations (s)."""
    durations: dict[str, list[float]] = {}
    problems = []
    for name, control in view.controls.items():
        kind = classify(name, control)
        if kind == "text":
            values = [make_text(tokens, shift=1 + i % 2) for i in range(changes)]
        elif kind == "num_heads":
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
        rejected = 0
        for value in values:
            before = view.image.value if view.image is not None else None
            start = time.perf_counter()
            control.value = value
            elapsed = time.perf_counter() - start
            if view.status is not None and view.status.value:
                rejected += 1
                continue
            if view.image is not None and view.image.value is before:
                problems.append(f"{name}={value!r}: image not updated")
            times.append(elapsed)
        if rejected:
            problems.append(
                f"{name}: {rejected}/{len(values)} changes rejected ("
                + re.sub("<[^>]+>", "", view.status.value)[:120]
                + ")"
            )
        if times:
            durations[name] = times[1:] if len(times) > 2 else times  # drop first (warm-up)
    return durations, problems


def profile_changes(
    view: WidgetWithFallback, tokens: int, heads: int, changes: int, make_text: Callable[..., str]
) -> str:
    """cProfile of driving the controls; the top functions by cumulative and own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    drive(view, tokens, heads, changes, make_text)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(18)
    stats.sort_stats("tottime").print_stats(10)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    return "\n".join("    " + ln for ln in lines)


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
        for tokens, heads, target in setup.get("configs", CONFIGS):
            print(f"  {name}: {tokens} tokens, {heads} heads ...", file=sys.stderr, flush=True)
            try:
                view, notes = build(builder, tokens, heads, setup)
                durations, problems = drive(view, tokens, heads, changes, make_text)
            except Exception:  # noqa: BLE001 - report and carry on with the others
                notes_out.append(
                    f"{name} ({tokens} tok, {heads} heads) FAILED:\n"
                    + traceback.format_exc(limit=3)
                )
                continue
            everything = [t for ts in durations.values() for t in ts]
            if not everything:
                notes_out.append(
                    f"{name} ({tokens}/{heads}): no change could be timed; "
                    + "; ".join(notes + problems)
                )
                continue
            p50, p95, worst = summary_ms(everything)
            verdict = "ok" if p95 <= target else f"MISS (> {target:.0f} ms)"
            per_control = ", ".join(f"{c} {summary_ms(ts)[1]:.0f}" for c, ts in durations.items())
            rows.append(
                [
                    name,
                    tokens,
                    heads,
                    len(everything),
                    f"{p50:.1f}",
                    f"{p95:.1f}",
                    f"{worst:.1f}",
                    verdict,
                    per_control,
                ]
            )
            if notes or problems:
                notes_out.append(
                    f"{name} ({tokens} tok, {heads} heads): " + "; ".join(notes + problems)
                )
            if args.profile or p95 > target:
                profiles.append(
                    (
                        f"{name} ({tokens} tokens, {heads} heads)",
                        profile_changes(view, tokens, heads, max(5, changes // 3), make_text),
                    )
                )
    print_table(
        [
            "widget",
            "tokens",
            "heads",
            "changes",
            "p50 ms",
            "p95 ms",
            "max ms",
            "target",
            "p95 ms per control",
        ],
        rows,
    )
    print("\nHow each size was set / anything odd:")
    for note in notes_out:
        print("  - " + note)
    for title, text in profiles:
        print(f"\n## Profile: {title}\n{text}")


if __name__ == "__main__":
    main()
