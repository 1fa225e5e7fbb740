import base64

import ipywidgets as widgets
import numpy as np
import pytest

from attn_book.plots import figure_to_png, show_heatmaps
from attn_book.widgets.view import guarded_view


def test_show_heatmaps_draws_one_panel_per_matrix_with_labels():
    weights = np.random.default_rng(0).random((3, 2, 4))
    fig = show_heatmaps(
        weights, row_labels=["a", "b"], col_labels=list("wxyz"), titles=["h0", "h1", "h2"]
    )
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["h0", "h1", "h2"]
    assert [t.get_text() for t in panels[0].get_xticklabels()] == list("wxyz")
    assert np.array_equal(panels[1].images[0].get_array(), weights[1])
    png = figure_to_png(fig)
    assert png.startswith(b"\x89PNG")


def test_show_heatmaps_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="row_labels has 3 labels for 2 rows"):
        show_heatmaps(np.eye(2), row_labels=["a", "b", "c"])
    with pytest.raises(ValueError, match="matrices must be 2-D or 3-D"):
        show_heatmaps(np.ones(3))


def _view():
    text = widgets.Text(value="a b c")

    def render(text):
        tokens = text.split()
        if not tokens:
            raise ValueError("type at least one token")
        return show_heatmaps(np.eye(len(tokens)), row_labels=tokens, col_labels=tokens)

    return text, guarded_view({"text": text}, render, alt="identity heatmap")


def test_view_has_live_widget_and_png_fallback():
    _, view = _view()
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert bundle["text/plain"] == "identity heatmap"


def test_view_redraws_and_keeps_last_figure_on_bad_input():
    text, view = _view()
    first = view.image.value
    text.value = "a b"
    second = view.image.value
    assert second != first and view.status.value == ""
    text.value = "   "
    assert view.image.value == second
    assert "type at least one token" in view.status.value
    text.value = "<b>x</b>"
    assert view.status.value == ""


def test_error_message_is_escaped():
    text = widgets.Text(value="ok")

    def render(text):
        if text != "ok":
            raise ValueError(f"bad token {text}")
        return show_heatmaps(np.eye(1))

    view = guarded_view({"text": text}, render, alt="x")
    text.value = "<img src=x onerror=alert(1)>"
    assert "<img" not in view.status.value
    assert "&lt;img" in view.status.value


def test_show_heatmaps_writes_numbers_in_the_ramps_text_colour():
    fig = show_heatmaps(np.array([[0.0, 1.0]]), annotate=True)
    colours = [t.get_color() for t in fig.axes[0].texts]
    assert colours == ["white", "black"]  # white on dark purple, black on yellow


def test_view_shows_a_note_and_beside_layout():
    text = widgets.Text(value="a b")

    def render(text):
        return show_heatmaps(np.eye(len(text.split()) or 1))

    view = guarded_view(
        {"text": text},
        render,
        alt="x",
        note=lambda text: f"{text.count('!')} left out" if "!" in text else "",
        layout="beside",
    )
    assert view.status.value == ""
    assert isinstance(view.widget, widgets.HBox) and view.widget.children[1] is view.image
    text.value = "a b!"
    assert "1 left out" in view.status.value and "#b00020" not in view.status.value
    with view.hold():
        text.value = "a"
    assert "1 left out" in view.status.value  # held: no redraw
    with pytest.raises(ValueError, match="layout must be one of"):
        guarded_view({"text": text}, render, alt="x", layout="below")
