"""Tests of the chapter 4 widget (attn_book.widgets.multi_head)."""

from __future__ import annotations

import base64
import io

import PIL.Image

from attn_book.choices import head_choices
from attn_book.widgets.multi_head import head_options, multi_head_widget


def test_widget_draws_one_heads_share_before_and_after_w_o():
    view = multi_head_widget()
    assert "before and after W_o" in view.alt and "of 4 of 4" not in view.alt
    size = PIL.Image.open(io.BytesIO(view.fallback_png)).size
    assert size[0] > size[1]  # two panels side by side
    images = {view.image.value}
    for head in (1, 2, 3):
        view.controls["head"].value = head
        assert view.status.value == ""
        images.add(view.image.value)
    assert len(images) == 4  # every head draws its own share


def _redraws(view) -> list[bytes]:
    """A list that records every new image of the view."""
    images: list[bytes] = []
    view.image.observe(lambda change: images.append(change["new"]), names="value")
    return images


def test_multi_head_widget_redraws_and_reports_bad_input():
    view = multi_head_widget()
    bundle = view._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert view.controls["num_heads"].options == tuple(head_choices(8))
    # Heads are counted from 1 for the reader; the code gets 0, 1, ...
    assert view.controls["head"].options == (("1", 0), ("2", 1), ("3", 2), ("4", 3))
    assert view.controls["head"].label == "1"
    first = view.image.value
    view.controls["head"].value = 2
    second = view.image.value
    assert second != first and view.status.value == ""
    # Fewer heads: the head menu is cut to the new count, with one redraw.
    images = _redraws(view)
    view.controls["num_heads"].value = 2
    assert view.controls["head"].options == tuple(head_options(2)) and view.status.value == ""
    assert view.controls["head"].value == 1 and len(images) == 1
    third = view.image.value
    view.controls["text"].value = "?!"
    assert view.image.value == third
    assert "no words" in view.status.value
    view.controls["text"].value = "the dog ran"
    assert view.status.value == "" and view.image.value != third


def test_multi_head_widget_explains_a_head_count_that_does_not_divide():
    view = multi_head_widget()
    view.controls["num_heads"].options = [1, 2, 3, 4]  # as if a reader could type 3
    view.controls["num_heads"].value = 4
    before = view.image.value
    view.controls["num_heads"].value = 3
    assert "do not divide d_model = 8" in view.status.value
    assert view.image.value == before


def test_controls_are_sized_to_their_content():
    view = multi_head_widget()
    for name in ("num_heads", "head"):
        assert view.controls[name].layout.width == "max-content", name


def test_widgets_say_what_the_tokenizer_left_out():
    for view in (multi_head_widget(),):
        view.controls["text"].value = "<b>hi</b> the cat \U0001f642 sat"
        status = view.status.value
        assert "left out" in status and "\U0001f642" in status and "&lt;" in status
        assert "b hi b the cat sat" in status and "<b>" not in status
        view.controls["text"].value = "the cat sat"
        assert view.status.value == ""
