"""Tests of the chapter 4 and 5 figures and widgets (attn_book.widgets, attn_book.diagrams)."""

from __future__ import annotations

import base64
import io

import numpy as np
import PIL.Image
import pytest

from attn_book.diagrams import multi_head_diagram
from attn_book.widgets.masking import MASK_CHOICES, explorer_mask, masking_widget
from attn_book.widgets.multi_head import head_choices, multi_head_widget


def test_head_choices_are_the_divisors():
    assert head_choices(8) == [1, 2, 4, 8]
    assert head_choices(12) == [1, 2, 3, 4, 6, 12]


def test_diagram_shows_every_shape_and_w_o():
    fig = multi_head_diagram(5, 8, 4)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for shape in ("5 x 8", "5 x 4 x 2", "4 x 5 x 2", "4 x 5 x 5", "W_o\n8 x 8"):
        assert shape in texts
    with pytest.raises(ValueError, match="does not divide"):
        multi_head_diagram(5, 8, 3)


def test_multi_head_explorer_redraws_and_reports_bad_input():
    view = multi_head_widget()
    bundle = view._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert view.controls["num_heads"].options == tuple(head_choices(8))
    first = view.image.value
    view.controls["head"].value = 2
    second = view.image.value
    assert second != first and view.status.value == ""
    # Fewer heads: the head slider is clamped, so the view stays valid.
    view.controls["num_heads"].value = 2
    assert view.controls["head"].max == 1 and view.status.value == ""
    third = view.image.value
    view.controls["text"].value = "?!"
    assert view.image.value == third
    assert "no words" in view.status.value
    view.controls["text"].value = "the dog ran"
    assert view.status.value == "" and view.image.value != third


def test_multi_head_explorer_explains_a_head_count_that_does_not_divide():
    view = multi_head_widget()
    view.controls["num_heads"].options = [1, 2, 3, 4]  # as if a reader could type 3
    view.controls["num_heads"].value = 4
    before = view.image.value
    view.controls["num_heads"].value = 3
    assert "do not divide d_model = 8" in view.status.value
    assert view.image.value == before


def test_masking_explorer_redraws_and_reports_bad_input():
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
def test_explorer_masks(choice):
    tokens, mask = explorer_mask(["a", "b", "c"], choice)
    n = len(tokens)
    assert mask.shape == (n, n) and mask.dtype == bool
    if "padding" in choice:
        assert tokens[3:] == ["<pad>"] * 3 and not mask[:, 3:].any()
    if "causal" in choice:
        assert not np.triu(mask, 1).any()
    if choice == "none":
        assert mask.all()
    with pytest.raises(ValueError, match="mask must be one of"):
        explorer_mask(["a"], "future")


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


def test_masking_explorer_draws_masked_cells_grey_and_only_those():
    view = masking_widget(mask="none")
    assert _grey_pixels(view.image.value) == 0  # a weight of 1 or 0 is not grey
    view.controls["mask"].value = "causal"
    causal = _grey_pixels(view.image.value)
    view.controls["mask"].value = "causal + padding"
    # 10 words: 45 masked cells above the diagonal; padding masks more.
    assert 0 < causal < _grey_pixels(view.image.value)
