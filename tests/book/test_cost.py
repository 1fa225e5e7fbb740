"""Tests of attn_book.cost: exponent fitting, the RNN layer, the measured table."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.cost import (
    PAPER_TABLE,
    loglog_slope,
    measure_costs,
    min_time,
    recurrent_layer,
    single_threaded_blas,
)


def test_loglog_slope_recovers_a_power_law():
    n = np.array([10, 20, 40, 80])
    assert loglog_slope(n, 3 * n**2.0) == pytest.approx(2.0)
    assert loglog_slope(n, 0.5 * n) == pytest.approx(1.0)


@pytest.mark.parametrize("x, y", [([1], [1]), ([1, 2], [1, 0]), ([1, 2], [1, 2, 3])])
def test_loglog_slope_rejects_bad_input(x, y):
    with pytest.raises(ValueError):
        loglog_slope(x, y)


def test_recurrent_layer_matches_the_recurrence():
    rng = np.random.default_rng(0)
    x, w_x, w_h = rng.normal(size=(5, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    states = recurrent_layer(x, w_x, w_h)
    h = np.zeros(3)
    for t in range(5):
        h = np.tanh(x[t] @ w_x + h @ w_h)
        np.testing.assert_allclose(states[t], h)


def test_min_time_is_positive_and_checks_repeats():
    assert min_time(lambda: sum(range(100)), 3) > 0
    with pytest.raises(ValueError, match="repeats"):
        min_time(lambda: None, 0)


def test_single_threaded_blas_restores_state():
    a = np.ones((64, 64))
    with single_threaded_blas() as limited:
        assert isinstance(limited, bool)
        np.testing.assert_allclose(a @ a, 64.0)
    np.testing.assert_allclose(a @ a, 64.0)


def test_measure_costs_exponents_and_table():
    m = measure_costs(lengths=(64, 128, 256, 512), d=16, repeats=3)
    exps = m.exponents()
    # Memory exponents are exact: n^2 weights against n*d hidden states.
    assert exps["self-attention"]["memory"] == pytest.approx(2.0)
    assert exps["recurrent"]["memory"] == pytest.approx(1.0)
    # Timing is noisy; only the order must hold.
    assert exps["self-attention"]["time"] > exps["recurrent"]["time"]
    table = m.table()
    for row in PAPER_TABLE.values():
        assert row["complexity per layer"] in table
    assert "O(n^2 d)" in table and len(table.splitlines()) == 4


def test_measure_costs_rejects_bad_input():
    with pytest.raises(ValueError, match="lengths"):
        measure_costs(lengths=(8,))
    with pytest.raises(ValueError, match="d must be"):
        measure_costs(lengths=(8, 16), d=0)
    with pytest.raises(ValueError, match="repeats"):
        measure_costs(lengths=(8, 16), repeats=0)


def test_min_time_uses_the_given_clock():
    ticks = iter([0.0, 5.0, 10.0, 12.0])
    assert min_time(lambda: None, 2, clock=lambda: next(ticks)) == 2.0
