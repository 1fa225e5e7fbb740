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
token). The timed attention is the attention step only,
``scaled_dot_product_attention(x, x, x)``: the scores and the weighted sum,
without the projections that make ``Q``, ``K``, ``V`` and the output. The
recurrent layer is the book's tanh RNN, :func:`attn_book.rnn.rnn_forward`,
without a bias: ``h_t = tanh(x_t W_x + h_{t-1} W_h)``, its input product
``x_t W_x`` included. Timings count the CPU time of the
calling thread (with matrix products limited to that one thread by
``threadpoolctl``: on a busy machine a multi-threaded BLAS waits for a free
core at every product, noise that has nothing to do with ``n``) and keep the
minimum over repeats, the least noisy estimate.

:func:`multiply_adds` counts the work behind the table exactly. The
paper's ``O(n^2 d)`` for self-attention counts the scores ``Q K^T`` and the
weighted sum of the values, and leaves out the projections that make ``Q``,
``K``, ``V`` and the output, ``O(n d^2)`` like a whole recurrent layer; so
self-attention does fewer multiply-adds than a recurrent layer of the same
width exactly when ``n < d`` (Vaswani et al. 2017, section 4), projections
aside. With them a full layer does ``2 n^2 d + 4 n d^2``, more than the
recurrent layer's ``2 n d^2`` at every ``n``.
"""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from attn_book.rnn import rnn_forward
from attn_core import scaled_dot_product_attention
from attn_core._validation import check_int

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


def multiply_adds(n: int, d: int) -> dict[str, int]:
    """Multiply-adds of one layer on ``n`` tokens of width ``d``: the counts behind Table 1.

    Parameters
    ----------
    n : int
        Sequence length (>= 1).
    d : int
        Width of the token vectors (>= 1): ``d_k = d_v = d`` for attention,
        the hidden size of the recurrent layer.

    Returns
    -------
    dict
        ``"self-attention"``: ``2 n^2 d``, the scores ``Q K^T`` (``n^2 d``) and
        the weighted sum of the values (``n^2 d``), what Table 1's ``O(n^2 d)``
        counts; ``"projections"``: ``4 n d^2``, the ``d x d`` projections that
        make ``Q``, ``K``, ``V`` and the output, which the table leaves out;
        ``"recurrent"``: ``2 n d^2``, ``x_t W_x`` and ``h_{t-1} W_h`` at each of
        the ``n`` steps of ``h_t = tanh(x_t W_x + h_{t-1} W_h)``.

    Raises
    ------
    TypeError, ValueError
        If ``n`` or ``d`` is not an int of at least 1.

    Examples
    --------
    >>> multiply_adds(4, 8)
    {'self-attention': 256, 'projections': 1024, 'recurrent': 512}
    """
    n = check_int(n, "n", minimum=1)
    d = check_int(d, "d", minimum=1)
    return {
        "self-attention": 2 * n * n * d,
        "projections": 4 * n * d * d,
        "recurrent": 2 * n * d * d,
    }


def min_time(
    fn: Callable[[], object], repeats: int = 5, clock: Callable[[], float] = time.thread_time
) -> float:
    """Best of ``repeats`` timings of ``fn()``, in seconds (:func:`timeit.repeat`, one call each).

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
    TypeError, ValueError
        If ``repeats`` is not an int of at least 1.
    """
    repeats = check_int(repeats, "repeats", minimum=1)
    return float(min(timeit.repeat(fn, repeat=repeats, number=1, timer=clock)))


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
    """Time the attention step and a recurrent layer on the same random inputs.

    The attention step is ``scaled_dot_product_attention(x, x, x)``, without
    the ``Q``, ``K``, ``V`` and output projections; the recurrent layer is
    :func:`attn_book.rnn.rnn_forward`, its input product ``x W_x`` included.

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
    TypeError
        If ``d`` or ``repeats`` is not an int.
    ValueError
        For fewer than two lengths, a length below 2, ``d < 1`` or ``repeats < 1``.
    """
    lengths_arr = np.asarray(sorted(set(int(n) for n in lengths)))
    if lengths_arr.size < 2 or lengths_arr[0] < 2:
        raise ValueError(f"lengths needs at least two values >= 2, got {list(lengths)}")
    d = check_int(d, "d", minimum=1)
    repeats = check_int(repeats, "repeats", minimum=1)
    rng = np.random.default_rng(seed)
    w_x, w_h = rng.normal(size=(2, d, d)) / np.sqrt(d)
    rnn = {"w_x": w_x, "w_h": w_h, "b": np.zeros(d)}
    inputs = [rng.normal(size=(n, d)) for n in lengths_arr]
    att_b = [scaled_dot_product_attention(x, x, x)[1].nbytes for x in inputs]
    rnn_b = [rnn_forward(rnn, x).nbytes for x in inputs]
    att_t = np.full(len(inputs), np.inf)
    rnn_t = np.full(len(inputs), np.inf)
    with threadpool_limits(limits=1, user_api="blas"):
        # Round-robin over the lengths, so a burst of load from another process
        # slows one repeat of every n rather than every repeat of one n.
        for _ in range(repeats):
            for i, x in enumerate(inputs):
                att_t[i] = min(
                    att_t[i], min_time(lambda x=x: scaled_dot_product_attention(x, x, x), 1)
                )
                rnn_t[i] = min(rnn_t[i], min_time(lambda x=x: rnn_forward(rnn, x), 1))
    return CostMeasurement(
        lengths=lengths_arr,
        d=d,
        attention_seconds=att_t,
        recurrent_seconds=rnn_t,
        attention_bytes=np.array(att_b, dtype=float),
        recurrent_bytes=np.array(rnn_b, dtype=float),
    )
