"""Does a component of the book fit a phone? A check for every browser test.

At :data:`PHONE` width (390 CSS pixels, an iPhone 12 to 15) a reader must be
able to use every kernel-free component without scrolling the page sideways:
the component's box fits the screen and nothing inside it sticks out of it,
except what a scroll container holds (a large matrix may scroll, on its own,
inside a box that fits). :func:`spill` lists what breaks that rule.

Use it in a test::

    from tests.browser.layout import PHONE, assert_fits

    page, log = new_page(viewport=PHONE)
    ...
    assert_fits(page.locator(".attn-explorer").first)
"""

from __future__ import annotations

from typing import Any

#: The phone the browser tests emulate: 390 by 844 CSS pixels.
PHONE: dict[str, int] = {"width": 390, "height": 844}

# Every visible element inside root whose box sticks out of root's box
# (left or right), not looking inside scroll containers (and other boxes
# that clip), whose own box must fit. Also the page's and root's widths.
SPILL_JS = """root => {
  const box = root.getBoundingClientRect();
  const name = (el) => {
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim()
      .split(/\\s+/).join('.') : '';
    return el.tagName.toLowerCase() + cls;
  };
  const spill = [];
  const walk = (el) => {
    for (const child of el.children) {
      const style = getComputedStyle(child);
      if (style.display === 'none' || style.visibility === 'hidden') { continue; }
      const b = child.getBoundingClientRect();
      if (b.width > 0 && (b.left < box.left - 1 || b.right > box.right + 1)) {
        spill.push(`${name(child)} [${Math.round(b.left)}, ${Math.round(b.right)}]`);
      }
      if (!['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) { walk(child); }
    }
  };
  walk(root);
  return {
    viewport: document.documentElement.clientWidth,
    page: document.documentElement.scrollWidth,
    root: [box.left, box.right, root.scrollWidth, root.clientWidth],
    spill,
  };
}"""


def spill(root) -> dict[str, Any]:
    """The layout report of one component root (a Playwright locator): see SPILL_JS."""
    return root.evaluate(SPILL_JS)


def assert_fits(root) -> dict[str, Any]:
    """Assert that the page does not scroll sideways, that ``root`` lies within the
    screen and does not scroll itself, and that nothing inside it sticks out of it
    (scroll containers excepted). Returns the report."""
    report = spill(root)
    left, right, scroll_width, client_width = report["root"]
    assert report["page"] <= report["viewport"], (
        f"the page scrolls sideways: {report['page']} px wide on a {report['viewport']} px screen"
    )
    assert left >= -1 and right <= report["viewport"] + 1, f"the component is off screen: {report}"
    assert scroll_width <= client_width + 1, f"the component itself scrolls sideways: {report}"
    assert report["spill"] == [], f"elements stick out of the component: {report['spill']}"
    return report


# The theme's sticky headers and its skip link would sit on top of a component
# in an element screenshot (the page scrolls under them): hidden while one is taken.
_PAGE_CHROME_CSS = ".bd-header, .bd-header-article, .skip-link { visibility: hidden !important; }"


def screenshot(root, path) -> None:
    """A picture of one component (a Playwright locator), without the page's
    sticky header over it. The window grows for the picture when the component
    is taller than it (the theme scrolls an element to below its header)."""
    page = root.page
    size = page.viewport_size
    height = root.evaluate("e => Math.ceil(e.getBoundingClientRect().height)")
    if height + 200 > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height + 200})
    try:
        root.screenshot(path=str(path), style=_PAGE_CHROME_CSS)
    finally:
        page.set_viewport_size(size)
