"""The machine a benchmark ran on: every script prints it first (a figure needs its machine)."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import numpy as np


def print_machine(title: str) -> None:
    """Print the title, the CPU, the load, Python and NumPy with its BLAS."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(title)
    print(f"CPU: {cpu}, {os.cpu_count()} cores; load {load} (1, 5, 15 min)")
    print(
        f"Python {sys.version.split()[0]}; NumPy {np.__version__}, {blas['name']} {blas['version']}"
    )
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")


def print_table(header: list[str], rows: list[list[object]]) -> None:
    """Print a Markdown table, ready to paste into the README."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for k, row in enumerate(cells):
        print("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
