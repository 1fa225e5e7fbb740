"""The book's interactive views: each one ES module in this folder, fed two ways.

A view (``attention.js``, ``lookup.js``, ...) is a standard ES module with
``render({ model, el })``, anywidget's contract, on the shared ``core.js``.

- In a kernel, :class:`View` is an anywidget whose front end is that module:
  Python computes the outputs (with attn_core, or with a function the reader
  passes) and the model syncs them; the controls are ipywidgets (:class:`Live`).
- Online, with no kernel, the same object's output also carries ``text/html``
  (:func:`page_html`): the module inline, with the data it needs exported at
  build time; the module's own ``compute(state, data)`` plays the kernel's part
  in the browser, and it draws its own controls. The book shows this one.

Arrays travel in one wire format, ``{"dtype", "shape", "data"}``, the data
their little-endian bytes (:func:`wire`): a binary buffer to the kernel's
front end, base64 in the page.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from functools import cache
from importlib.resources import files
from typing import Any, ClassVar

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets as t

from attn_book.plots import browser_ramp

_FALLBACK = (
    "This interactive view runs in the online book, or in JupyterLab or Colab once its cell "
    "has run (Run All Cells). Where scripts do not run (a preview of the notebook), it cannot show."
)


@cache
def _asset(name: str) -> str:
    """The text of one file of this folder; scripts without their comment lines (they
    travel in every page and every widget)."""
    text = files(__package__).joinpath(name).read_text(encoding="utf-8")
    return _COMMENT_LINES.sub("", text) if name.endswith(".js") else text


# A line that is only a // comment, or a /** ... */ block of lines of its own.
_COMMENT_LINES = re.compile(r"^[ \t]*(?://[^\n]*|/\*\*?(?:[^*]|\*(?!/))*\*/)[ \t]*\n", re.M)


def _data_url(source: str) -> str:
    """A JavaScript module as a data: URL (a page on file:// can import it; a file it cannot)."""
    return "data:text/javascript;base64," + base64.b64encode(source.encode()).decode()


@cache
def module(name: str, core: str = "") -> str:
    """The ES module of view ``name``, its import of ``./core.js`` pointing at ``core``
    (default: core.js itself as a data: URL, for a widget)."""
    return _asset(f"{name}.js").replace(
        '"./core.js"', json.dumps(core or _data_url(_asset("core.js")))
    )


def wire(array: Any, dtype: Any = np.float32) -> dict[str, Any]:
    """An array in the wire format (float32 by default: the views draw, they do not compute)."""
    a = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": a.dtype.name, "shape": list(a.shape), "data": a.tobytes()}


def _for_page(value: Any) -> Any:
    """The page's copy of a state: bytes as base64 (JSON has no bytes)."""
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {k: _for_page(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_for_page(v) for v in value]
    return value


def _json_for_script(data: Any) -> str:
    """JSON that cannot end a <script> early: < > & and the line separators escaped."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for ch in "<>&\u2028\u2029":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def page_html(name: str, state: dict[str, Any], data: dict[str, Any]) -> str:
    """A view for a page with no kernel: its modules in an import map, its state and data as JSON.

    The element id is a hash of the content, so two runs of a notebook give the same page.
    """
    payload = _json_for_script({"state": _for_page(state), "data": _for_page(data)})
    uid = f"attn-{name}-" + hashlib.sha256((payload + module(name)).encode()).hexdigest()[:12]
    # An import map names the modules, so a page carries each once however many views
    # it shows (the book merges a page's maps into one in its <head>: book/_ext).
    imports = {
        "attn-core": _data_url(_asset("core.js")),
        f"attn-{name}": _data_url(module(name, "attn-core")),
    }
    return (
        f'<script type="importmap">{_json_for_script({"imports": imports})}</script>'
        f"<style>{_asset('core.css')}</style>"
        f'<div class="attn-root" id="{uid}">'
        f'<p class="attn-fallback">{_FALLBACK}</p>'
        f'<script type="application/json">{payload}</script>'
        f'<script type="module">import * as view from "attn-{name}";'
        f'view.mount(document.getElementById("{uid}"), view);</script></div>'
    )


class View(anywidget.AnyWidget):
    """A view in a kernel; its output also carries the same view for a page with no kernel.

    A subclass names its module (:attr:`name`), declares its state as synced
    traitlets and, for the page, the data its ``compute`` needs (:meth:`page_data`).
    """

    name: ClassVar[str]
    _css = _asset("core.css")
    title = t.Unicode().tag(sync=True)
    error = t.Unicode().tag(sync=True)
    note = t.Unicode().tag(sync=True)
    kernel_controls = t.Bool(True).tag(sync=True)
    ramp = t.Dict(browser_ramp()).tag(sync=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "name" in cls.__dict__:  # not the subclasses traitlets makes when adding traits
            cls._esm = module(cls.name)
        super().__init_subclass__(**kwargs)

    def notify_change(self, change: Any) -> None:
        """Send a change and everything it makes the view recompute in one message, so the
        front end draws once (not once for the control, then again for the results)."""
        with self.hold_sync():
            super().notify_change(change)

    def page_data(self) -> dict[str, Any]:
        """What the page's ``compute`` needs besides the state (weights, text rules)."""
        return {}

    def page_state(self) -> dict[str, Any]:
        """The synced state as the page starts it: the view draws its own controls there."""
        state = {
            name: getattr(self, name)
            for name in self.trait_names(sync=True)
            if not name.startswith("_") and name not in ("layout", "tabbable", "tooltip")
        }
        return {**state, "kernel_controls": False}

    def page_html(self) -> str:
        """This view, as it starts in a page with no kernel."""
        return page_html(self.name, self.page_state(), self.page_data())

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return _with_page(super()._repr_mimebundle_(**kwargs), self)


class Live(widgets.VBox):
    """A view with its ipywidgets controls above it; shows as the view alone in a page."""

    def __init__(self, view: View, controls: list[widgets.Widget]) -> None:
        title = widgets.HTML(f"<b>{html.escape(view.title)}</b>")
        super().__init__([title, widgets.HBox(controls, layout={"flex_flow": "row wrap"}), view])
        self.view = view

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return _with_page(super()._repr_mimebundle_(**kwargs), self.view)


def _with_page(bundle: Any, view: View) -> Any:
    """A widget's mime bundle plus the view for a page with no kernel (``text/html``)."""
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    if data is not None:
        data["text/html"] = view.page_html()
    return bundle
