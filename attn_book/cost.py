"""What self-attention and recurrent layers cost (chapter 2): counted, and timed as n grows.

:func:`multiply_adds` counts the work exactly; :func:`measure_costs` times the
attention step and the book's tanh RNN, and fits the exponent of ``n``.
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

#: Vaswani et al. (2017), Table 1: (complexity per layer, sequential operations,
#: maximum path length) of the two layers measured here.
PAPER_TABLE: dict[str, tuple[str, str, str]] = {
    "self-attention": ("O(n^2 d)", "O(1)", "O(1)"),
    "recurrent": ("O(n d^2)", "O(n)", "O(n)"),
}


def multiply_adds(n: int, d: int) -> dict[str, int]:
    """Multiply-adds of one layer on ``n`` tokens of width ``d``.

    Parameters
    ----------
    n : int
        Sequence length.
    d : int
        Width of the tokens and of the recurrent state.

    Returns
    -------
    dict
        ``"self-attention"``: ``2 n^2 d``, the scores ``Q K^T`` and the
        weighted sum of the values (what Table 1's ``O(n^2 d)`` counts);
        ``"projections"``: ``4 n d^2``, the ``d x d`` projections that make
        ``Q``, ``K``, ``V`` and the output; ``"recurrent"``: ``2 n d^2``, the
        tanh RNN's ``x_t W_x`` and ``h_{t-1} W_h``; ``"gru"``: ``6 n d^2``
        (an input and a recurrent matrix for each of the reset gate, the
        update gate and the candidate); ``"lstm"``: ``8 n d^2`` (the same
        for the input, forget and output gates and the candidate).

    Examples
    --------
    >>> multiply_adds(4, 8)["self-attention"]
    256
    """
    return {
        "self-attention": 2 * n * n * d,
        "projections": 4 * n * d * d,
        "recurrent": 2 * n * d * d,
        "gru": 6 * n * d * d,
        "lstm": 8 * n * d * d,
    }


def min_time(
    fn: Callable[[], object], repeats: int = 5, clock: Callable[[], float] = time.thread_time
) -> float:
    """The best of ``repeats`` timings of ``fn()``, in seconds.

    The minimum, because noise (caches, interrupts) only ever adds time; the
    default clock counts the calling thread's CPU time, so time the scheduler
    gives other programs is not counted.
    """
    return float(min(timeit.repeat(fn, repeat=repeats, number=1, timer=clock)))


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """The exponent ``p`` of ``y ~ x^p``: the least-squares slope through ``(log x, log y)``."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


@dataclass(frozen=True)
class CostMeasurement:
    """Seconds and bytes of both layers at each length; the bytes are the largest array kept.

    ``attention_bytes`` is the (n, n) weight matrix, ``recurrent_bytes`` the
    (n, d) hidden states.
    """

    lengths: np.ndarray
    d: int
    attention_seconds: np.ndarray
    recurrent_seconds: np.ndarray
    attention_bytes: np.ndarray
    recurrent_bytes: np.ndarray

    def exponents(self) -> dict[str, dict[str, float]]:
        """Fitted exponents of n, ``{layer: {"time": p, "memory": p}}`` for both layers."""
        measured = {
            "self-attention": (self.attention_seconds, self.attention_bytes),
            "recurrent": (self.recurrent_seconds, self.recurrent_bytes),
        }
        return {
            layer: {
                "time": loglog_slope(self.lengths, seconds),
                "memory": loglog_slope(self.lengths, size),
            }
            for layer, (seconds, size) in measured.items()
        }

    def table(self) -> str:
        """Table 1's rows for both layers beside the fitted exponents, as plain text."""
        row = "{:<16}{:<12}{:<12}{:<6}{:>9}{:>11}"
        lines = [row.format("layer", "complexity", "sequential", "path", "time: p", "memory: p")]
        for layer, exps in self.exponents().items():
            fitted = (f"{exps['time']:.2f}", f"{exps['memory']:.2f}")
            lines.append(row.format(layer, *PAPER_TABLE[layer], *fitted))
        return "\n".join(lines)


def measure_costs(
    lengths: Sequence[int] = (128, 256, 512, 1024, 2048),
    d: int = 32,
    repeats: int = 5,
    seed: int = 0,
) -> CostMeasurement:
    """Time ``scaled_dot_product_attention(x, x, x)`` and ``rnn_forward`` on the same inputs.

    The attention step has no projections; the RNN includes ``x W_x``.
    Matrix products run on one thread while timing: on a busy machine a
    multi-threaded BLAS waits for a free core at every product, noise that
    has nothing to do with ``n``.

    Parameters
    ----------
    lengths : sequence of int
        The sequence lengths, at least two.
    d : int
        Width of the tokens and of the RNN's state.
    repeats : int
        Timings per point; the minimum is kept.
    seed : int
        Seed of the random inputs and weights.

    Returns
    -------
    CostMeasurement
    """
    lengths = np.array(sorted(set(lengths)))
    rng = np.random.default_rng(seed)
    w_x, w_h = rng.normal(size=(2, d, d)) / np.sqrt(d)
    rnn = {"w_x": w_x, "w_h": w_h, "b": np.zeros(d)}
    inputs = [rng.normal(size=(n, d)) for n in lengths]
    weights = [scaled_dot_product_attention(x, x, x)[1] for x in inputs]  # the (n, n) weights
    states = [rnn_forward(rnn, x) for x in inputs]  # the (n, d) states
    att_t = np.full(len(inputs), np.inf)
    rnn_t = np.full(len(inputs), np.inf)
    with threadpool_limits(limits=1, user_api="blas"):
        # Round-robin over the lengths: a burst of load from another process
        # slows one repeat of every n rather than every repeat of one n.
        for _ in range(repeats):
            for i, x in enumerate(inputs):
                att_t[i] = min(
                    att_t[i], min_time(lambda x=x: scaled_dot_product_attention(x, x, x), 1)
                )
                rnn_t[i] = min(rnn_t[i], min_time(lambda x=x: rnn_forward(rnn, x), 1))
    return CostMeasurement(
        lengths=lengths,
        d=d,
        attention_seconds=att_t,
        recurrent_seconds=rnn_t,
        attention_bytes=np.array([float(a.nbytes) for a in weights]),
        recurrent_bytes=np.array([float(h.nbytes) for h in states]),
    )
