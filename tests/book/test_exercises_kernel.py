"""The exercise convention in a real Jupyter kernel, as nbval and the book build run it.

A notebook of chapter 0's worked examples (built by the repository test's
helpers, so it follows the convention) is executed with nbclient: the
reader's cells print "not tried yet", every hidden solution passes its
``assert check(...)``, the summary counts no exercise as the reader's, and
nothing reaches stderr (the book build fails on stderr). A function that
never ends is stopped inside the kernel, where cells run in the main thread
and the SIGALRM time limit applies.
"""

from __future__ import annotations

import nbformat
import pytest

from tests.repo.test_exercise_cells import code_cell, demo_cells, notebook

nbclient = pytest.importorskip("nbclient")


def outputs_of(cell: dict) -> tuple[str, str, list[str]]:
    """(stdout, stderr, error names) of an executed cell."""
    out, err, errors = [], [], []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            (out if output["name"] == "stdout" else err).append(output["text"])
        elif output["output_type"] == "error":
            errors.append(output["ename"])
    return "".join(out), "".join(err), errors


def test_demo_chapter_runs_in_a_kernel():
    cells = demo_cells()
    cells.append(
        code_cell(
            "import threading\n"
            "import attn_book.exercises.calls as calls\n"
            "calls.DEFAULT_TIME_LIMIT = 0.5\n"
            "def forever(n):\n"
            "    while True:\n"
            "        pass\n"
            "print('main thread:', threading.current_thread() is threading.main_thread())\n"
            'check("0.1", forever)'
        )
    )
    nb = nbformat.from_dict(notebook(cells))
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    ran = [c for c in nb.cells if c.cell_type == "code"]
    for cell in ran:
        out, err, errors = outputs_of(cell)
        assert errors == [] and err == "", (cell.source, err, errors)
    exercise_cells = [c for c in ran if "exercise" in c.metadata.get("tags", [])]
    solution_cells = [c for c in ran if "solution" in c.metadata.get("tags", [])]
    assert len(exercise_cells) == len(solution_cells) == 2
    for cell in exercise_cells:
        assert outputs_of(cell)[0].startswith("⏳ 0."), cell.source
        # check() returns False; the trailing semicolon keeps it from being shown.
        assert [o for o in cell.outputs if o["output_type"] == "execute_result"] == []
    for cell in solution_cells:
        assert "the solution passes the check" in outputs_of(cell)[0]
    summary_out = outputs_of(ran[-2])[0]
    assert summary_out.startswith("Chapter 0 exercises in this session: 0 of 2 passed.")
    assert " ".join(summary_out.split()).count("(its solution cell ran)") == 2
    slow_out = outputs_of(ran[-1])[0]
    assert "main thread: True" in slow_out
    assert "forever(1) ran longer than 0.5 s and was stopped" in " ".join(slow_out.split())
