"""Every chapter ends with its exercises: each exercise cell checks a registered exercise and is
followed by its folded solution cell, which asserts the check; the chapter ends with summary(N)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from attn_book.exercises import exercises_of

CHAPTERS = sorted((Path(__file__).resolve().parents[2] / "book").glob("[0-9][0-9]_*.ipynb"))
CHECK = re.compile(r'check\("(\d+\.\d+)",\s*(\w+)(,\s*solution=True)?\)')


def code_cells(path: Path) -> list[tuple[set[str], dict, str]]:
    """(tags, metadata, source) of each code cell."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        (set(c["metadata"].get("tags", [])), c["metadata"], "".join(c["source"]))
        for c in cells
        if c["cell_type"] == "code"
    ]


def folded(tags: set[str], metadata: dict) -> bool:
    """Hidden in the book (a hide tag), in JupyterLab (source_hidden) and in Colab (form)."""
    return (
        bool(tags & {"hide-input", "hide-cell"})
        and metadata.get("jupyter", {}).get("source_hidden") is True
        and metadata.get("cellView") == "form"
    )


def test_there_are_chapters():
    assert len(CHAPTERS) >= 6


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_the_chapter_exercises(path):
    chapter = int(path.name[:2])
    registered = {e.id: callable(e.solution) for e in exercises_of(chapter)}
    assert len(registered) >= 4, "a chapter has at least 4 exercises"
    assert 2 * sum(registered.values()) >= len(registered), "at least half of them code"

    cells = code_cells(path)
    seen = []
    for i, (tags, metadata, source) in enumerate(cells):
        if "exercise" in tags:
            (ex_id, name, flag), *more = CHECK.findall(source)
            assert not more and not flag, f"cell {i}: one check of the learner's {name}"
            assert ex_id in registered and ex_id not in seen, f"cell {i}: {ex_id}"
            assert f"{name} = ..." in source or "raise NotImplementedError" in source, ex_id
            assert not folded(tags, metadata), f"{ex_id}: the learner's cell is not folded"
            seen.append(ex_id)
            tags, metadata, source = cells[i + 1]
            assert "solution" in tags and folded(tags, metadata), f"{ex_id}: a folded solution"
            assert re.search(rf'assert check\("{ex_id}",.*solution=True\)', source), ex_id
            assert not re.search(rf"^(def )?{name}\b", source, re.M), f"{ex_id}: keeps {name}"
    assert sorted(seen) == sorted(registered), "every registered exercise, once"
    assert re.fullmatch(rf"\s*summary\({chapter}\)\s*", cells[-1][2]), "ends with summary(N)"
