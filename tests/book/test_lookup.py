"""Tests of attn_book.lookup: soft and hard lookups, the effective number of inputs."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.lookup import effective_inputs, hard_lookup, soft_lookup
from attn_core import scaled_dot_product_attention, softmax

KEYS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
VALUES = np.array([[10.0, 0.0], [0.0, 10.0], [-10.0, 5.0]])


@pytest.mark.parametrize("temperature", [0.05, 0.5, 1.0, 3.0, 100.0])
def test_soft_lookup_is_softmax_of_scores_over_temperature(temperature):
    query = np.array([0.8, 0.5])
    answer, weights = soft_lookup(query, KEYS, VALUES, temperature)
    expected = softmax(KEYS @ query / temperature)
    np.testing.assert_allclose(weights, expected, atol=1e-12)
    np.testing.assert_allclose(answer, expected @ VALUES, atol=1e-12)
    assert answer.shape == (2,) and weights.shape == (3,)


def test_soft_lookup_batches_queries_like_attention():
    rng = np.random.default_rng(0)
    queries = rng.normal(size=(4, 5, 2))
    answer, weights = soft_lookup(queries, KEYS, VALUES, 2.0)
    context, expected = scaled_dot_product_attention(queries, KEYS, VALUES, scale=0.5)
    np.testing.assert_allclose(weights, expected)
    np.testing.assert_allclose(answer, context)
    assert answer.shape == (4, 5, 2) and weights.shape == (4, 5, 3)


def test_soft_lookup_survives_large_scores():
    answer, weights = soft_lookup(np.array([1e4, 0.0]), KEYS, VALUES, 1.0)
    assert np.all(np.isfinite(weights)) and weights[0] == pytest.approx(1.0)
    np.testing.assert_allclose(answer, VALUES[0])


def test_soft_lookup_tends_to_hard_and_to_uniform():
    query = np.array([0.8, 0.5])
    _, hard = hard_lookup(query, KEYS, VALUES)
    np.testing.assert_allclose(soft_lookup(query, KEYS, VALUES, 1e-3)[1], hard, atol=1e-9)
    np.testing.assert_allclose(soft_lookup(query, KEYS, VALUES, 1e6)[1], 1 / 3, atol=1e-5)


def test_hard_lookup_returns_the_best_value_and_one_hot_weights():
    answer, weights = hard_lookup(np.array([0.2, 0.9]), KEYS, VALUES)
    np.testing.assert_array_equal(answer, VALUES[1])
    np.testing.assert_array_equal(weights, [0.0, 1.0, 0.0])
    # The largest dot product, not the nearest key.
    keys = np.array([[5.0, 0.0], [1.0, 1.0]])
    answer, _ = hard_lookup(np.array([0.9, 1.0]), keys, VALUES[:2])
    np.testing.assert_array_equal(answer, VALUES[0])


def test_hard_lookup_breaks_ties_towards_the_first_key():
    _, weights = hard_lookup(np.array([1.0, 1.0]), KEYS, VALUES)
    np.testing.assert_array_equal(weights, [1.0, 0.0, 0.0])


def test_hard_lookup_batches():
    queries = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -2.0]])
    answer, weights = hard_lookup(queries, KEYS, VALUES)
    np.testing.assert_array_equal(answer, VALUES)
    np.testing.assert_array_equal(weights, np.eye(3))


@pytest.mark.parametrize("lookup", [soft_lookup, hard_lookup])
def test_lookups_reject_bad_shapes(lookup):
    with pytest.raises(ValueError, match="query has d=3 but keys have d=2"):
        lookup(np.zeros(3), KEYS, VALUES)
    with pytest.raises(ValueError, match="one value per key"):
        lookup(np.zeros(2), KEYS, VALUES[:2])
    with pytest.raises(ValueError, match="keys and values must be 2-D"):
        lookup(np.zeros(2), KEYS[None], VALUES)
    with pytest.raises(ValueError, match="query contains NaN"):
        lookup(np.array([np.nan, 0.0]), KEYS, VALUES)
    with pytest.raises(TypeError, match="keys must be a real numeric array"):
        lookup(np.zeros(2), "keys", VALUES)


@pytest.mark.parametrize("temperature", [0.0, -1.0, np.inf, np.nan])
def test_soft_lookup_rejects_bad_temperatures(temperature):
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        soft_lookup(np.zeros(2), KEYS, VALUES, temperature)


@pytest.mark.parametrize("temperature", ["1", None, True])
def test_soft_lookup_rejects_temperatures_that_are_not_numbers(temperature):
    with pytest.raises(TypeError, match="temperature must be a real number"):
        soft_lookup(np.zeros(2), KEYS, VALUES, temperature)


def test_effective_inputs():
    assert effective_inputs([1.0, 0.0, 0.0]) == 1.0
    assert effective_inputs(np.full(4, 0.25)) == pytest.approx(4.0)
    np.testing.assert_allclose(effective_inputs([[0.5, 0.5], [1.0, 0.0]]), [2.0, 1.0])
    with pytest.raises(ValueError, match="non-negative"):
        effective_inputs([1.5, -0.5])
    with pytest.raises(ValueError, match="sum to 1"):
        effective_inputs([0.5, 0.4])
