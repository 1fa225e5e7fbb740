"""Chapter 1's exercises: additive weights, an alignment read out, a GRU step, a wider state."""

from __future__ import annotations

import numpy as np

from attn_book.bottleneck import bottleneck_experiment
from attn_book.exercises.core import function_exercise, value_exercise
from attn_book.rnn import gru_step, init_gru
from attn_book.seq2seq import init_params, translate_batch
from attn_book.toy_tasks import encode
from attn_core import additive_attention, softmax


def alignment_weights(s_prev, h, w_q, w_k, v):
    """1.1: the weights of one query ``s_prev`` over the annotations ``h``, by attn_core."""
    return additive_attention(s_prev[None], h, h, w_q, w_k, v)[1][0]


def _align_case(n: int, d_ann: int, d_s: int, d_a: int, seed: int) -> tuple[str, tuple]:
    """A random query, its annotations and alignment weights."""
    rng = np.random.default_rng(seed)
    shapes = [(d_s,), (n, d_ann), (d_s, d_a), (d_ann, d_a), (d_a,)]
    label = f"for s_prev of shape {(d_s,)} and h of shape {(n, d_ann)}"
    return label, tuple(rng.normal(size=shape) for shape in shapes)


function_exercise(
    "1.1",
    "The additive weights of one query",
    "All scores at once: e = np.tanh(s_prev @ w_q + h @ w_k) @ v; then their softmax.",
    alignment_weights,
    [_align_case(5, 4, 3, 6, 100), _align_case(1, 4, 3, 6, 101), _align_case(7, 6, 2, 3, 102)],
    [
        (
            lambda s, h, wq, wk, v: np.tanh(s @ wq + h @ wk) @ v,
            "these are the scores: softmax them",
        ),
        (lambda s, h, wq, wk, v: softmax((s @ wq + h @ wk) @ v), "you left out the tanh"),
        (lambda *args: alignment_weights(*args)[None], "return the n weights as a 1-d array"),
    ],
)


def source_positions(params, sentence):
    """1.2: for each output step, the source position (from 0) the alignment weighs most."""
    return np.argmax(translate_batch(params, encode(sentence)[None])[1][0], axis=-1)


function_exercise(
    "1.2",
    "Read the alignment out of the model",
    "translate_batch(params, encode(sentence)[None])[1] is the alignment, (1, n, n) with "
    "output steps as rows: take np.argmax along the last axis.",
    source_positions,
    [
        (f'for "{text}" and untrained model {seed}', (init_params(seed, attention=True), text))
        for seed in (1, 2)
        for text in ("badcafeh", "a", "hgfedcbaab")
    ],
    [
        (
            lambda params, text: np.arange(len(text))[::-1],
            "that is the reversal, what a trained model reads; these models are untrained",
        ),
        (lambda *a: source_positions(*a) + 1, "every position is one too large: count from 0"),
        (
            lambda params, text: np.argmax(translate_batch(params, encode(text)[None])[1][0], 0),
            "take the argmax over the source positions, the last axis, not the output steps",
        ),
    ],
    axes=("output step",),
    lists=True,
)


def _gru_case(seed: int) -> tuple[str, tuple]:
    """h (2, 4), x (2, 3) and a random GRU with non-zero biases."""
    params = init_gru(seed, 3, 4, recurrent_scale=0.8, update_bias=0.5)
    rng = np.random.default_rng(seed)
    params["b_r"], params["b_h"] = rng.normal(0.0, 0.5, size=(2, 4))
    label = f"for h of shape (2, 4) and random GRU {seed + 1}"
    return label, (rng.normal(size=(2, 4)), rng.normal(size=(2, 3)), params)


def _gru_mistake(h, x, p, mistake):
    """A GRU step with a typical mistake: "swap" z, reset "late", or only the "candidate"."""
    r = 1 / (1 + np.exp(-(x @ p["w_xr"] + h @ p["w_hr"] + p["b_r"])))
    z = 1 / (1 + np.exp(-(x @ p["w_xz"] + h @ p["w_hz"] + p["b_z"])))
    recurrent = r * (h @ p["w_hh"]) if mistake == "late" else (r * h) @ p["w_hh"]
    g = np.tanh(x @ p["w_xh"] + recurrent + p["b_h"])
    return {"swap": (1 - z) * h + z * g, "late": z * h + (1 - z) * g, "candidate": g}[mistake]


function_exercise(
    "1.3",
    "One step of a gated recurrent unit",
    "r and z are sigmoids of x @ w_x* + h @ w_h* + b_*; g = tanh(x @ w_xh + (r * h) @ w_hh + "
    "b_h); the new state is z * h + (1 - z) * g.",
    gru_step,
    [_gru_case(0), _gru_case(1)],
    [
        (
            lambda *a: _gru_mistake(*a, "swap"),
            "you swapped z and 1 - z: here (Cho et al.) h_t = z * h_{t-1} + (1 - z) * g",
        ),
        (lambda *a: _gru_mistake(*a, "late"), "apply r to h before the product: (r * h) @ w_hh"),
        (lambda *a: _gru_mistake(*a, "candidate"), "that is the candidate g, not the new state"),
    ],
    axes=("sentence", "unit"),
)


def _first_below_90(hidden: int) -> tuple[int, int]:
    """The first length whose final state recovers under 90% of the words, and its index."""
    result = bottleneck_experiment(
        range(2, 13),
        hidden=hidden,
        vocab_size=8,
        recurrent_scale=0.9,
        train_count=1000,
        test_count=500,
        seed=0,
    )
    index = int(np.argmax(result["final"] < 0.9))
    return int(result["lengths"][index]), index


_WIDE, _INDEX = _first_below_90(32)

value_exercise(
    "1.4",
    "A wider bottleneck",
    "Find the first entry of result['final'] below 0.9; result['lengths'] gives its length.",
    _WIDE,
    [
        (_INDEX, f"that is the index np.argmax gives; the length is result['lengths'][{_INDEX}]"),
        (_first_below_90(16)[0], "that is the length for d = 16; d = 32 holds longer sentences"),
        (_WIDE - 1, "at this length the final state still recovers 90%: give the next"),
    ],
)
