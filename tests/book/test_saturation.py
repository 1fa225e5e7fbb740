"""Tests of attn_book.saturation: the softmax Jacobian and the saturation measurement."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.saturation import numerical_jacobian, saturation_stats, softmax_jacobian
from attn_core import softmax


@pytest.mark.parametrize(
    "x",
    [np.array([0.0, 1.0, -2.0]), np.random.default_rng(0).normal(size=9), np.array([900.0, 899.5])],
)
def test_jacobian_matches_finite_differences(x):
    np.testing.assert_allclose(
        softmax_jacobian(x), numerical_jacobian(softmax, x, eps=1e-5), atol=1e-7
    )


def test_jacobian_is_symmetric_rows_sum_to_zero_and_batches():
    x = np.random.default_rng(1).normal(size=(3, 5))
    jac = softmax_jacobian(x)
    assert jac.shape == (3, 5, 5)
    np.testing.assert_allclose(jac, jac.transpose(0, 2, 1))
    np.testing.assert_allclose(jac.sum(axis=-1), 0, atol=1e-15)
    np.testing.assert_allclose(jac[1], softmax_jacobian(x[1]))


def test_numerical_jacobian_rejects_bad_input():
    with pytest.raises(ValueError, match="x must be a non-empty 1-d"):
        numerical_jacobian(np.sin, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="eps"):
        numerical_jacobian(np.sin, [1.0], eps=0)
    with pytest.raises(TypeError, match="callable"):
        numerical_jacobian(3, [1.0])


def test_saturation_grows_without_the_scale_and_not_with_it():
    rng = np.random.default_rng(0)
    small, small_scaled = saturation_stats(4, [1.0, 1 / 2], rng)
    large, large_scaled = saturation_stats(1024, [1.0, 1 / 32], rng)
    assert large.max_weight > 0.9 > small.max_weight
    assert large.jacobian_norm < 0.3 * small.jacobian_norm
    assert abs(large_scaled.max_weight - small_scaled.max_weight) < 0.05


def test_saturation_is_seeded():
    a = saturation_stats(16, [0.25, 1.0], np.random.default_rng(5), trials=20)
    b = saturation_stats(16, [0.25, 1.0], np.random.default_rng(5), trials=20)
    assert a == b
    # Each scale sees the same draws: one scale alone gives the same numbers.
    assert saturation_stats(16, [1.0], np.random.default_rng(5), trials=20) == [a[1]]


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"d_k": 0}, ValueError, "d_k"),
        ({"scales": [-1.0]}, ValueError, "scales"),
        ({"scales": [float("nan")]}, ValueError, "scales"),
        ({"scales": []}, ValueError, "scales"),
        ({"scales": 1.0}, ValueError, "scales"),
        ({"n_keys": 1}, ValueError, "n_keys"),
        ({"rng": 0}, TypeError, "rng"),
    ],
)
def test_saturation_rejects_bad_input(kwargs, error, fragment):
    args = {"d_k": 4, "scales": [1.0], "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=fragment):
        saturation_stats(**args)
