"""Chapter markdown reads well in every notebook front end, not only in the book.

The book renders MyST (Sphinx and myst-nb). Colab, JupyterLab without
jupyterlab-myst, Binder and GitHub's preview render plain Markdown (CommonMark
with GitHub's tables), where a MyST directive or role shows as raw text: a hint
became a code block reading ``:class: dropdown`` and a citation a literal
``{cite}`` beside its key. So the chapters use only constructs that read well
everywhere (CONTRIBUTING.md, "Citations" and "Exercises"): citations are
Markdown links and hints are HTML ``<details>`` blocks.

Every markdown cell of every chapter, and ``book/intro.md``, is rendered here
the way a plain front end renders it (math set aside first, as JupyterLab and
Colab do, then markdown-it-py's CommonMark parser with tables) and checked for
MyST syntax left raw. ``book/references.md`` is left out on purpose: it is a
page of the book only (the bibliography directive lists references.bib) and
no notebook front end shows it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("*.ipynb"))
PAGES = [BOOK / "intro.md"]

# Math is set aside before the Markdown is parsed, as JupyterLab and Colab do,
# so that "$d_k$ and $d_v$" is not read as emphasis.
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)
# ```{note} ... ``` or ```{admonition} Hint: a MyST directive as a fenced block.
DIRECTIVE_FENCE = re.compile(r"^\{[\w:.-]+\}")
# {cite}`key`, {ref}`label`, {math}`x`: plain Markdown shows "{cite}" and a code span.
ROLE = re.compile(r"\{[a-z][\w:.+-]*\}$")
RAW_LINES = [
    (re.compile(r"^:{3,}"), "a ::: fence (a MyST directive)"),
    (re.compile(r"^:[\w-]+:(\s|$)"), "a directive option line such as ':class: dropdown'"),
    (re.compile(r"^\([\w.-]+\)=\s*$"), "a MyST target '(label)='"),
    (re.compile(r"^%\s"), "a MyST comment line '% ...'"),
    (re.compile(r"^\+\+\+"), "a MyST block break '+++'"),
    (re.compile(r"\{\{[^}]*\}\}"), "a MyST substitution '{{ name }}'"),
]
DETAILS = re.compile(r"<details>(.*?)</details>", re.DOTALL)
SUMMARY = re.compile(r"\A\s*<summary>[^<>]+</summary>\n\n")

_PARSER = MarkdownIt("commonmark").enable("table")


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def markdown_texts(path: Path) -> list[tuple[str, str]]:
    """(where, markdown) for every markdown cell of a notebook, or the whole page."""
    if path.suffix == ".md":
        return [(path.name, path.read_text(encoding="utf-8"))]
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        (f"{path.name} cell {i} ({cell.get('id', '?')})", source(cell))
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "markdown"
    ]


def raw_myst(markdown: str) -> list[str]:
    """What a plain Markdown front end would show as raw MyST, one line per finding."""
    found = []
    for token in _PARSER.parse(MATH.sub("MATH", markdown)):
        if token.type == "fence" and DIRECTIVE_FENCE.match(token.info.strip()):
            found.append(f"directive ```{token.info.strip()} shows as a code block")
        if token.type != "inline":
            continue
        children = token.children or []
        for before, child in zip(children, children[1:], strict=False):
            match = ROLE.search(before.content) if before.type == "text" else None
            if child.type == "code_inline" and match:
                found.append(f"role {match.group()}`{child.content}` shows as raw text")
        for line in token.content.splitlines():
            for pattern, what in RAW_LINES:
                if pattern.search(line.strip()):
                    found.append(f"{what} shows as raw text: {line.strip()!r}")
    return found


def bad_hints(markdown: str) -> list[str]:
    """Problems with <details> hints in plain front ends and in jupyterlab-myst."""
    found = []
    if markdown.count("<details>") != markdown.count("</details>"):
        found.append("a <details> block is not closed with </details> in the same cell")
    for match in DETAILS.finditer(markdown):
        body = match.group(1)
        if not SUMMARY.match(body):
            found.append(
                "a <details> block must start with <summary>Title</summary> and a blank "
                "line, or the Markdown inside it is not rendered"
            )
        if "$" in body:
            found.append(
                "math ($...$) inside <details>: jupyterlab-myst shows it as raw TeX; "
                "write the formula as code (`norm(A @ B)`) or move it out of the hint"
            )
    return found


def problems(markdown: str) -> list[str]:
    return raw_myst(markdown) + bad_hints(markdown)


@pytest.mark.parametrize("path", CHAPTERS + PAGES, ids=lambda p: p.name)
def test_markdown_has_no_raw_myst_in_a_plain_front_end(path):
    found = [
        f"{where}: {problem}" for where, text in markdown_texts(path) for problem in problems(text)
    ]
    assert not found, (
        "MyST syntax that Colab and plain JupyterLab show raw (see CONTRIBUTING.md, "
        "'Citations' and 'Exercises', for the portable forms):\n" + "\n".join(found)
    )


def test_the_chapters_are_checked():
    assert len(CHAPTERS) >= 5 and all(len(markdown_texts(p)) > 3 for p in CHAPTERS)


# The checker itself: each construct below once showed raw in Colab or JupyterLab.
RAW = {
    "admonition": "```{admonition} Hint\n:class: dropdown\nThink of $\\sqrt{d_k}$.\n```",
    "note fence": "```{note}\nA note.\n```",
    "colon fence": ":::{note}\nA note.\n:::",
    "cite role": "As shown by {cite}`vaswani2017`.",
    "textual cite": "{cite:t}`bahdanau2014` let the decoder look back.",
    "ref role": "See {ref}`sec-masks` and {numref}`fig-1`.",
    "target": "(sec-masks)=\n## Masks",
    "substitution": "There are {{ n_heads }} heads.",
    "comment": "% a MyST comment\nText.",
    "unclosed details": "<details>\n<summary>Hint</summary>\n\nText.\n",
    "details without blank line": "<details>\n<summary>Hint</summary>\nText **bold**.\n</details>",
    "math in details": "<details>\n<summary>Hint</summary>\n\nUse $\\|A\\|$.\n\n</details>",
}
PORTABLE = {
    "details hint": "<details>\n<summary>Hint</summary>\n\nUse `np.linalg.norm(w, 2)`.\n\n"
    "</details>",
    "citation link": "As [Vaswani et al. (2017), §3.2.1](https://arxiv.org/abs/1706.03762) show.",
    "math with underscores": "Each head has $d_\\text{head} = d_\\text{model}/h$ and $x_j$:\n\n"
    "$$A = \\operatorname{softmax}(Q K^\\top / \\sqrt{d_k})$$",
    "table": "| a | b |\n| --- | --- |\n| $x_1$ | `code` |",
    "code with braces": "```python\nd = {'a': 1}\n```\n\nand `{x}` inline.",
    "time and ratio": "It took 3:10 and the ratio is 1:2.",
}


@pytest.mark.parametrize("name", RAW)
def test_the_checker_finds_raw_myst(name):
    assert problems(RAW[name]), f"not flagged: {RAW[name]!r}"


@pytest.mark.parametrize("name", PORTABLE)
def test_the_checker_accepts_portable_markdown(name):
    assert problems(PORTABLE[name]) == []
