"""The exercise cells of a chapter follow one convention (CONTRIBUTING.md, "Write exercises").

For each exercise ``N.k`` of chapter N:

1. a markdown cell that names it (``**Exercise N.k**``) and states the task;
2. the reader's cell, tagged ``exercise``: a stub (``def name(...)`` whose
   body raises NotImplementedError, or ``name = ...``) and ``check("N.k", name);``
   (the semicolon keeps the notebook from also showing check's True/False);
3. right after it, the solution cell, tagged ``solution`` and ``hide-input``
   (``hide-cell`` when it prints or shows anything besides the verdict),
   collapsed in JupyterLab (``jupyter.source_hidden``) and Colab
   (``cellView: form``), which runs ``assert check("N.k", ..., solution=True)``
   (so nbval proves the checker accepts it) without overwriting the reader's name.

And per chapter: every exercise registered for chapter N appears, at least
four exercises, at least half of them functions to write, at least two
online questions (``question(..., answer=<computed>)``), and the last code
cell calls ``summary(N)``.

The rules are tested on small synthetic notebooks (a good one and one broken
copy per rule), and applied to every chapter.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from attn_book.exercises import chapter_exercises

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))

MIN_EXERCISES = 4
MIN_QUESTIONS = 2
HIDE_TAGS = {"hide-input", "hide-cell"}


# ------------------------------------------------------------ reading cells


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def parse(cell: dict) -> ast.Module | None:
    try:
        return ast.parse(source(cell))
    except SyntaxError:
        return None


def call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == name]


def literal_id(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def is_literal(node: ast.expr) -> bool:
    """A value typed into the source (``0.25``, ``-3``, ``"the first"``), not computed."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return True
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(is_literal(e) for e in node.elts)
    return False


def bound_names(tree: ast.AST) -> set[str]:
    """Names a cell assigns or defines at any level."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def stub_kind(tree: ast.Module, name: str) -> str | None:
    """ "function" for ``def name(...)`` raising NotImplementedError, "value" for ``name = ...``."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            raises = [
                n
                for n in ast.walk(node)
                if isinstance(n, ast.Raise)
                and n.exc is not None
                and "NotImplementedError" in ast.unparse(n.exc)
            ]
            return "function" if raises else None
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and node.value.value is Ellipsis
        ):
            return "value"
    return None


def shows_more_than_the_verdict(tree: ast.Module) -> bool:
    """Whether a solution cell prints or displays anything besides check()'s verdict."""
    if any(calls(tree, name) for name in ("print", "display", "show", "imshow")):
        return True
    last = tree.body[-1] if tree.body else None
    return isinstance(last, ast.Expr) and not (
        isinstance(last.value, ast.Call) and call_name(last.value) == "check"
    )


# ------------------------------------------------------------ the rules


