"""Helpers shared by the benchmark scripts: machine description and statistics.

The scripts print measured figures; they are not tests. Every script starts by
printing the machine it ran on (CPU, cores, load, NumPy and its BLAS), since a
figure without its machine means little.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or platform.processor())."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_info() -> str:
    """NumPy's BLAS library, version and thread settings, in one line."""
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        text = f"{blas.get('name', '?')} {blas.get('version', '?')}"
    except Exception:  # noqa: BLE001 - the description is best effort
        text = "unknown"
    counts = [f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info()]
    return text + " (threads: " + (", ".join(counts) or "no thread pool found") + ")"


def machine_lines() -> list[str]:
    """Lines describing the machine, for the top of every benchmark's output."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        f"CPU:     {cpu_model()}",
        f"Cores:   {os.cpu_count()} logical, {affinity} usable by this process",
        f"Load:    {load} (1, 5, 15 min; other work on the machine slows every figure)",
        f"Python:  {sys.version.split()[0]} on {platform.platform()}",
        f"NumPy:   {np.__version__}; BLAS: {blas_info()}",
    ]


def print_machine(title: str) -> None:
    """Print a title line and the machine description."""
    print(f"# {title}")
    for line in machine_lines():
        print(line)
    print()


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation, like numpy's default."""
    return float(np.percentile(np.asarray(values, dtype=float), q))


def summary_ms(seconds: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p95, max) of durations given in seconds, returned in milliseconds."""
    ms = [s * 1e3 for s in seconds]
    return percentile(ms, 50), percentile(ms, 95), max(ms)


def print_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a GitHub-markdown table (pasteable into the README)."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |"

    print(fmt(cells[0]))
    print("|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    for row in cells[1:]:
        print(fmt(row))


def median(values: Sequence[float]) -> float:
    """Median of a sequence of numbers."""
    return statistics.median(values)
