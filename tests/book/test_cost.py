"""Tests of attn_book.cost: the counts, the exponent fit, the timed layers."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import attn_book.cost as cost
from attn_book.cost import PAPER_TABLE, loglog_slope, measure_costs, min_time, multiply_adds
from attn_book.rnn import rnn_forward


def test_loglog_slope_recovers_a_power_law():
    n = np.array([10, 20, 40, 80])
    assert loglog_slope(n, 3 * n**2.0) == pytest.approx(2.0)
    assert loglog_slope(n, 0.5 * n) == pytest.approx(1.0)


def test_min_time_keeps_the_shortest_timing_of_the_given_clock():
    ticks = iter([0.0, 5.0, 10.0, 12.0])
    assert min_time(lambda: None, 2, clock=lambda: next(ticks)) == 2.0


def test_multiply_adds_crossovers():
    d = 64
    for n in (d - 1, d, d + 1, 2 * d - 1, 2 * d, 2 * d + 1):
        count = multiply_adds(n, d)
        full = count["self-attention"] + count["projections"]
        # The attention step against the tanh RNN (Vaswani et al., section 4): equal at n = d.
        assert np.sign(count["self-attention"] - count["recurrent"]) == np.sign(n - d)
        # A full layer: never below the tanh RNN, below a GRU iff n < d, an LSTM iff n < 2d.
        assert full > count["recurrent"]
        assert np.sign(full - count["gru"]) == np.sign(n - d)
        assert np.sign(full - count["lstm"]) == np.sign(n - 2 * d)


def test_measure_costs_limits_blas_to_one_thread_only_while_timing(monkeypatch):
    seen = []

    def spy(*args):
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return rnn_forward(*args)

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
    lines = m.table().splitlines()
    assert len(lines) == 3
    for line, (layer, paper) in zip(lines[1:], PAPER_TABLE.items(), strict=True):
        assert line.startswith(layer) and all(cell in line for cell in paper)
        assert float(line.split()[-1]) == pytest.approx(exps[layer]["memory"], abs=0.01)