def exercise_problems(
    cells: list[dict],
    chapter: int,
    kinds: Mapping[str, str],
    *,
    min_exercises: int = MIN_EXERCISES,
    min_questions: int = MIN_QUESTIONS,
) -> list[str]:
    """Every way a chapter's cells break the exercise convention (empty when none).

    Parameters
    ----------
    cells : list of dict
        The notebook's cells.
    chapter : int
        The chapter number (from the file name).
    kinds : mapping
        The registered exercises of the chapter: id -> "function" or "value".
    """
    problems: list[str] = []
    code = [(i, c) for i, c in enumerate(cells) if c["cell_type"] == "code"]
    seen: dict[str, str] = {}  # id -> kind of stub found
    solution_cells: set[int] = set()

    for position, (index, cell) in enumerate(code):
        if "exercise" not in tags(cell):
            continue
        where = f"cell {index} (tagged exercise)"
        tree = parse(cell)
        checks = calls(tree, "check") if tree else []
        if len(checks) != 1 or literal_id(checks[0]) is None:
            problems.append(f'{where}: needs exactly one check("{chapter}.k", your_name) call')
            continue
        call = checks[0]
        ex_id = literal_id(call)
        where = f"exercise {ex_id} (cell {index})"
        if ex_id in seen:
            problems.append(f"{where}: exercise {ex_id} appears twice")
        if not ex_id.startswith(f"{chapter}."):
            problems.append(f"{where}: chapter {chapter} may only check its own exercises")
        if ex_id not in kinds:
            problems.append(f"{where}: {ex_id} is not registered in chapter{chapter}.py")
        if keyword(call, "solution") is not None:
            problems.append(f"{where}: the reader's check must not pass solution=")
        name_node = call.args[1] if len(call.args) > 1 else None
        name = name_node.id if isinstance(name_node, ast.Name) else None
        kind = stub_kind(tree, name) if name else None
        if kind is None:
            problems.append(
                f"{where}: the cell needs a stub for the reader: def {name or 'name'}(...) "
                f"raising NotImplementedError, or {name or 'name'} = ..."
            )
        elif ex_id in kinds and kinds[ex_id] != kind:
            problems.append(
                f"{where}: the stub is a {kind} but {ex_id} is a {kinds[ex_id]} exercise"
            )
        seen[ex_id] = kind or kinds.get(ex_id, "?")
        last = tree.body[-1]
        if (
            isinstance(last, ast.Expr)
            and last.value is call
            and not source(cell).rstrip().endswith(";")
        ):
            problems.append(
                f"{where}: end the check line with ; so the cell shows the verdict, "
                "not also True/False"
            )
        if HIDE_TAGS & tags(cell) or cell["metadata"].get("jupyter", {}).get("source_hidden"):
            problems.append(f"{where}: the reader's cell must not be hidden")
        heading = next(
            (source(c) for c in reversed(cells[:index]) if c["cell_type"] == "markdown"), ""
        )
        if not re.search(rf"\bExercise {re.escape(ex_id)}\b", heading):
            problems.append(
                f"{where}: the markdown cell before it must name it (**Exercise {ex_id}**)"
            )

        if position + 1 >= len(code) or "solution" not in tags(code[position + 1][1]):
            problems.append(f"{where}: the next code cell must be its solution (tag solution)")
            continue
        sol_index, sol = code[position + 1]
        solution_cells.add(sol_index)
        where = f"solution of {ex_id} (cell {sol_index})"
        meta = sol.get("metadata", {})
        if meta.get("jupyter", {}).get("source_hidden") is not True:
            problems.append(f'{where}: set metadata "jupyter": {{"source_hidden": true}}')
        if meta.get("cellView") != "form":
            problems.append(f'{where}: set metadata "cellView": "form" (collapsed in Colab)')
        sol_tree = parse(sol)
        if sol_tree is None:
            problems.append(f"{where}: not valid Python")
            continue
        if not HIDE_TAGS & tags(sol):
            problems.append(f"{where}: tag it hide-input (or hide-cell if it prints)")
        elif "hide-cell" not in tags(sol) and shows_more_than_the_verdict(sol_tree):
            problems.append(f"{where}: it prints or shows output, so tag it hide-cell")
        asserted = [
            c
            for node in ast.walk(sol_tree)
            if isinstance(node, ast.Assert)
            for c in calls(node.test, "check")
            if literal_id(c) == ex_id
            and isinstance(keyword(c, "solution"), ast.Constant)
            and keyword(c, "solution").value is True
        ]
        if not asserted:
            problems.append(f'{where}: it must run assert check("{ex_id}", ..., solution=True)')
        if name and name in bound_names(sol_tree):
            problems.append(f"{where}: it overwrites the reader's {name}; use another name")

    for index, cell in code:
        if "solution" in tags(cell) and index not in solution_cells:
            problems.append(f"cell {index}: a solution cell must follow its exercise cell")

    missing = sorted(set(kinds) - set(seen))
    if missing:
        problems.append(f"registered in chapter{chapter}.py but not in the notebook: {missing}")
    if len(seen) < min_exercises:
        problems.append(f"{len(seen)} exercises; a chapter needs at least {min_exercises}")
    functions = sum(kind == "function" for kind in seen.values())
    if 2 * functions < len(seen):
        problems.append(
            f"{functions} of {len(seen)} exercises ask for code; at least half must be functions"
        )

    questions = [q for _, c in code if (tree := parse(c)) for q in calls(tree, "question")]
    for q in questions:
        answer = keyword(q, "answer")
        if answer is None:
            problems.append(f"question at line {q.lineno}: give answer=")
        elif is_literal(answer):
            problems.append(
                f"question {ast.unparse(q.args[0]) if q.args else ''}: its answer "
                f"{ast.unparse(answer)} is typed in; compute it with the chapter's code"
            )
    if len(questions) < min_questions:
        problems.append(
            f"{len(questions)} online questions; a chapter needs at least {min_questions}"
        )

    last = parse(code[-1][1]) if code else None
    summaries = calls(last, "summary") if last else []
    if not any(
        s.args and isinstance(s.args[0], ast.Constant) and str(s.args[0].value) == str(chapter)
        for s in summaries
    ):
        problems.append(f"the last code cell must call summary({chapter})")
    return problems


# ------------------------------------------------------------ synthetic notebooks


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code_cell(text: str, *cell_tags: str, **metadata) -> dict:
    meta = dict(metadata)
    if cell_tags:
        meta["tags"] = list(cell_tags)
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": meta,
        "outputs": [],
        "source": text,
    }


HIDDEN = {"jupyter": {"source_hidden": True}, "cellView": "form"}

