"""Measure how self-attention and a recurrent layer scale with sequence length.

Vaswani et al. (2017, Table 1) compare layer types by three numbers:

=================  ===================  =====================  ==================
layer              complexity per layer  sequential operations  maximum path length
=================  ===================  =====================  ==================
self-attention     O(n^2 d)             O(1)                   O(1)
recurrent          O(n d^2)             O(n)                   O(n)
=================  ===================  =====================  ==================

This module times both layers on the same inputs, for growing ``n``, and
fits the exponent of ``n`` on a log-log scale: about 2 for attention (every
query meets every key) and about 1 for the recurrent layer (one step per
token). Timings count the CPU time of the calling thread (with matrix
products limited to that one thread) and keep the minimum over repeats,
the least noisy estimate on a busy machine.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from attn_core import scaled_dot_product_attention

#: The rows of Vaswani et al. (2017), Table 1, for the two layers measured here.
PAPER_TABLE: dict[str, dict[str, str]] = {
    "self-attention": {
        "complexity per layer": "O(n^2 d)",
        "sequential operations": "O(1)",
        "maximum path length": "O(1)",
    },
    "recurrent": {
        "complexity per layer": "O(n d^2)",
        "sequential operations": "O(n)",
        "maximum path length": "O(n)",
    },
}


def recurrent_layer(x: np.ndarray, w_x: np.ndarray, w_h: np.ndarray) -> np.ndarray:
    """A plain tanh RNN: ``h_t = tanh(x_t W_x + h_{t-1} W_h)``, one step per token.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Input vectors.
    w_x, w_h : ndarray, shape (d, d)
        Input and recurrent weights.

    Returns
    -------
    ndarray, shape (n, d)
        The hidden state after each step. Step ``t`` needs step ``t - 1``, so
        the ``n`` steps cannot run in parallel (O(n) sequential operations).
    """
    inputs = x @ w_x  # all input projections at once; the recurrence is the sequential part
    states = np.empty_like(inputs)
    h = np.zeros(x.shape[1])
    for t in range(x.shape[0]):
        h = np.tanh(inputs[t] + h @ w_h)
        states[t] = h
    return states


def _openblas_thread_setters() -> tuple[Callable[[int], None], Callable[[], int]] | None:
    """(set, get) thread-count functions of the OpenBLAS bundled with NumPy, if found."""
    libs_dir = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in glob.glob(os.path.join(libs_dir, "*openblas*")):
        try:
            lib = ctypes.CDLL(path)  # already loaded by NumPy: same handle
        except OSError:
            continue
        for suffix in ("64_", "_64_", ""):
            setter = getattr(lib, f"scipy_openblas_set_num_threads{suffix}", None)
            getter = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
            if setter is not None and getter is not None:
                return setter, getter
    return None


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[bool]:
    """Run matrix products on one thread inside the ``with`` block.

    On a busy machine a multi-threaded BLAS waits for a free core at every
    product, which adds noise that has nothing to do with ``n``. One thread
    measures the work itself. Yields True if the limit could be set (NumPy's
    bundled OpenBLAS), False otherwise (then nothing changes).
    """
    found = _openblas_thread_setters()
    if found is None:
        yield False
        return
    setter, getter = found
    before = getter()
    setter(1)
    try:
        yield True
    finally:
        setter(before)


def min_time(
    fn: Callable[[], object], repeats: int = 5, clock: Callable[[], float] = time.thread_time
) -> float:
    """Best of ``repeats`` timings of ``fn()``, in seconds.

    Parameters
    ----------
    fn : callable
        The work to time, called with no arguments.
    repeats : int, default 5
        How many timings; the minimum is returned, because noise (caches,
        interrupts) only ever adds time.
    clock : callable, default time.thread_time
        The clock. The default counts the CPU time of the calling thread
        only, so time the scheduler hands to other programs on a busy machine
        is not counted (pass ``time.perf_counter`` for wall-clock time).

    Raises
    ------
    ValueError
        If ``repeats < 1``.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    best = np.inf
    for _ in range(repeats):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return float(best)


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Slope of the least-squares line through ``(log x, log y)``: the exponent p in y ~ x^p.

    Raises
    ------
    ValueError
        If fewer than two points are given or any value is not positive.
    """
    x_arr, y_arr = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x_arr.shape != y_arr.shape or x_arr.ndim != 1 or x_arr.size < 2:
        raise ValueError(
            f"need two 1-D sequences of equal length >= 2, got {x_arr.shape}, {y_arr.shape}"
        )
    if np.any(x_arr <= 0) or np.any(y_arr <= 0):
        raise ValueError("loglog_slope needs positive values")
    slope, _ = np.polyfit(np.log(x_arr), np.log(y_arr), 1)
    return float(slope)


@dataclass(frozen=True)
class CostMeasurement:
    """Timings (seconds) and memory (bytes) of both layers for each sequence length.

    ``attention_bytes`` is the size of the (n, n) weight matrix; ``recurrent_bytes``
    the size of the (n, d) hidden states, the largest array each layer keeps.
    """

    lengths: np.ndarray
    d: int
    attention_seconds: np.ndarray
    recurrent_seconds: np.ndarray
    attention_bytes: np.ndarray
    recurrent_bytes: np.ndarray

    def exponents(self) -> dict[str, dict[str, float]]:
        """Fitted exponents of n: ``{"self-attention": {"time": .., "memory": ..}, ...}``."""
        n = self.lengths
        return {
            "self-attention": {
                "time": loglog_slope(n, self.attention_seconds),
                "memory": loglog_slope(n, self.attention_bytes),
            },
            "recurrent": {
                "time": loglog_slope(n, self.recurrent_seconds),
                "memory": loglog_slope(n, self.recurrent_bytes),
            },
        }

    def table(self) -> str:
        """A plain-text table: the paper's Table 1 rows beside the measured exponents.

        Columns: complexity per layer, sequential operations and maximum path
        length from the paper, then the fitted exponents p of time ~ n^p and
        memory ~ n^p.
        """
        exps = self.exponents()
        header = ("layer", "complexity", "sequential", "path", "time: p", "memory: p")
        rows = [header]
        for layer, paper in PAPER_TABLE.items():
            rows.append(
                (
                    layer,
                    paper["complexity per layer"],
                    paper["sequential operations"],
                    paper["maximum path length"],
                    f"{exps[layer]['time']:.2f}",
                    f"{exps[layer]['memory']:.2f}",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


def measure_costs(
    lengths: Sequence[int] = (128, 256, 512, 1024, 2048),
    d: int = 32,
    repeats: int = 5,
    seed: int = 0,
) -> CostMeasurement:
    """Time self-attention and a recurrent layer on the same random inputs.

    Parameters
    ----------
    lengths : sequence of int
        Sequence lengths n to try (at least two, each >= 2).
    d : int, default 32
        Feature width (``d_k = d_v = d`` for attention, hidden size for the RNN).
    repeats : int, default 5
        Timings per point; the minimum is kept.
    seed : int, default 0
        Seed of the random inputs.

    Returns
    -------
    CostMeasurement

    Raises
    ------
    ValueError
        For fewer than two lengths, a length below 2, or ``d < 1``.
    """
    lengths_arr = np.asarray(sorted(set(int(n) for n in lengths)))
    if lengths_arr.size < 2 or lengths_arr[0] < 2:
        raise ValueError(f"lengths needs at least two values >= 2, got {list(lengths)}")
    if d < 1:
        raise ValueError(f"d must be at least 1, got {d}")
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    rng = np.random.default_rng(seed)
    w_x, w_h = rng.normal(size=(2, d, d)) / np.sqrt(d)
    inputs = [rng.normal(size=(n, d)) for n in lengths_arr]
    att_b = [scaled_dot_product_attention(x, x, x)[1].nbytes for x in inputs]
    rnn_b = [recurrent_layer(x, w_x, w_h).nbytes for x in inputs]
    att_t = np.full(len(inputs), np.inf)
    rnn_t = np.full(len(inputs), np.inf)
    with single_threaded_blas():
        # Round-robin over the lengths, so a burst of load from another process
        # slows one repeat of every n rather than every repeat of one n.
        for _ in range(repeats):
            for i, x in enumerate(inputs):
                att_t[i] = min(
                    att_t[i], min_time(lambda x=x: scaled_dot_product_attention(x, x, x), 1)
                )
                rnn_t[i] = min(rnn_t[i], min_time(lambda x=x: recurrent_layer(x, w_x, w_h), 1))
    return CostMeasurement(
        lengths=lengths_arr,
        d=d,
        attention_seconds=att_t,
        recurrent_seconds=rnn_t,
        attention_bytes=np.array(att_b, dtype=float),
        recurrent_bytes=np.array(rnn_b, dtype=float),
    )
