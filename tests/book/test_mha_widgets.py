"""Tests of the chapter 4 and 5 figures and widgets (attn_book.widgets, attn_book.diagrams)."""

from __future__ import annotations

import base64
import io

import numpy as np
import PIL.Image
import pytest

from attn_book.choices import MASK_CHOICES, head_choices, mask_for_choice
from attn_book.diagrams import multi_head_diagram
from attn_book.widgets.masking import PADDING_TOKENS, masked_sentence, masking_widget
from attn_book.widgets.multi_head import head_options, multi_head_widget


def test_diagram_shows_every_shape_and_w_o():
    fig = multi_head_diagram(5, 8, 4)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for shape in ("5 x 8", "5 x 4 x 2", "4 x 5 x 2", "4 x 5 x 5", "W_o: 8 x 8"):
        assert shape in texts
    with pytest.raises(ValueError, match="does not divide"):
        multi_head_diagram(5, 8, 3)


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
    assert masking_widget().controls["mask"].layout.width == "max-content"


def test_widgets_say_what_the_tokenizer_left_out():
    for view in (multi_head_widget(), masking_widget()):
        view.controls["text"].value = "<b>hi</b> the cat \U0001f642 sat"
        status = view.status.value
        assert "left out" in status and "\U0001f642" in status and "&lt;" in status
        assert "b hi b the cat sat" in status and "<b>" not in status
        view.controls["text"].value = "the cat sat"
        assert view.status.value == ""


def test_masking_widget_keeps_controls_beside_the_figure():
    import ipywidgets as widgets

    view = masking_widget()
    assert isinstance(view.widget, widgets.HBox)
    column, image = view.widget.children
    assert image is view.image and view.controls["mask"] in column.children
    # Small enough to sit beside the controls in a laptop window (was 442 px of grid).
    height = PIL.Image.open(io.BytesIO(view.image.value)).size[1]
    assert height < 500, height


def test_masking_widget_redraws_and_reports_bad_input():
    view = masking_widget()
    first = view.image.value
    view.controls["mask"].value = "none"
    second = view.image.value
    assert second != first and view.status.value == ""
    view.controls["mask"].value = "padding"
    assert view.controls["query"].max == 12  # 10 words + 3 pads
    view.controls["query"].value = 12
    assert view.status.value == ""
    third = view.image.value
    view.controls["text"].value = ""
    assert "empty" in view.status.value and view.image.value == third
    view.controls["text"].value = "a b"
    assert view.status.value == "" and view.controls["query"].max == 4


@pytest.mark.parametrize("choice", MASK_CHOICES)
def test_masked_sentence(choice):
    tokens, mask = masked_sentence(["a", "b", "c"], choice)
    n = len(tokens)
    assert mask.shape == (n, n) and mask.dtype == bool
    padded = n == 3 + PADDING_TOKENS
    assert padded == (choice in ("padding", "causal + padding"))
    np.testing.assert_array_equal(mask, mask_for_choice(choice, [True] * 3 + [False] * (n - 3)))
    if padded:
        # Pad keys masked; pad query rows keep the real keys (output discarded).
        assert tokens[3:] == ["<pad>"] * 3 and not mask[:, 3:].any()
        assert mask[3:, :3].any(axis=1).all()
    with pytest.raises(ValueError, match="mask must be one of"):
        masked_sentence(["a"], "future")


def _grey_pixels(png: bytes) -> int:
    """Pixels of the masked-cell grey inside a 3 x 3 block of it (so not the odd
    anti-aliased text pixel that happens to have that shade)."""
    rgb = np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"))
    grey = np.all(rgb == (208, 208, 208), axis=-1)
    block = grey[1:-1, 1:-1].copy()
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            block &= grey[dy : dy + grey.shape[0] - 2, dx : dx + grey.shape[1] - 2]
    return int(block.sum())


def test_masking_widget_draws_masked_cells_grey_and_only_those():
    view = masking_widget(mask="none")
    assert _grey_pixels(view.image.value) == 0  # a weight of 1 or 0 is not grey
    view.controls["mask"].value = "causal"
    causal = _grey_pixels(view.image.value)
    view.controls["mask"].value = "causal + padding"
    # 10 words: 45 masked cells above the diagonal; padding masks more.
    assert 0 < causal < _grey_pixels(view.image.value)
