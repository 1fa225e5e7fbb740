"""Local (kernel) widgets that also render as a static figure without a kernel.

Every chapter's widget is built with :func:`guarded_view`: the controls,
a status line for bad input, and an ``ipywidgets.Image`` redrawn in place.
The object it returns carries two representations: the live widget (which
JupyterLab shows) and a PNG of the default state (which the rendered book
shows, since the book drops widget views that would need a kernel).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from attn_book.plots import figure_to_png

RenderResult = Figure | bytes


class WidgetWithFallback:
    """Display a live widget, with a PNG of its default state as a fallback.

    Parameters
    ----------
    widget : ipywidgets.Widget
        The live view.
    fallback_png : bytes
        What a page without a kernel shows instead of the widget.
    alt : str
        Text shown where neither can be displayed.
    """

    def __init__(self, widget: widgets.Widget, fallback_png: bytes, alt: str) -> None:
        self.widget = widget
        self.fallback_png = fallback_png
        self.alt = alt
        # Filled in by guarded_view, so tests and benchmarks can drive the view.
        self.controls: Mapping[str, widgets.ValueWidget] = {}
        self.status: widgets.HTML | None = None
        self.image: widgets.Image | None = None
        self.redraw: Callable[[], None] = lambda: None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["image/png"] = base64.b64encode(self.fallback_png).decode("ascii")
        bundle["text/plain"] = self.alt
        return bundle


def _as_png(result: RenderResult) -> bytes:
    return result if isinstance(result, bytes) else figure_to_png(result)


def guarded_view(
    controls: Mapping[str, widgets.ValueWidget],
    render: Callable[..., RenderResult],
    *,
    alt: str,
    errors: tuple[type[BaseException], ...] = (ValueError, TypeError),
) -> WidgetWithFallback:
    """Build a widget that redraws on every change and survives bad input.

    Parameters
    ----------
    controls : mapping of str to ipywidgets value widgets
        Keyword name -> control; ``render`` receives each control's value
        under that name.
    render : callable
        ``render(**values)`` returns a matplotlib Figure or PNG bytes. It
        raises ``ValueError`` (or ``TypeError``) with a short, reader-facing
        message for bad input.
    alt : str
        Plain-text description of the figure.
    errors : tuple of exception types
        Exceptions shown as a message instead of a traceback.

    Returns
    -------
    WidgetWithFallback
        Displays as the live widget in a kernel and as a PNG of the default
        state in the static book.

    Raises
    ------
    ValueError
        If the default values of the controls are rejected by ``render``.
    """
    status = widgets.HTML(value="")
    first = _as_png(render(**{name: c.value for name, c in controls.items()}))
    image = widgets.Image(value=first, format="png")

    def redraw(_change: Any = None) -> None:
        try:
            image.value = _as_png(render(**{name: c.value for name, c in controls.items()}))
        except errors as exc:
            # Keep the last good figure; say what was wrong in one line.
            status.value = (
                '<span style="color:#b00020">' + html.escape(str(exc)) + " (showing the last "
                "valid figure)</span>"
            )
            return
        status.value = ""

    for control in controls.values():
        control.observe(redraw, names="value")
    box = widgets.VBox([widgets.HBox(list(controls.values())), status, image])
    view = WidgetWithFallback(box, first, alt)
    view.controls, view.status, view.image, view.redraw = dict(controls), status, image, redraw
    return view
