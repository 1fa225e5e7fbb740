"""Chapter 3's exercise checkers compute their expected answers rightly."""

from __future__ import annotations

import numpy as np

from attn_book.exercises.chapter3 import (
    D_K,
    VAR_K,
    VAR_Q,
    scaled_score_variance,
    shift_matrix,
)
from attn_core import sinusoidal_encoding


def test_scaled_score_variance_matches_sampling():
    rng = np.random.default_rng(0)
    q = rng.normal(scale=np.sqrt(VAR_Q), size=(200_000, D_K))
    k = rng.normal(scale=np.sqrt(VAR_K), size=(200_000, D_K))
    sampled = (np.einsum("sd,sd->s", q, k) / np.sqrt(D_K)).var()
    assert abs(sampled - scaled_score_variance(D_K, VAR_Q, VAR_K)) < 0.05 * VAR_Q * VAR_K


def test_shift_matrix_is_orthogonal_and_composes():
    m1, m2, m3 = (shift_matrix(k, 8) for k in (1, 2, 3))
    np.testing.assert_allclose(m3 @ m3.T, np.eye(8), atol=1e-12)
    np.testing.assert_allclose(m1 @ m2, m3, atol=1e-12)
    pe = sinusoidal_encoding(20, 8)
    np.testing.assert_allclose(pe[:-3] @ m3, pe[3:], atol=1e-12)
