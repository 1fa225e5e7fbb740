"""Local (kernel) widgets that also render as a static figure without a kernel.

Every chapter's widget is built with :func:`guarded_view`: the controls,
a status line (a short message for bad input, or a note such as what the
tokenizer left out of the text), and an ``ipywidgets.Image`` redrawn in place.
The object it returns carries two representations: the live widget (which
JupyterLab shows) and a PNG of the default state (which the rendered book
shows, since the book drops widget views that would need a kernel).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure


RenderResult = Figure | bytes

#: Where the controls go: in a row above the figure, or in a column beside it
#: (for a tall figure, so the controls and the figure stay in view together).
LAYOUTS: tuple[str, ...] = ("above", "beside")


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
        self.held = False

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls without a redraw for each; the caller's
        own change (whose observers run next) redraws once, after."""
        held, self.held = self.held, True
        try:
            yield
        finally:
            self.held = held

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["image/png"] = base64.b64encode(self.fallback_png).decode("ascii")
        bundle["text/plain"] = self.alt
        return bundle


def _as_png(result: RenderResult) -> bytes:
    return result if isinstance(result, bytes) else figure_to_png(result)


def fit_to_content(control: widgets.Widget) -> widgets.Widget:
    """Size a control to its content (ipywidgets gives every one a fixed 300 px).

    The description takes the width of its text and the control itself the
    width of its value, so a dropdown of one-digit choices is narrow.
    Returns the same control.
    """
    control.layout.width = "max-content"
    control.style.description_width = "initial"
    return control


def guarded_view(
    controls: Mapping[str, widgets.ValueWidget],
    render: Callable[..., RenderResult],
    *,
    alt: str,
    errors: tuple[type[BaseException], ...] = (ValueError, TypeError),
    note: Callable[..., str] | None = None,
    layout: str = "above",
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
    note : callable, optional
        ``note(**values)`` returns a one-line note shown under the controls
        after a successful redraw (``""`` for none), e.g. what the tokenizer
        left out of the text (:func:`attn_book.tokens.dropped_note`).
    layout : {"above", "beside"}
        Controls in a row above the figure, or in a column to its left.

    Returns
    -------
    WidgetWithFallback
        Displays as the live widget in a kernel and as a PNG of the default
        state in the static book.

    Raises
    ------
    ValueError
        If the default values of the controls are rejected by ``render``, or
        ``layout`` is unknown.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {list(LAYOUTS)}, got {layout!r}")
    status = widgets.HTML(value="")

    def values() -> dict[str, Any]:
        return {name: c.value for name, c in controls.items()}

    def show_note() -> None:
        text = note(**values()) if note is not None else ""
        status.value = (
            '<span style="color:#57606a">' + html.escape(text) + "</span>" if text else ""
        )

    first = _as_png(render(**values()))
    show_note()
    # At its own size (a flex box would stretch it to the output's width, and a
    # 600 px figure would grow to 1000 px and push the controls out of view), and
    # never wider than the output.
    image = widgets.Image(
        value=first,
        format="png",
        layout=widgets.Layout(align_self="flex-start", max_width="100%", height="auto"),
    )

    def redraw(_change: Any = None) -> None:
        if view.held:
            return
        try:
            image.value = _as_png(render(**values()))
        except errors as exc:
            # Keep the last good figure; say what was wrong in one line.
            status.value = (
                '<span style="color:#b00020">' + html.escape(str(exc)) + " (showing the last "
                "valid figure)</span>"
            )
            return
        show_note()

    for control in controls.values():
        control.observe(redraw, names="value")
    if layout == "above":
        box = widgets.VBox([widgets.HBox(list(controls.values())), status, image])
    else:
        # A column of controls and the status line, the figure on its right.
        status.layout.max_width = "18rem"
        column = widgets.VBox([*controls.values(), status], layout=widgets.Layout(flex="0 0 auto"))
        box = widgets.HBox([column, image], layout=widgets.Layout(align_items="flex-start"))
    view = WidgetWithFallback(box, first, alt)
    view.controls, view.status, view.image, view.redraw = dict(controls), status, image, redraw
    return view


def figure_to_png(fig, dpi: int = 100) -> bytes:
    """Render a matplotlib figure to PNG bytes."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()
