"""What every chapter shares (CONTRIBUTING.md's checklist): read from the files, offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("*.ipynb"))
PAGES = CHAPTERS + sorted(BOOK.glob("*.md"))
# The sources the chapters rest on; each must be cited in a chapter.
REQUIRED = ("bahdanau2014", "vaswani2017", "raschka2024", "weng2018", "adaloglou2020")
# The first code cell of every chapter: in Colab, install the book's library.
SETUP = """import importlib.util

if importlib.util.find_spec("attn_book") is None:  # in Colab
    %pip install -q git+https://github.com/attention-book/attention-book"""
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((\S+?)\)")
LOOKS_CITED = re.compile(r"^[A-Z][\w'-]+(?: (?:et al\.|and [A-Z][\w'-]+))?,? \(?(19|20)\d\d\b")
chapters = pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


def toc_pages() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]] + [c["file"] for c in toc["chapters"]]
    return [next(ROOT.glob(entry + ".*")) for entry in entries]


def bibliography() -> dict[str, dict[str, str]]:
    """key -> fields of every entry of references.bib."""
    source = (ROOT / "references.bib").read_text(encoding="utf-8")
    return {
        m.group(1): dict(re.findall(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", m.group(2), re.M))
        for m in re.finditer(r"^@\w+\{([^,\s]+),(.*?)^\}", source, re.M | re.S)
    }


def test_the_toc_lists_every_page_once_and_the_chapters_in_order():
    pages = toc_pages()
    assert sorted(pages) == sorted(PAGES) and len(set(pages)) == len(pages)
    listed = [p.name for p in pages if p.suffix == ".ipynb"]
    assert listed == sorted(listed)


@chapters
def test_chapter_is_stored_without_outputs_and_opens_with_what_you_will_learn(path):
    first, *rest = cells(path)
    assert text(first).startswith(f"# {int(path.name[:2])}. ")
    assert "what you will learn" in text(first).lower()
    assert all(not c.get("outputs") and not c.get("execution_count") for c in rest)


@chapters
def test_first_code_cell_installs_the_library_in_colab(path):
    setup = next(c for c in cells(path) if c["cell_type"] == "code")
    assert text(setup).strip() == SETUP and "remove-cell" in setup["metadata"]["tags"]


def test_every_citation_names_its_source_in_references_bib():
    entries = bibliography()
    by_url = {fields["url"]: key for key, fields in entries.items()}
    wrong = []
    for page in PAGES:
        texts = [text(c) for c in cells(page)] if page.suffix == ".ipynb" else [page.read_text()]
        for label, url in (link for t in texts for link in LINK.findall(t)):
            key = by_url.get(url)
            if key is None and LOOKS_CITED.match(label):
                wrong.append(f"{page.name}: [{label}]({url}) is not in references.bib")
            elif key is not None:
                author = re.sub(r"[{}\\\"]", "", entries[key]["author"].split(" and ")[0])
                if (
                    not label.startswith(author.split(",")[0].strip())
                    or entries[key]["year"] not in label
                ):
                    wrong.append(
                        f"{page.name}: [{label}] should name {author} and {entries[key]['year']}"
                    )
    assert wrong == []
    cited = {
        by_url[url]
        for p in CHAPTERS
        for c in cells(p)
        for _, url in LINK.findall(text(c))
        if url in by_url
    }
    assert set(REQUIRED) <= cited


@pytest.mark.parametrize("name", sorted(p.name for p in ROOT.glob("requirements*.txt")))
def test_requirements_are_pinned(name):
    lines = [line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines()]
    loose = [
        line
        for line in lines
        if line
        and not line.startswith(("-r ", "-e "))
        and not re.fullmatch(r"[\w.\[\],-]+==[\w.+!-]+", line)
    ]
    assert loose == []
