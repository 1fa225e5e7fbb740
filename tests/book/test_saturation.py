"""Tests of attn_book.saturation: the softmax Jacobian and the saturation measurement."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.saturation import numerical_jacobian, saturation_stats, softmax_jacobian
from attn_core import softmax


def test_numerical_jacobian_of_a_known_function():
    np.testing.assert_allclose(numerical_jacobian(lambda v: v**2, [1.0, 3.0]), np.diag([2.0, 6.0]))


@pytest.mark.parametrize(
    "x",
    [np.array([0.0, 1.0, -2.0]), np.random.default_rng(0).normal(size=9), np.array([900.0, 899.5])],
)
def test_jacobian_matches_finite_differences(x):
    np.testing.assert_allclose(
        softmax_jacobian(x), numerical_jacobian(softmax, x, eps=1e-5), atol=1e-7
    )


def test_jacobian_batches_and_rows_sum_to_zero():
    x = np.random.default_rng(1).normal(size=(3, 5))
    jac = softmax_jacobian(x)
    np.testing.assert_allclose(jac[1], softmax_jacobian(x[1]))
    np.testing.assert_allclose(jac.sum(axis=-1), 0, atol=1e-15)


def test_saturation_grows_without_the_scale_and_not_with_it():
    rng = np.random.default_rng(0)
    small, small_scaled = saturation_stats(4, [1.0, 1 / 2], rng)
    large, large_scaled = saturation_stats(1024, [1.0, 1 / 32], rng)
    assert large.max_weight > 0.9 > small.max_weight
    assert large.entropy < 0.3 < small.entropy
    assert large.jacobian_norm < 0.3 * small.jacobian_norm
    assert abs(large_scaled.max_weight - small_scaled.max_weight) < 0.05
    [flat] = saturation_stats(4, [1e-9], rng)
    assert flat.max_weight == pytest.approx(1 / 16) and flat.entropy == pytest.approx(np.log(16))


def test_saturation_is_seeded_and_every_scale_sees_the_same_draws():
    a = saturation_stats(16, [0.25, 1.0], np.random.default_rng(5), trials=20)
    assert saturation_stats(16, [1.0], np.random.default_rng(5), trials=20) == [a[1]]