# Real code for chapter 0's worked examples (the kernel test runs it), and
# the same pattern for any other id.
STUBS = {
    "function": "def {name}(n):\n    # Your code here.\n    raise NotImplementedError\n",
    "value": "{name} = ...  # your answer\n",
}
SOLUTIONS = {
    "function": ("def {name}_solution(n):\n    return np.tril(np.ones((n, n), dtype=bool))\n"),
    "value": "{name}_solution = int(np.tril(np.ones((5, 5), dtype=bool)).sum())\n",
}


def exercise_block(ex_id: str, kind: str) -> list[dict]:
    """The three cells of one exercise: task, reader's cell, hidden solution."""
    name = f"my_answer_{ex_id.replace('.', '_')}"
    return [
        markdown(
            f"**Exercise {ex_id}** ({'write a function' if kind == 'function' else 'compute'})"
        ),
        code_cell(STUBS[kind].format(name=name) + f'\ncheck("{ex_id}", {name});', "exercise"),
        code_cell(
            "# @title Solution\n"
            + SOLUTIONS[kind].format(name=name)
            + f'\nassert check("{ex_id}", {name}_solution, solution=True)',
            "solution",
            "hide-input",
            **copy.deepcopy(HIDDEN),
        ),
    ]


def question_cell(number: int) -> dict:
    return code_cell(
        "question(\n"
        f'    "Question {number}: how many entries of a 4 x 4 causal mask are True?",\n'
        "    answer=int(np.tril(np.ones((4, 4), dtype=bool)).sum()),\n"
        '    explanation="Row i allows keys 0..i: 1 + 2 + 3 + 4 = 10.",\n'
        ")"
    )


def make_cells(chapter: int, kinds: Mapping[str, str], questions: int = 2) -> list[dict]:
    cells = [
        markdown(f"# {chapter}. A chapter"),
        code_cell(
            "import numpy as np\n\n"
            "from attn_book.exercises import check, summary\n"
            "from attn_book.explorer.question import question"
        ),
    ]
    cells += [question_cell(k) for k in range(1, questions + 1)]
    cells.append(markdown("## Exercises"))
    for ex_id, kind in kinds.items():
        cells += exercise_block(ex_id, kind)
    cells.append(markdown("## Your progress"))
    cells.append(code_cell(f"summary({chapter})"))
    return cells


def notebook(cells: list[dict]) -> dict:
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


#: A synthetic chapter 7: two function and two value exercises.
KINDS = {"7.1": "function", "7.2": "value", "7.3": "function", "7.4": "value"}


def good_cells() -> list[dict]:
    return make_cells(7, KINDS)


def find(cells: list[dict], ex_id: str, tag: str) -> dict:
    for cell in cells:
        if tag in tags(cell) and f'check("{ex_id}"' in source(cell):
            return cell
    raise LookupError(ex_id, tag)


def _edit(cells, ex_id, tag, old, new):
    cell = find(cells, ex_id, tag)
    assert old in source(cell), (old, source(cell))
    cell["source"] = source(cell).replace(old, new)


def _drop_meta(key):
    def mutate(cells):
        find(cells, "7.1", "solution")["metadata"].pop(key)

    return mutate


def _set_tags(ex_id, tag, new_tags):
    def mutate(cells):
        find(cells, ex_id, tag)["metadata"]["tags"] = list(new_tags)

    return mutate


