"""Time every chapter notebook executed the way nbval executes it.

Each ``book/*.ipynb`` runs in a fresh ``python3`` kernel of this environment
(nbval's ``--nbval-current-env``), with the working directory set to
``book/``, every cell in order. The script prints, per notebook, the wall time
from kernel start to shutdown, the time spent inside cells, the slowest cell,
and flags any notebook over the 10 s budget and a total over 30 s (targets on a
2-core machine; CI executes each notebook twice: nbval, then the book build).

Run: ``.venv/bin/python benchmarks/bench_notebooks.py`` (optionally a list of
notebooks; ``--repeat N`` keeps each notebook's best of N runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from _common import ROOT, print_machine, print_table
from nbclient import NotebookClient

NOTEBOOK_BUDGET_S = 10.0
TOTAL_BUDGET_S = 30.0


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def cell_seconds(cell: nbformat.NotebookNode) -> float:
    """Time a code cell spent executing, from the timing nbclient records."""
    timing = cell.get("metadata", {}).get("execution", {})
    start = timing.get("iopub.execute_input") or timing.get("shell.execute_request")
    end = timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (_stamp(end) - _stamp(start)).total_seconds()


def run_notebook(path: Path) -> tuple[float, float, list[tuple[float, int, str]], str | None]:
    """Execute one notebook; return (wall s, in-cell s, cells slowest first, error or None)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(path.parent)}},
    )
    error = None
    start = time.perf_counter()
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - report and carry on with the others
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"
    wall = time.perf_counter() - start
    cells = [
        (cell_seconds(c), i, c.source.strip().splitlines()[0][:50] if c.source else "")
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
    ]
    in_cells = sum(c[0] for c in cells)
    return wall, in_cells, sorted(cells, reverse=True) or [(0.0, -1, "")], error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: book/*.ipynb")
    parser.add_argument("--repeat", type=int, default=1, help="keep the best of N runs")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    print_machine("Notebook execution benchmark (as nbval: fresh python3 kernel, cwd book/)")
    if not notebooks:
        print("No notebooks found in book/.")
        return
    rows, total, failures, slow_cells = [], 0.0, [], []
    for path in notebooks:
        best = None
        for _ in range(max(1, args.repeat)):
            result = run_notebook(path.resolve())
            if best is None or result[0] < best[0]:
                best = result
        wall, in_cells, cells, error = best
        slow_s, slow_i, slow_src = cells[0]
        total += wall
        flag = "OVER 10 s" if wall > NOTEBOOK_BUDGET_S else "ok"
        if wall > NOTEBOOK_BUDGET_S:
            slow_cells += [[path.name, f"{sec:.2f}", i, src] for sec, i, src in cells[:5]]
        if error:
            flag = "ERROR"
            failures.append(f"{path.name}: {error}")
        rows.append(
            [
                path.name,
                f"{wall:.2f}",
                f"{in_cells:.2f}",
                f"{wall - in_cells:.2f}",
                f"{slow_s:.2f} (cell {slow_i}: {slow_src})",
                flag,
            ]
        )
        print(f"  {path.name}: {wall:.2f} s", file=sys.stderr, flush=True)
    rows.append(
        ["total", f"{total:.2f}", "", "", "", "OVER 30 s" if total > TOTAL_BUDGET_S else "ok"]
    )
    print_table(
        ["notebook", "wall s", "in cells s", "kernel start/stop s", "slowest cell s", "budget"],
        rows,
    )
    print(
        f"\nBudgets: each notebook <= {NOTEBOOK_BUDGET_S:.0f} s, total <= "
        f"{TOTAL_BUDGET_S:.0f} s (2-core machine)."
    )
    if slow_cells:
        print("\nWhere the time goes in notebooks over budget (5 slowest cells each):")
        print_table(["notebook", "s", "cell", "first line"], slow_cells)
    for failure in failures:
        print("FAILED", failure)


if __name__ == "__main__":
    main()
