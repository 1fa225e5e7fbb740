"""Repository checks every chapter must pass (the checklist in CONTRIBUTING.md).

Fast and offline: they only read files. Each test names the file and what
is wrong, so a contributor can fix a failure without reading this code.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("*.ipynb"))
CHAPTER_NAME = re.compile(r"^(\d\d)_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")

# The sources the chapters rest on; each must be cited somewhere in a chapter.
REQUIRED_CITATIONS = ("bahdanau2014", "vaswani2017", "raschka2024", "weng2018", "adaloglou2020")

# The first code cell of every chapter (tagged remove-cell). Compared as
# Python syntax trees, so a formatter may re-wrap it without failing here.
SETUP_CELL = """\
# Setup for Colab: install attn_core when it is missing (does nothing locally or in CI).
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("attn_core") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "git+https://github.com/attention-book/attention-book"], check=True)
"""
SETUP_COMMENT = SETUP_CELL.splitlines()[0]

# A citation is a Markdown link to the source's url in references.bib, naming
# author, year and section: [Vaswani et al. (2017), §3.2.1](https://arxiv.org/abs/1706.03762).
# (MyST's {cite} role shows raw in Colab and plain JupyterLab; see CONTRIBUTING.md.)
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((\S+?)\)")
# Link text that reads like a citation: "Weng (2018)", "Cho et al. 2014, §2" ...
LOOKS_CITED = re.compile(r"^[A-Z][\w'-]+(?: (?:et al\.|and [A-Z][\w'-]+))?,? \(?(19|20)\d\d\b")


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def toc_files() -> list[str]:
    """Every `file:` (and the root) in _toc.yml, however deeply nested."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return found


def resolve(entry: str) -> Path | None:
    """The file a TOC entry names (Jupyter Book lets the extension be left out)."""
    path = ROOT / entry
    if path.suffix in {".md", ".ipynb"} and path.is_file():
        return path
    for suffix in (".md", ".ipynb"):
        if path.with_suffix(suffix).is_file():
            return path.with_suffix(suffix)
    return None


