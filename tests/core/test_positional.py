"""Tests of attn_core.sinusoidal_encoding."""

from __future__ import annotations

import numpy as np
import pytest

from attn_core import sinusoidal_encoding


def test_matches_the_paper_formula_entrywise():
    n, d = 7, 6
    pe = sinusoidal_encoding(n, d)
    for pos in range(n):
        for i in range(d // 2):
            angle = pos / 10000 ** (2 * i / d)
            assert pe[pos, 2 * i] == pytest.approx(np.sin(angle))
            assert pe[pos, 2 * i + 1] == pytest.approx(np.cos(angle))


def test_rows_are_distinct_and_bounded():
    pe = sinusoidal_encoding(50, 16)
    assert pe.shape == (50, 16) and pe.dtype == np.float64
    assert np.all(np.abs(pe) <= 1.0)
    # Every position gets its own vector, so order becomes visible.
    distances = np.linalg.norm(pe[:, None] - pe[None], axis=-1)
    assert np.all(distances[~np.eye(50, dtype=bool)] > 1e-3)
    # Each sine/cosine pair has unit norm: sin^2 + cos^2 = 1.
    np.testing.assert_allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1.0)


def test_relative_shift_is_a_rotation():
    # PE[pos + k] is a fixed linear function of PE[pos] (the paper's motivation).
    pe = sinusoidal_encoding(20, 8)
    k = 3
    solution, *_ = np.linalg.lstsq(pe[:-k], pe[k:], rcond=None)
    np.testing.assert_allclose(pe[:-k] @ solution, pe[k:], atol=1e-9)


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((0, 4), ValueError, "n must be at least 1"),
        ((3, 5), ValueError, "positive even"),
        ((3, 0), ValueError, "positive even"),
        ((3.0, 4), TypeError, "n must be an int"),
        ((3, "4"), TypeError, "d_model must be an int"),
    ],
)
def test_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        sinusoidal_encoding(*args)


def test_bad_base():
    with pytest.raises(ValueError, match="base"):
        sinusoidal_encoding(3, 4, base=1.0)
