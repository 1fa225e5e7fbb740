"""Tests of attn_book.lookup: soft and hard lookups, the effective number of inputs."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.lookup import effective_inputs, hard_lookup, soft_lookup
from attn_core import scaled_dot_product_attention, softmax

KEYS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
VALUES = np.array([[10.0, 0.0], [0.0, 10.0], [-10.0, 5.0]])


@pytest.mark.parametrize("temperature", [0.05, 1.0, 100.0])
def test_soft_lookup_is_softmax_of_scores_over_temperature(temperature):
    query = np.array([0.8, 0.5])
    answer, weights = soft_lookup(query, KEYS, VALUES, temperature)
    expected = softmax(KEYS @ query / temperature)
    np.testing.assert_allclose(weights, expected, atol=1e-12)
    np.testing.assert_allclose(answer, expected @ VALUES, atol=1e-12)


def test_soft_lookup_batches_queries_like_attention():
    queries = np.random.default_rng(0).normal(size=(4, 5, 2))
    answer, weights = soft_lookup(queries, KEYS, VALUES, 2.0)
    context, expected = scaled_dot_product_attention(queries, KEYS, VALUES, scale=0.5)
    np.testing.assert_allclose(weights, expected)
    np.testing.assert_allclose(answer, context)


def test_soft_lookup_survives_large_scores_and_tends_to_hard_and_to_uniform():
    answer, weights = soft_lookup(np.array([1e4, 0.0]), KEYS, VALUES)
    np.testing.assert_allclose(answer, VALUES[0])
    query = np.array([0.8, 0.5])
    _, hard = hard_lookup(query, KEYS, VALUES)
    np.testing.assert_allclose(soft_lookup(query, KEYS, VALUES, 1e-3)[1], hard, atol=1e-9)
    np.testing.assert_allclose(soft_lookup(query, KEYS, VALUES, 1e6)[1], 1 / 3, atol=1e-5)


def test_hard_lookup_takes_the_largest_dot_product_not_the_nearest_key():
    answer, weights = hard_lookup(np.array([0.2, 0.9]), KEYS, VALUES)
    np.testing.assert_array_equal(answer, VALUES[1])
    np.testing.assert_array_equal(weights, [0.0, 1.0, 0.0])
    keys = np.array([[5.0, 0.0], [1.0, 1.0]])  # (1, 1) is nearer, (5, 0) aligns more
    np.testing.assert_array_equal(hard_lookup(np.array([0.9, 1.0]), keys, VALUES[:2])[0], VALUES[0])


def test_hard_lookup_breaks_ties_towards_the_first_key_and_batches():
    np.testing.assert_array_equal(hard_lookup(np.ones(2), KEYS, VALUES)[1], [1.0, 0.0, 0.0])
    answer, weights = hard_lookup(np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -2.0]]), KEYS, VALUES)
    np.testing.assert_array_equal(answer, VALUES)
    np.testing.assert_array_equal(weights, np.eye(3))


def test_effective_inputs():
    assert effective_inputs([1.0, 0.0, 0.0]) == 1.0
    assert effective_inputs(np.full(4, 0.25)) == pytest.approx(4.0)
    np.testing.assert_allclose(effective_inputs([[0.5, 0.5], [1.0, 0.0]]), [2.0, 1.0])
