"""Tests of attn_book.cost: exponent fitting, the RNN layer, the measured table."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.cost import (
    PAPER_TABLE,
    loglog_slope,
    measure_costs,
    min_time,
    multiply_adds,
)
from attn_book.rnn import rnn_forward


def test_loglog_slope_recovers_a_power_law():
    n = np.array([10, 20, 40, 80])
    assert loglog_slope(n, 3 * n**2.0) == pytest.approx(2.0)
    assert loglog_slope(n, 0.5 * n) == pytest.approx(1.0)


@pytest.mark.parametrize("x, y", [([1], [1]), ([1, 2], [1, 0]), ([1, 2], [1, 2, 3])])
def test_loglog_slope_rejects_bad_input(x, y):
    with pytest.raises(ValueError):
        loglog_slope(x, y)


def test_min_time_is_positive_and_checks_repeats():
    assert min_time(lambda: sum(range(100)), 3) > 0
    with pytest.raises(ValueError, match="repeats"):
        min_time(lambda: None, 0)
    with pytest.raises(TypeError, match="repeats"):
        min_time(lambda: None, 2.0)


def test_measure_costs_limits_blas_to_one_thread_only_while_timing(monkeypatch):
    from threadpoolctl import threadpool_info

    import attn_book.cost as cost

    seen = []

    def spy(*args, **kwargs):
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return rnn_forward(*args, **kwargs)

    before = [p["num_threads"] for p in threadpool_info()]
    monkeypatch.setattr(cost, "rnn_forward", spy)
    measure_costs(lengths=(4, 8), d=2, repeats=1)
    assert seen and set(seen[2:]) == {1}  # the first two calls measure memory only
    assert [p["num_threads"] for p in threadpool_info()] == before


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


def test_multiply_adds_counts_and_crossover():
    count = multiply_adds(4, 8)
    assert count == {
        "self-attention": 2 * 16 * 8,
        "projections": 4 * 4 * 64,
        "recurrent": 2 * 4 * 64,
    }
    # Attention's part equals the recurrent layer's exactly at n = d (Vaswani et al., section 4).
    for d in (8, 64):
        assert multiply_adds(d, d)["self-attention"] == multiply_adds(d, d)["recurrent"]
        assert multiply_adds(d - 1, d)["self-attention"] < multiply_adds(d - 1, d)["recurrent"]
        assert multiply_adds(d + 1, d)["self-attention"] > multiply_adds(d + 1, d)["recurrent"]


def test_multiply_adds_rejects_bad_input():
    with pytest.raises(ValueError, match="n must be at least 1"):
        multiply_adds(0, 4)
    with pytest.raises(TypeError, match="d must be an int"):
        multiply_adds(4, 2.0)
