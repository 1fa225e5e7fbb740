"""An edit to the libraries shows in the next build of the book (book/_ext/library_edits.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


def test_a_library_edit_shows_in_the_next_build(tmp_path):
    book = tmp_path / "book"
    (book / "attn_book").mkdir(parents=True)
    (book / "attn_core").mkdir()
    shutil.copy(ROOT / "book" / "_ext" / "library_edits.py", book / "library_edits.py")
    (book / "_config.yml").write_text(
        "title: t\nexecute:\n  execute_notebooks: force\n"
        "sphinx:\n  local_extensions:\n    library_edits: .\n"
    )
    (book / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('print(open("attn_book/value.txt").read())')]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, book / "page.ipynb")

    def build_shows(value: str) -> bool:
        (book / "attn_book" / "value.txt").write_text(value)
        command = [Path(sys.executable).parent / "jupyter-book", "build", str(book)]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        return value in (book / "_build" / "html" / "page.html").read_text()

    assert build_shows("first value")
    assert build_shows("edited value")  # only the library changed, not the page
