"""Tests of attn_book.fills: fill values for masked scores, and the unguarded softmax."""

from __future__ import annotations

import numpy as np

from attn_book.fills import fill_scores, textbook_softmax
from attn_core import softmax


def test_fill_scores_replaces_or_adds_in_the_chosen_precision():
    scores = np.array([[1.0, 2.0, 3.0]])
    allowed = np.array([True, True, False])
    np.testing.assert_array_equal(fill_scores(scores, allowed, -1e4), [[1.0, 2.0, -1e4]])
    added = fill_scores(scores, allowed, -1e4, how="add")
    np.testing.assert_array_equal(added, [[1.0, 2.0, 3.0 - 1e4]])
    as_16 = fill_scores(scores, allowed, -1e9, precision="float16")
    assert as_16.dtype == np.float16 and np.isneginf(as_16[0, 2])
    np.testing.assert_array_equal(as_16[0, :2], [1.0, 2.0])


def test_replacing_with_minus_inf_is_what_attn_core_does():
    scores = np.random.default_rng(0).normal(size=(4, 4))
    mask = np.tril(np.ones((4, 4), dtype=bool))
    filled = softmax(fill_scores(scores, mask, -np.inf))
    np.testing.assert_allclose(filled, softmax(np.where(mask, scores, -np.inf)))


def test_textbook_softmax_is_nan_only_where_attn_core_gives_zeros():
    x = np.array([[0.0, 1.0], [-np.inf, -np.inf]])
    np.testing.assert_allclose(textbook_softmax(x)[0], softmax(x)[0])
    assert np.isnan(textbook_softmax(x)[1]).all() and not softmax(x)[1].any()
    assert textbook_softmax(x.astype(np.float16)).dtype == np.float16
