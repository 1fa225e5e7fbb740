"""Tests of attn_book.choices: the mask menu and its masks, head counts, head names."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.choices import (
    MASK_CHOICES,
    MASK_RULES,
    check_mask_choice,
    head_choices,
    head_label,
    mask_for_choice,
)
from attn_core import causal_mask, combine_masks, key_padding_mask, multi_head_attention


def test_one_spelling_of_each_mask():
    assert MASK_CHOICES == ("none", "causal", "padding", "causal + padding")
    assert set(MASK_RULES) == set(MASK_CHOICES)
    for bad in ("causal+padding", "Causal", "", None):
        with pytest.raises(ValueError, match="mask must be one of"):
            check_mask_choice(bad)


def test_masks_of_each_choice():
    real = [True, False, True]
    np.testing.assert_array_equal(mask_for_choice("none", real), np.ones((3, 3), bool))
    np.testing.assert_array_equal(mask_for_choice("causal", real), causal_mask(3))
    pad = mask_for_choice("padding", real)
    # Keys only: column 1 is masked for every query, row 1 keeps the real keys.
    np.testing.assert_array_equal(pad, np.array([[1, 0, 1], [1, 0, 1], [1, 0, 1]], bool))
    np.testing.assert_array_equal(
        mask_for_choice("causal + padding", real), combine_masks(causal_mask(3), pad)
    )


@pytest.mark.parametrize("length, n", [(1, 1), (2, 5), (4, 4)])
def test_trailing_padding_is_attn_core_key_padding_mask(length, n):
    real = [True] * length + [False] * (n - length)
    np.testing.assert_array_equal(
        mask_for_choice("padding", real), np.broadcast_to(key_padding_mask([length], n)[0], (n, n))
    )
    np.testing.assert_array_equal(
        mask_for_choice("causal + padding", real),
        combine_masks(causal_mask(n), key_padding_mask([length], n))[0],
    )


def test_padding_query_rows_attend_to_the_real_keys():
    """PyTorch's key_padding_mask convention: the padding row is not zeroed."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 4))
    w = rng.normal(size=(4, 4, 4))
    mask = mask_for_choice("padding", [True, True, False, False])
    _, weights = multi_head_attention(x, *w, 2, mask)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    assert np.all(weights[..., 2:] == 0.0)
    # Only a row with no real key at all is empty: position 0 as a pad, causal.
    empty = mask_for_choice("causal + padding", [False, True, True])
    assert not empty[0].any() and empty[1:].any(axis=1).all()


@pytest.mark.parametrize(
    "real, error, message",
    [([], ValueError, "non-empty 1-D"), ([[True]], ValueError, "1-D"), ([1, 0], TypeError, "bool")],
)
def test_mask_for_choice_rejects_bad_real(real, error, message):
    with pytest.raises(error, match=message):
        mask_for_choice("padding", real)


def test_head_choices_are_the_divisors():
    assert head_choices(8) == [1, 2, 4, 8]
    assert head_choices(12) == [1, 2, 3, 4, 6, 12]
    with pytest.raises(TypeError, match="d_model must be an int"):
        head_choices(8.0)
    with pytest.raises(ValueError, match="d_model must be at least 1"):
        head_choices(0)


def test_heads_are_named_from_1():
    assert head_label(0, 4) == "head 1 of 4"
    assert head_label(3, 4) == "head 4 of 4"
    with pytest.raises(ValueError, match="head must be at most 3"):
        head_label(4, 4)
