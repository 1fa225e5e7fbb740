"""Hypothesis strategies and seeded arrays shared by the tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

batch_shapes = st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple)
sizes = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)


def random_array(seed: int, shape: tuple[int, ...], dtype=np.float64, scale: float = 1.0):
    """A seeded normal array, so a failing example is reproducible."""
    return (np.random.default_rng(seed).normal(size=shape) * scale).astype(dtype)
