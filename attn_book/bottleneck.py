"""The bottleneck of chapter 1, measured: how much of a sentence a linear readout gets back.

A random recurrent encoder (:mod:`attn_book.rnn`) reads sequences of random
tokens. For every position ``j`` a least-squares readout names the token at
``j`` from a ``hidden``-wide vector, either

- the *final state* ``h_n``, all that a decoder without attention receives, or
- a context vector ``c_j = sum_k alpha_jk h_k`` over all the states, with a
  hand-set alignment (query ``j`` prefers ``h_j``): what the ``n`` states hold
  between them, read through a vector of the same width.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from attn_book.rnn import gru_forward, init_gru, init_rnn, rnn_forward
from attn_core import scaled_dot_product_attention


def _with_bias(features: np.ndarray) -> np.ndarray:
    """``features`` with a column of ones appended."""
    return np.hstack([features, np.ones((features.shape[0], 1))])


def _fit_readout(
    features: np.ndarray, labels: np.ndarray, vocab_size: int, ridge: float = 1e-3
) -> np.ndarray:
    """Least-squares weights (width + 1, vocab_size) from features to one-hot labels."""
    design = _with_bias(features)
    gram = design.T @ design + ridge * np.eye(design.shape[1])
    return np.linalg.solve(gram, design.T @ np.eye(vocab_size)[labels])


def readout_by_position(
    features: np.ndarray, tokens: np.ndarray, vocab_size: int, *, train_count: int
) -> np.ndarray:
    """Test accuracy of a linear readout of the token at each position.

    Parameters
    ----------
    features : ndarray, shape (count, width) or (count, n, width)
        One vector per sequence, read for every position (a final state), or
        one per sequence and position (a context vector ``c_j``).
    tokens : ndarray of int, shape (count, n)
    vocab_size : int
    train_count : int
        The first ``train_count`` sequences fit each readout; the rest score it.

    Returns
    -------
    ndarray, shape (n,)
        Entry ``j``: the fraction of test sequences whose token at ``j`` the readout names.
    """
    fit, test = slice(0, train_count), slice(train_count, None)
    accuracy = []
    for j in range(tokens.shape[1]):
        seen = features if features.ndim == 2 else features[:, j]
        weights = _fit_readout(seen[fit], tokens[fit, j], vocab_size)
        predicted = np.argmax(_with_bias(seen[test]) @ weights, axis=1)
        accuracy.append(float(np.mean(predicted == tokens[test, j])))
    return np.array(accuracy)


def _attention_contexts(states: np.ndarray, sharpness: float = 4.0) -> np.ndarray:
    """``c_j`` for every ``j``: score ``sharpness`` on ``h_j``, 0 elsewhere; softmax; average."""
    n = states.shape[-2]
    positions = np.eye(n)
    _, weights = scaled_dot_product_attention(
        sharpness * positions, positions, np.zeros((n, 1)), scale=1.0
    )
    return weights @ states


def bottleneck_experiment(
    lengths: Sequence[int],
    *,
    hidden: int = 16,
    vocab_size: int = 8,
    recurrent_scale: float = 0.9,
    train_count: int = 2000,
    test_count: int = 1000,
    seed: int = 0,
    cell: str = "tanh",
    update_bias: float = 0.0,
) -> dict[str, np.ndarray]:
    """How many words a linear readout recovers, from the final state and through attention.

    Parameters
    ----------
    lengths : sequence of int
        Sequence lengths to try.
    hidden : int
        Width of the encoder's state, the same at every length.
    vocab_size : int
        Distinct tokens; chance is ``1 / vocab_size``.
    recurrent_scale : float
        Singular value of the recurrent matrices.
    train_count, test_count : int
        Sequences that fit the readouts and that score them.
    seed : int
        Seed of the encoder's weights and of the tokens.
    cell : {"tanh", "gru"}
        The encoder: :func:`attn_book.rnn.init_rnn` or :func:`attn_book.rnn.init_gru`.
    update_bias : float
        For the GRU: the update gates' bias (large: units keep their state).

    Returns
    -------
    dict
        ``"lengths"``; ``"final"`` and ``"attention"``: accuracy at each length,
        averaged over positions; ``"final_by_position"`` and
        ``"attention_by_position"``: a list of per-position accuracies per length.
    """
    if cell == "gru":
        params = init_gru(
            seed, vocab_size, hidden, recurrent_scale=recurrent_scale, update_bias=update_bias
        )
        encode = gru_forward
    else:
        params = init_rnn(seed, vocab_size, hidden, recurrent_scale=recurrent_scale)
        encode = rnn_forward
    rng = np.random.default_rng(seed)
    final, attention = [], []
    for n in lengths:
        tokens = rng.integers(0, vocab_size, size=(train_count + test_count, n))
        states = encode(params, np.eye(vocab_size)[tokens])
        read = {"train_count": train_count}
        final.append(readout_by_position(states[:, -1], tokens, vocab_size, **read))
        attention.append(
            readout_by_position(_attention_contexts(states), tokens, vocab_size, **read)
        )
    return {
        "lengths": np.array(lengths),
        "final": np.array([a.mean() for a in final]),
        "attention": np.array([a.mean() for a in attention]),
        "final_by_position": final,
        "attention_by_position": attention,
    }