def bib_entries() -> dict[str, dict[str, str]]:
    """key -> fields (lower-case names, braces kept) of every entry in references.bib."""
    text = (ROOT / "references.bib").read_text(encoding="utf-8")
    entries = {}
    for match in re.finditer(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,(.*?)^\}", text, re.M | re.S):
        fields = re.findall(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", match.group(2), re.M)
        entries[match.group(1)] = {name.lower(): value for name, value in fields}
    return entries


def bib_keys() -> set[str]:
    return set(bib_entries())


def first_author(fields: dict[str, str]) -> str:
    """The first author's surname: "Bahdanau, Dzmitry and ..." -> "Bahdanau"."""
    return re.sub(r"[{}\\\"]", "", fields.get("author", "").split(" and ")[0].split(",")[0]).strip()


def markdown_texts(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        return [source(c) for c in read_notebook(path)["cells"] if c["cell_type"] == "markdown"]
    return [path.read_text(encoding="utf-8")]


def citation_links(path: Path) -> list[tuple[str, str]]:
    """(text, url) of every Markdown link in a page or a notebook's markdown cells."""
    return [link for text in markdown_texts(path) for link in LINK.findall(text)]


def citations(path: Path) -> set[str]:
    """The references.bib keys a page cites: links to an entry's url."""
    by_url = {f.get("url"): key for key, f in bib_entries().items() if f.get("url")}
    return {by_url[url] for _, url in citation_links(path) if url in by_url}


chapter_params = pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)


# ---------------------------------------------------------------- the TOC


def test_every_toc_entry_has_a_file():
    missing = [entry for entry in toc_files() if resolve(entry) is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_page_in_book_is_in_the_toc():
    # only_build_toc_files is on, so a page left out of the TOC would
    # silently never be built or published.
    listed = {resolve(entry) for entry in toc_files()}
    pages = sorted(BOOK.glob("*.ipynb")) + sorted(BOOK.glob("*.md"))
    orphans = [p.name for p in pages if p not in listed]
    assert not orphans, f"book/ pages missing from _toc.yml: {orphans}"


def test_chapters_are_in_the_toc_in_numeric_order():
    order = [resolve(e).name for e in toc_files() if resolve(e) and resolve(e).suffix == ".ipynb"]
    assert order == sorted(order), f"_toc.yml lists the chapters out of order: {order}"


# ------------------------------------------------------------ each chapter


@chapter_params
def test_chapter_file_name(path):
    assert CHAPTER_NAME.match(path.name), (
        f"{path.name}: chapter notebooks are named NN_lowercase_words.ipynb, e.g. 03_self_attention"
    )


@chapter_params
def test_chapter_is_nbformat4_with_the_python3_kernel(path):
    nb = read_notebook(path)
    assert nb["nbformat"] == 4, f"{path.name}: nbformat {nb['nbformat']}, expected 4"
    kernel = nb["metadata"].get("kernelspec", {})
    assert kernel.get("name") == "python3", f"{path.name}: kernelspec {kernel}, expected python3"


@chapter_params
def test_chapter_is_stored_without_outputs(path):
    dirty = [
        i
        for i, cell in enumerate(read_notebook(path)["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs or execution counts; "
        "strip them (pre-commit's nbstripout hook does it on commit)"
    )


@chapter_params
def test_chapter_opens_with_title_and_what_you_will_learn(path):
    first = read_notebook(path)["cells"][0]
    number = int(path.name[:2]) if path.name[:2].isdigit() else None
    text = source(first)
    assert first["cell_type"] == "markdown", f"{path.name}: the first cell must be markdown"
    assert text.startswith(f"# {number}. "), f"{path.name}: must start with '# {number}. Title'"
    assert "what you will learn" in text.lower(), f"{path.name}: no 'What you will learn' list"


@chapter_params
def test_first_code_cell_is_the_colab_setup_cell(path):
    cells = code_cells(read_notebook(path))
    assert cells, f"{path.name} has no code cell"
    first = source(cells[0])
    assert first.startswith(SETUP_COMMENT), (
        f"{path.name}: the first code cell must be the Colab setup cell (see CONTRIBUTING.md)"
    )
    assert ast.dump(ast.parse(first)) == ast.dump(ast.parse(SETUP_CELL)), (
        f"{path.name}: the Colab setup cell differs from the one in CONTRIBUTING.md"
    )
    assert "remove-cell" in tags(cells[0]), f"{path.name}: tag the setup cell remove-cell"


def shows_output(code: str) -> bool:
    """Whether running this cell would display something (printed or a value).

    hide-input hides a cell's code but not its output, so an answer cell that
    shows output gives the answer away before the reader clicks.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython magics: assume it shows something
        return True

    def name(call: ast.Call) -> str:
        func = call.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")

    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    if any(name(c) in {"print", "display", "show"} for c in calls):
        return True
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        # np.testing.assert_allclose(...) and the like return None: nothing shown.
        return not (isinstance(last.value, ast.Call) and name(last.value).startswith("assert"))
    return False


@chapter_params
def test_chapter_ends_with_checkable_exercises(path):
    cells = read_notebook(path)["cells"]
    heads = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown"
        and any(line.strip() == "## Exercises" for line in source(c).splitlines())
    ]
    assert heads, f"{path.name}: no '## Exercises' section"
    after = [c for c in cells[heads[0] + 1 :] if c["cell_type"] == "code"]
    answers = [c for c in after if {"hide-input", "hide-cell"} & set(tags(c))]
    assert answers, (
        f"{path.name}: no answer cell tagged hide-input (or hide-cell) after '## Exercises'"
    )
    # An answer that checks nothing cannot tell the reader they are right.
    unchecked = [source(c).splitlines()[0] for c in answers if "assert" not in source(c)]
    assert not unchecked, f"{path.name}: exercise answers without an assert: {unchecked}"
    # hide-input hides the code only: its printed answer would show unclicked.
    revealing = [
        source(c).splitlines()[0]
        for c in answers
        if "hide-input" in tags(c) and shows_output(source(c))
    ]
    assert not revealing, (
        f"{path.name}: these hide-input answers show output, which the book displays "
        f"before the reader clicks; tag them hide-cell instead (hides code and output): "
        f"{revealing}"
    )


# -------------------------------------------------------------- citations


def test_every_citation_links_to_a_source_in_references_bib():
    urls = {f.get("url") for f in bib_entries().values()}
    pages = sorted(BOOK.glob("*.ipynb")) + sorted(BOOK.glob("*.md"))
    unknown = [
        f"{p.name}: [{text}]({url})"
        for p in pages
        for text, url in citation_links(p)
        if LOOKS_CITED.match(text) and url not in urls
    ]
    assert not unknown, (
        "citations whose source is not in references.bib (add the entry with its url, "
        f"or link to the url it already has): {unknown}"
    )


def test_every_citation_names_its_first_author_and_year():
    entries = bib_entries()
    by_url = {f["url"]: key for key, f in entries.items() if f.get("url")}
    pages = sorted(BOOK.glob("*.ipynb")) + sorted(BOOK.glob("*.md"))
    wrong = [
        f"{p.name}: [{text}] should name {first_author(entries[key])} and {entries[key]['year']}"
        for p in pages
        for text, url in citation_links(p)
        if (key := by_url.get(url))
        and not (text.startswith(first_author(entries[key])) and entries[key]["year"] in text)
    ]
    assert not wrong, f"citation links that do not name their source: {wrong}"


def test_every_source_in_references_bib_has_a_url_to_link():
    missing = sorted(key for key, fields in bib_entries().items() if not fields.get("url"))
    assert not missing, f"references.bib entries without a url field: {missing}"


def test_the_required_sources_are_in_references_bib():
    missing = sorted(set(REQUIRED_CITATIONS) - bib_keys())
    assert not missing, f"references.bib lacks {missing}"


def test_the_required_sources_are_cited_in_the_chapters():
    cited = set().union(*(citations(p) for p in CHAPTERS)) if CHAPTERS else set()
    missing = [key for key in REQUIRED_CITATIONS if key not in cited]
    assert not missing, (
        f"no chapter cites {missing} (link to its url where the idea is used; see CONTRIBUTING.md)"
    )


# ---------------------------------------------------------- configuration


def test_launch_buttons_offer_binder_and_colab():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    buttons = config.get("launch_buttons", {})
    assert str(buttons.get("binderhub_url", "")).startswith("https://"), buttons
    assert str(buttons.get("colab_url", "")).startswith("https://"), buttons
    # Launch buttons need to know where the notebooks live.
    assert str(config.get("repository", {}).get("url", "")).startswith("https://github.com/")


def test_binder_gets_a_python_the_requirements_support():
    # Binder (repo2docker) defaults to an older Python than numpy 2.4 and
    # pyproject.toml's requires-python accept; runtime.txt selects 3.11.
    runtime = ROOT / "runtime.txt"
    assert runtime.is_file(), "add runtime.txt containing python-3.11 for Binder"
    assert runtime.read_text(encoding="utf-8").strip() == "python-3.11"


@pytest.mark.parametrize(
    "name", ["requirements.txt", "requirements-lab.txt", "requirements-dev.txt"]
)
def test_requirements_are_pinned(name):
    allowed = {
        "requirements.txt": {"-e ."},
        "requirements-lab.txt": {"-r requirements.txt"},
        "requirements-dev.txt": {"-r requirements-lab.txt"},
    }
    lines = [
        line.split("#", 1)[0].strip()
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
    ]
    loose = [
        line
        for line in lines
        if line
        and line not in allowed[name]
        and not re.fullmatch(r"[A-Za-z0-9_.\[\],-]+==[\w.+!-]+", line)
    ]
    assert not loose, f"{name}: pin every requirement with ==, found {loose}"
