"""What every kernel-free fragment is made of, assembled once for all of them.

The explorers and questions of :mod:`attn_book.explorer` write one HTML
fragment each into a notebook's output (:class:`Fragment`): a root element,
its stylesheet, a title, the data as JSON inside a
``<script type="application/json">`` element (:func:`json_for_script`), what
a page without JavaScript shows, the element the engine builds the component
in, and the engine (:mod:`attn_book.explorer.assets`). The root element's id
derives from a hash of what the fragment holds (:func:`content_id`), so two
runs of a notebook give the same output (and two different fragments on one
page never share an id).
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any, ClassVar

from attn_book.plots import ramp, ramp_index, text_is_dark
from attn_book.explorer.assets import COMPONENTS, engine_js, stylesheet


def json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``</``, ``<!--`` or ``]]>`` can appear.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where the escapes
    ``\\u003c`` etc. decode to the same characters; so do the line separators
    U+2028 and U+2029, which older JavaScript parsers reject in strings.

    Parameters
    ----------
    data : object
        Anything :func:`json.dumps` accepts (no NaN or infinity).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``data`` holds NaN or infinity.
    TypeError
        If ``data`` holds something JSON cannot represent.

    Examples
    --------
    >>> json_for_script({"token": "</script>"})
    '{"token":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def content_id(prefix: str, *parts: str) -> str:
    """An element id: ``prefix`` and 12 hex digits of a SHA-256 hash of ``parts``.

    Parameters
    ----------
    prefix : str
        What the element is, e.g. ``"attn-question"``.
    *parts : str
        Everything the fragment holds (data, script, style).

    Returns
    -------
    str

    Examples
    --------
    >>> content_id("attn-demo", "a", "b") == content_id("attn-demo", "a", "b")
    True
    >>> content_id("attn-demo", "ab") != content_id("attn-demo", "a", "b")
    True
    """
    digest = hashlib.sha256()
    for part in parts:
        # Length-prefixed, so ("ab",) and ("a", "b") differ.
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return f"{prefix}-{digest.hexdigest()[:12]}"


def weight_cell(weight: float, text: str) -> str:
    """A table cell of a static fallback on the colour of ``weight`` (0 to 1).

    The colour is the book's weight ramp (:mod:`attn_book.colors`), as in the
    page and the figures, and ``text`` (HTML, escaped by the caller) takes the
    colour that reads on it.

    Examples
    --------
    >>> weight_cell(1.0, "1.00")
    '<td style="background:#fde725;color:#000000">1.00</td>'
    """
    rgb = ramp()[ramp_index(weight)]
    text_colour = "#000000" if text_is_dark(rgb) else "#ffffff"
    return f'<td style="background:#{bytes(rgb).hex()};color:{text_colour}">{text}</td>'


def check_title(title: Any) -> str:
    """A component's heading: ``title`` itself, if it is a str.

    Raises
    ------
    TypeError
        If ``title`` is not a str.
    """
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    return title


class Fragment:
    """One kernel-free component, written into a notebook's output as one HTML fragment.

    A subclass names its kind (:attr:`component`, a key of
    :data:`attn_book.explorer.assets.COMPONENTS`) and writes what a page
    without JavaScript shows (:meth:`_static`); this class assembles the rest,
    the same way for every component.

    Safety: the data goes in through :func:`json_for_script`, so nothing in it
    can end the script early; the title is escaped with :func:`html.escape`,
    and so must be everything :meth:`_static` and :meth:`_intro` write.

    Attributes
    ----------
    data : dict
        What the page's script receives.
    element_id : str
        The root element's id, derived from a hash of the content.
    """

    #: The kind of component: a key of attn_book.explorer.assets.COMPONENTS.
    component: ClassVar[str]
    #: True: the root is named by its title element (aria-labelledby); False:
    #: by the title's text (aria-label).
    labelled_by_title: ClassVar[bool] = False

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._payload = json_for_script(data)
        self.element_id = content_id(
            COMPONENTS[self.component].root_class,
            self._payload,
            engine_js(self.component),
            stylesheet(self.component),
        )

    def _title(self) -> str:
        """The heading shown above the component (as text)."""
        return self.data["title"]

    def _root_attributes(self) -> str:
        """More attributes of the root element (each with a leading space), escaped."""
        return ""

    def _intro(self) -> str:
        """HTML between the title and the data (escaped), e.g. a question's prompt."""
        return ""

    def _static(self) -> str:
        """What a page without JavaScript shows (escaped HTML); the engine removes it."""
        raise NotImplementedError

    def to_html(self) -> str:
        """One self-contained HTML fragment (root element, inline style, data and script)."""
        kind = COMPONENTS[self.component]
        uid, prefix = self.element_id, kind.prefix
        title = html.escape(self._title())
        if self.labelled_by_title:
            name, title_id = f'aria-labelledby="{uid}-title"', f' id="{uid}-title"'
        else:
            name, title_id = f'aria-label="{title}"', ""
        return (
            # tex2jax_ignore / mathjax_ignore: MathJax must not typeset the reader's text.
            f'<div class="{kind.root_class} tex2jax_ignore mathjax_ignore" id="{uid}" '
            f'role="group" {name}{self._root_attributes()}>\n'
            f"<style>{stylesheet(self.component)}</style>\n"
            f'<div class="{prefix}-title"{title_id}>{title}</div>\n'
            f"{self._intro()}"
            f'<script type="application/json" class="{prefix}-data">{self._payload}</script>\n'
            f'<div class="{prefix}-static">{self._static()}</div>\n'
            f'<div class="{prefix}-app"></div>\n'
            f"<script>{engine_js(self.component)}</script>\n"
            "</div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()
