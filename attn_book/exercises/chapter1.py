"""Exercises of chapter 1 (History: the bottleneck and the birth of attention).

- ``1.1`` (function): the weights of Bahdanau's additive attention for one
  query, checked against :func:`attn_core.additive_attention`;
- ``1.2`` (function): read the alignment out of a translator: which source
  position each output step looks at most, checked on models whose alignment
  is not (yet) a reversal, so only reading it passes;
- ``1.3`` (function): one step of a gated recurrent unit, checked against
  :func:`attn_book.rnn.gru_step`;
- ``1.4`` (value): the bottleneck of a context vector twice as wide.

Every expected answer comes from the book's code, never typed in.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from attn_book.bottleneck import bottleneck_experiment
from attn_book.exercises.calls import call
from attn_book.exercises.compare import as_array, expect_array, expect_number, expect_shape
from attn_book.exercises.registry import exercise
from attn_book.exercises.verdict import Wrong
from attn_book.rnn import gru_gates, gru_step, init_gru
from attn_book.seq2seq import init_params, translate_batch
from attn_book.toy_tasks import encode
from attn_core import additive_attention

# ------------------------------------------------------------------ 1.1


#: (n source words, annotation width, decoder-state width, alignment width) of each test.
ALIGN_CASES = ((5, 4, 3, 6), (1, 4, 3, 6), (7, 6, 2, 3))


def _align_inputs(case: int) -> tuple[np.ndarray, ...]:
    """s_prev (d_s,), h (n, d_ann), w_q (d_s, d_a), w_k (d_ann, d_a), v (d_a,)."""
    n, d_ann, d_s, d_a = ALIGN_CASES[case]
    rng = np.random.default_rng(100 + case)
    return (
        rng.normal(size=d_s),
        rng.normal(size=(n, d_ann)),
        rng.normal(size=(d_s, d_a)),
        rng.normal(size=(d_ann, d_a)),
        rng.normal(size=d_a),
    )


def alignment_weights(s_prev: Any, h: Any, w_q: Any, w_k: Any, v: Any) -> np.ndarray:
    """The weights ``alpha_j`` of one query ``s_prev`` over annotations ``h`` (by attn_core)."""
    _, weights = additive_attention(np.asarray(s_prev)[None], h, h, w_q, w_k, v)
    return weights[0]


def _scores_only(s_prev, h, w_q, w_k, v):
    return np.tanh(s_prev @ w_q + h @ w_k) @ v


def _no_tanh(s_prev, h, w_q, w_k, v):
    e = (s_prev @ w_q + h @ w_k) @ v
    return np.exp(e - e.max()) / np.exp(e - e.max()).sum()


@exercise(
    "1.1",
    title="The additive weights of one query",
    kind="function",
    hint="Score each annotation: e_j = v @ tanh(s_prev @ w_q + h[j] @ w_k) (all j at once: "
    "np.tanh(s_prev @ w_q + h @ w_k) @ v), then take the softmax of the n scores.",
    solution=alignment_weights,
    wrong_answers=[
        (_scores_only, "these are the scores e_j"),
        (_no_tanh, "the tanh"),
        (lambda s_prev, h, w_q, w_k, v: alignment_weights(s_prev, h, w_q, w_k, v)[None], "shape"),
        (lambda s_prev, h, w_q, w_k, v: np.tanh(h @ w_q + s_prev @ w_k) @ v, "raised"),
    ],
)
def check_alignment_weights(function: Any) -> str:
    """The reader's ``function(s_prev, h, w_q, w_k, v)`` must return the n weights."""
    for case in range(len(ALIGN_CASES)):
        args = _align_inputs(case)
        expected = alignment_weights(*args)
        got = as_array(call(function, *args), name="your weights")
        n = expected.shape[0]
        expect_shape(got, expected.shape, name=f"your weights for {n} source words")
        if n > 1:
            for mistake, message in (
                (_scores_only, "these are the scores e_j, not weights: take their softmax"),
                (_no_tanh, "you left out the tanh: e_j = v @ tanh(s_prev @ w_q + h[j] @ w_k)"),
            ):
                if np.allclose(got, mistake(*args), rtol=1e-6, atol=1e-9):
                    raise Wrong(message)
        expect_array(got, expected, name=f"your weights for {n} source words")
    return "your weights equal attn_core.additive_attention's for 3 random queries"


# ------------------------------------------------------------------ 1.2


#: The sentences the reader's function reads (1 to 10 letters, as the model was trained on).
POSITION_SENTENCES = ("badcafeh", "a", "hgfedcbaab")
#: Seeds of the untrained models the check uses: their alignments are not a reversal.
POSITION_SEEDS = (1, 2)


@cache
def _position_models() -> tuple[dict[str, np.ndarray], ...]:
    return tuple(init_params(seed, attention=True) for seed in POSITION_SEEDS)


def source_positions(params: dict[str, np.ndarray], sentence: str) -> np.ndarray:
    """For each output step, the source position (from 0) the model's alignment weighs most."""
    _, alignment = translate_batch(params, encode(sentence)[None])
    return np.argmax(alignment[0], axis=-1)