BROKEN = {
    "no source_hidden": (_drop_meta("jupyter"), '"jupyter": {"source_hidden": true}'),
    "no cellView": (_drop_meta("cellView"), '"cellView": "form"'),
    "no hide tag": (_set_tags("7.1", "solution", ["solution"]), "tag it hide-input"),
    "prints under hide-input": (
        lambda c: _edit(c, "7.1", "solution", "assert check", "print(1)\nassert check"),
        "it prints or shows output, so tag it hide-cell",
    ),
    "solution not asserted": (
        lambda c: _edit(c, "7.2", "solution", "assert check", "check"),
        'assert check("7.2", ..., solution=True)',
    ),
    "solution without solution=True": (
        lambda c: _edit(c, "7.2", "solution", ", solution=True", ""),
        'assert check("7.2", ..., solution=True)',
    ),
    "solution overwrites the reader's name": (
        lambda c: _edit(c, "7.3", "solution", "def my_answer_7_3_solution", "def my_answer_7_3"),
        "overwrites the reader's my_answer_7_3",
    ),
    "no stub": (
        lambda c: _edit(c, "7.1", "exercise", "raise NotImplementedError", "return None"),
        "needs a stub for the reader",
    ),
    "stub of the wrong kind": (
        lambda c: _edit(
            c,
            "7.2",
            "exercise",
            "my_answer_7_2 = ...",
            "def my_answer_7_2():\n    raise NotImplementedError",
        ),
        "the stub is a function but 7.2 is a value exercise",
    ),
    "hidden reader cell": (
        _set_tags("7.4", "exercise", ["exercise", "hide-input"]),
        "the reader's cell must not be hidden",
    ),
    "check's value displayed": (
        lambda c: _edit(c, "7.1", "exercise", "my_answer_7_1);", "my_answer_7_1)"),
        "end the check line with ;",
    ),
    "reader passes solution=True": (
        lambda c: _edit(c, "7.4", "exercise", "my_answer_7_4);", "my_answer_7_4, solution=True);"),
        "must not pass solution=",
    ),
    "exercise without its solution": (
        lambda c: c.remove(find(c, "7.4", "solution")),
        "the next code cell must be its solution",
    ),
    "orphan solution": (
        lambda c: find(c, "7.4", "exercise")["metadata"].update(tags=[]),
        "a solution cell must follow its exercise cell",
    ),
    "unnamed exercise": (
        lambda c: c.__setitem__(
            c.index(find(c, "7.3", "exercise")) - 1, markdown("Another exercise")
        ),
        "must name it (**Exercise 7.3**)",
    ),
    "unregistered id": (
        lambda c: _edit(c, "7.4", "exercise", 'check("7.4"', 'check("7.9"'),
        "7.9 is not registered in chapter7.py",
    ),
    "another chapter's id": (
        lambda c: _edit(c, "7.4", "exercise", 'check("7.4"', 'check("5.1"'),
        "chapter 7 may only check its own exercises",
    ),
    "two checks of one id": (
        lambda c: _edit(c, "7.4", "exercise", 'check("7.4"', 'check("7.3"'),
        "exercise 7.3 appears twice",
    ),
    "too few exercises": (
        lambda c: [c.remove(x) for x in (find(c, "7.4", "exercise"), find(c, "7.4", "solution"))],
        "3 exercises; a chapter needs at least 4",
    ),
    "registered but missing": (
        lambda c: [c.remove(x) for x in (find(c, "7.4", "exercise"), find(c, "7.4", "solution"))],
        "registered in chapter7.py but not in the notebook: ['7.4']",
    ),
    "typed-in answer": (
        lambda c: c.__setitem__(
            2,
            code_cell(
                source(c[2]).replace("int(np.tril(np.ones((4, 4), dtype=bool)).sum())", "10")
            ),
        ),
        "its answer 10 is typed in",
    ),
    "one question only": (lambda c: c.pop(2), "1 online questions; a chapter needs at least 2"),
    "no summary": (lambda c: c.pop(), "the last code cell must call summary(7)"),
    "summary of another chapter": (
        lambda c: c.__setitem__(-1, code_cell("summary(6)")),
        "the last code cell must call summary(7)",
    ),
}


def test_the_good_synthetic_chapter_passes():
    assert exercise_problems(good_cells(), 7, KINDS) == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_broken_synthetic_chapter_fails_with_its_message(case):
    mutate, fragment = BROKEN[case]
    cells = good_cells()
    mutate(cells)
    problems = exercise_problems(cells, 7, KINDS)
    assert any(fragment in p for p in problems), f"{case}: {problems}"


def test_too_few_functions():
    kinds = {"7.1": "function", "7.2": "value", "7.3": "value", "7.4": "value"}
    problems = exercise_problems(make_cells(7, kinds), 7, kinds)
    assert problems == ["1 of 4 exercises ask for code; at least half must be functions"]


def test_synthetic_chapter_file_round_trip(tmp_path):
    """The rules read a notebook file as a chapter test does."""
    path = tmp_path / "07_synthetic.ipynb"
    path.write_text(json.dumps(notebook(good_cells())), encoding="utf-8")
    assert chapter_problems(path, kinds=KINDS) == []
    broken = good_cells()
    BROKEN["no cellView"][0](broken)
    path.write_text(json.dumps(notebook(broken)), encoding="utf-8")
    assert chapter_problems(path, kinds=KINDS) != []


def demo_cells() -> list[dict]:
    """Chapter 0's worked examples as a notebook (run in a kernel by test_exercises_kernel)."""
    return make_cells(0, {e.id: e.kind for e in chapter_exercises(0)})


def test_the_demo_chapter_follows_the_rules():
    kinds = {e.id: e.kind for e in chapter_exercises(0)}
    assert exercise_problems(demo_cells(), 0, kinds, min_exercises=2) == []


# ------------------------------------------------------------ the chapters


def chapter_problems(path: Path, kinds: Mapping[str, str] | None = None) -> list[str]:
    chapter = int(path.name[:2])
    if kinds is None:
        kinds = {e.id: e.kind for e in chapter_exercises(chapter)}
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return exercise_problems(cells, chapter, kinds)


def test_every_chapter_is_held_to_the_rules():
    assert len(CHAPTERS) >= 6, f"expected the book's chapters, found {[p.name for p in CHAPTERS]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_exercises_follow_the_convention(path):
    problems = chapter_problems(path)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)
