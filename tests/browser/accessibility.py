"""Accessibility audit of the book's own elements with axe-core, for every browser test.

axe-core (Deque's rules engine, pinned in package.json's devDependencies and
installed by ``scripts/ensure-node-packages``) is injected into the page from
``node_modules/axe-core/axe.min.js`` (inline: the page fetches nothing) and
run on the book's own elements only. The theme, Sphinx and MyST output are
not ours to fix, so the audit is limited to them by one explicit rule:

**The book's own elements are the elements whose ``class`` attribute has a
class that starts with ``attn-``, ``aq-`` or ``ae-``** (:data:`BOOK_PREFIXES`),
with everything inside them. A kernel-free component (an explorer, an online
question, another chapter's explorer) therefore gives its root element a
class ``attn-<name>`` (``attn-explorer``, ``attn-question``, ...); its parts
may use a short prefix of their own, and are audited as part of the root.

Use it in a test::

    from tests.browser.accessibility import audit, describe

    violations = audit(page)  # after the page (or a state of it) is ready
    assert violations == [], describe(violations)

Every axe rule that applies to part of a page runs (WCAG 2.0, 2.1 and 2.2 A
and AA, and best practices, e.g. ``color-contrast``: 4.5:1 for small text);
rules about a whole page (landmarks, the document title) do not, since the
audit covers components, not the page. A violation is any node inside the
book's elements that fails a rule; "incomplete" results (e.g. text on a
gradient, whose contrast axe cannot compute) are not violations.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"

#: A class starting with one of these marks one of the book's own elements.
BOOK_PREFIXES: tuple[str, ...] = ("attn-", "aq-", "ae-")

#: A CSS selector for the rule above: a class token that starts with a prefix
#: (at the start of the class attribute, or after a space).
BOOK_SELECTOR: str = ", ".join(
    f'[class^="{prefix}"], [class*=" {prefix}"]' for prefix in BOOK_PREFIXES
)

# Runs axe on the outermost elements the selector finds (axe audits their insides).
_RUN_JS = """async ([selector, options]) => {
  const found = Array.from(document.querySelectorAll(selector));
  const roots = found.filter(el => !found.some(other => other !== el && other.contains(el)));
  if (roots.length === 0) { return {roots: 0, violations: []}; }
  const result = await axe.run(roots, options);
  return {
    roots: roots.length,
    violations: result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                summary: n.failureSummary})),
    })),
  };
}"""

_OPTIONS = {
    "resultTypes": ["violations"],
    # Every rule axe has for WCAG 2.x A/AA and best practices.
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22a",
            "wcag22aa",
            "best-practice",
        ],
    },
}


@cache
def axe_source() -> str:
    """The text of axe.min.js; a clear failure when npm has not installed it."""
    if not AXE_JS.is_file():
        raise FileNotFoundError(
            f"{AXE_JS} is missing: run scripts/ensure-node-packages "
            "(npm ci installs axe-core, pinned in package.json)"
        )
    return AXE_JS.read_text(encoding="utf-8")


def audit(page, *, min_roots: int = 0) -> list[dict[str, Any]]:
    """Run axe-core on the book's own elements of ``page``; return the violations.

    Parameters
    ----------
    page : playwright Page
        A loaded page (the audit sees its current state).
    min_roots : int
        Fail if fewer of the book's elements are on the page (0: any number).

    Returns
    -------
    list of dict
        One entry per failed rule: ``id``, ``impact``, ``help``, ``helpUrl``
        and ``nodes`` (``target`` selector, ``html``, ``summary``).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(_RUN_JS, [BOOK_SELECTOR, _OPTIONS])
    assert result["roots"] >= min_roots, (
        f"expected at least {min_roots} of the book's elements ({BOOK_SELECTOR}), "
        f"found {result['roots']}"
    )
    return result["violations"]


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations, one line per failing node, for an assertion message."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"[{v['impact']}] {v['id']}: {v['help']} at {node['target']}: {summary}")
    return "\n".join(lines)


def css_rgb(colour: str) -> list[float]:
    """[r, g, b] (0..255) of a computed ``rgb(...)`` or ``rgba(...)`` colour."""
    return [float(v) for v in colour[colour.index("(") + 1 : -1].split(",")[:3]]


def luminance(css_colour: str) -> float:
    """Brightness 0..1 of a computed colour (Rec. 709 weights of its sRGB values)."""
    r, g, b = css_rgb(css_colour)
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def assert_theme_colours(background: str, text: str, theme: str) -> None:
    """A component in the book's ``theme``: dark text on a light background in the
    light theme, light text on a dark background in the dark one."""
    if theme == "dark":
        assert luminance(background) < 0.2 and luminance(text) > 0.7, (background, text)
    else:
        assert luminance(background) > 0.8 and luminance(text) < 0.4, (background, text)


# What has the focus, and how its focus ring looks (with the background of the
# component it is in, to measure the ring's contrast).
_FOCUSED_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const root = el.closest('[class^="attn-"], [class*=" attn-"]');
  return {
    tag: el.tagName, className: typeof el.className === 'string' ? el.className : '',
    type: el.type || null, value: el.value || null, text: el.textContent,
    label: el.labels && el.labels[0] ? el.labels[0].textContent : null,
    dataset: {...el.dataset}, visible: el.matches(':focus-visible'),
    outline: [style.outlineStyle, parseFloat(style.outlineWidth) || 0, style.outlineColor],
    root: root ? root.className.split(' ')[0] : null,
    background: root ? getComputedStyle(root).backgroundColor : null,
  };
}"""


def focused(page) -> dict[str, Any]:
    """The element with the focus: ``tag``, ``className``, ``type``, ``value``, ``text``,
    ``label`` (its label's text), ``dataset``, ``visible`` (:focus-visible), ``outline``
    ([style, width in px, colour]), ``root`` (the class of the component it is in, or
    None) and that component's ``background``."""
    return page.evaluate(_FOCUSED_JS)