@exercise(
    "1.2",
    title="Read the alignment out of the model",
    kind="function",
    hint="translate_batch(params, encode(sentence)[None]) returns the alignment as its "
    "second value, shape (1, n, n) with output steps as rows; take np.argmax along the "
    "source axis (the last one).",
    solution=source_positions,
    wrong_answers=[
        (lambda params, sentence: np.arange(len(sentence))[::-1], "the reversal"),
        (lambda params, sentence: source_positions(params, sentence) + 1, "count positions from 0"),
        (
            lambda params, sentence: np.argmax(
                translate_batch(params, encode(sentence)[None])[1][0], axis=0
            ),
            "is off",
        ),
    ],
)
def check_source_positions(function: Any) -> str:
    """The reader's ``function(params, sentence)`` must read positions from the model."""
    for number, params in enumerate(_position_models(), start=1):
        for sentence in POSITION_SENTENCES:
            expected = source_positions(params, sentence)
            name = f'your answer for "{sentence}" (test model {number})'
            got = as_array(call(function, params, sentence), name=name, allow_list=True)
            expect_shape(got, expected.shape, name=name)
            n = len(sentence)
            if n > 1 and np.array_equal(got, np.arange(n)[::-1]):
                raise Wrong(
                    f"{name} is the reversal n - 1 - i, what a perfect model of the "
                    "reversal task reads; the check runs untrained models, so read the "
                    "positions from the model's alignment"
                )
            if np.array_equal(got, expected + 1):
                raise Wrong(f"{name} has every position one too large: count positions from 0")
            expect_array(got, expected, name=name, dtype="int")
    return "your function reads each step's position from the alignment of 2 test models"


# ------------------------------------------------------------------ 1.3


@cache
def _gru_case(seed: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """h (2, 4), x (2, 3) and GRU weights with non-zero biases."""
    params = init_gru(seed, 3, 4, recurrent_scale=0.8, update_bias=0.5)
    rng = np.random.default_rng(seed)
    for name in ("b_r", "b_h"):
        params[name] = rng.normal(0.0, 0.5, size=4)
    return rng.normal(size=(2, 4)), rng.normal(size=(2, 3)), params


def _z_swapped(h, x, params):
    # Bahdanau et al.'s appendix writes the update with the roles of z and 1 - z swapped.
    _, z, g = gru_gates(h, x, params)
    return (1.0 - z) * h + z * g


def _reset_after_product(h, x, params):
    r, z, _ = gru_gates(h, x, params)
    g = np.tanh(x @ params["w_xh"] + r * (h @ params["w_hh"]) + params["b_h"])
    return z * h + (1.0 - z) * g


@exercise(
    "1.3",
    title="One step of a gated recurrent unit",
    kind="function",
    hint="r = sigmoid(x @ w_xr + h @ w_hr + b_r), z likewise with w_xz, w_hz, b_z, "
    "g = tanh(x @ w_xh + (r * h) @ w_hh + b_h), and the new state z * h + (1 - z) * g; "
    "sigmoid(a) = 1 / (1 + np.exp(-a)).",
    solution=gru_step,
    wrong_answers=[
        (_z_swapped, "roles of z"),
        (_reset_after_product, "before the product"),
        (lambda h, x, params: gru_gates(h, x, params)[2], "is off"),
    ],
)
def check_gru_step(function: Any) -> str:
    """The reader's ``function(h, x, params)`` must equal :func:`attn_book.rnn.gru_step`."""
    for seed in (0, 1):
        h, x, params = _gru_case(seed)
        expected = gru_step(h, x, params)
        got = as_array(call(function, h, x, params), name="your new state")
        expect_shape(got, expected.shape, name="your new state")
        for mistake, message in (
            (
                _z_swapped,
                "you swapped the roles of z and 1 - z: in this chapter (Cho et al.'s "
                "convention) h_t = z * h_{t-1} + (1 - z) * g",
            ),
            (
                _reset_after_product,
                "apply the reset gate to h before the product: (r * h) @ w_hh",
            ),
        ):
            if np.allclose(got, mistake(h, x, params), rtol=1e-6, atol=1e-9):
                raise Wrong(message)
        expect_array(got, expected, name="your new state", axes=("sentence", "unit"))
    return "your step equals attn_book.rnn.gru_step on two random GRUs"


# ------------------------------------------------------------------ 1.4

#: The experiment of exercise 1.4: section 1.2's, with a smaller sample.
WIDE_LENGTHS = range(2, 13)
WIDE_SETUP = {"vocab_size": 8, "recurrent_scale": 0.9, "train_count": 1000, "test_count": 500}


@cache
def first_length_below(hidden: int, level: float = 0.9) -> int:
    """The first length of :data:`WIDE_LENGTHS` whose final state recovers less than ``level``."""
    result = bottleneck_experiment(WIDE_LENGTHS, hidden=hidden, seed=0, **WIDE_SETUP)
    below = result["final"] < level
    if not below.any():
        raise ValueError(f"no length of {list(WIDE_LENGTHS)} falls below {level} at d={hidden}")
    return int(result["lengths"][np.argmax(below)])


@exercise(
    "1.4",
    title="A wider bottleneck",
    kind="value",
    hint="Run bottleneck_experiment with hidden=32 as the exercise says, then find the first "
    "entry of result['final'] below 0.9 and read its length from result['lengths'].",
    solution=first_length_below(32),
    wrong_answers=[
        (first_length_below(16), "d = 16"),
        (first_length_below(32) - 1, "still recovers"),
        (str(first_length_below(32)), "drop the quotes"),
    ],
)
def check_wider_bottleneck(answer: Any) -> str:
    """The first sentence length at which a 32-wide final state loses more than 10% of words."""
    narrow, wide = first_length_below(16), first_length_below(32)
    if isinstance(answer, (int, np.integer)) and not isinstance(answer, bool):
        if answer == narrow:
            raise Wrong(
                f"{answer} is the length for d = 16; with d = 32 the final state holds "
                "more words before it drops below 90%"
            )
        if answer == wide - 1:
            raise Wrong(
                f"at n = {answer} the 32-wide state still recovers at least 90% of the "
                "words: give the first length where it drops below"
            )
    expect_number(answer, wide, integer=True)
    return (
        f"from n = {wide} words on (d = 16: from n = {narrow}): twice the width holds "
        "longer sentences, and the bottleneck is still there"
    )
