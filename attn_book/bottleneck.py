"""Measure the fixed-size bottleneck: how much of the input a linear probe recovers.

A random recurrent encoder reads sequences of random tokens: a tanh RNN
(:mod:`attn_book.rnn`) or a gated unit (:mod:`attn_book.gru`), of the same
width.
For every position ``j`` a linear readout, fitted by least squares, tries to
name the token at ``j`` from a ``hidden``-wide vector:

- *final state*: the encoder's last state ``h_n``, the one vector a
  sequence-to-sequence model without attention hands to its decoder;
- *attention*: a context vector ``c_j = sum_k alpha_jk h_k`` over all the
  encoder states, whose weights come from
  :func:`attn_core.scaled_dot_product_attention` with one query per position.
  The alignment is set by hand (query ``j`` prefers state ``h_j``), not
  learned: this arm shows what the ``n`` states hold between them
  (``n * hidden`` numbers), read through a ``hidden``-wide context vector.

Each readout reads a vector of the same width, so any gap is due to what
the encoder hands on (one state, or all ``n`` of them), not to the readout.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from attn_book.gru import gru_forward, init_gru
from attn_book.rnn import init_rnn, rnn_forward
from attn_core import scaled_dot_product_attention
from attn_core._validation import check_int


def fit_readout(
    features: np.ndarray, labels: np.ndarray, vocab_size: int, ridge: float = 1e-3
) -> np.ndarray:
    """Least-squares linear readout from feature vectors to one-hot labels.

    Parameters
    ----------
    features : ndarray, shape (count, width)
    labels : ndarray of int, shape (count,)
        Values in ``0 .. vocab_size - 1``.
    vocab_size : int
    ridge : float
        A small L2 penalty that keeps the solve stable when features are
        nearly collinear.

    Returns
    -------
    ndarray, shape (width + 1, vocab_size)
        Weights; the last row is the bias.

    Raises
    ------
    ValueError
        If shapes disagree or a label is out of range.

    Examples
    --------
    >>> w = fit_readout(np.eye(2), np.array([0, 1]), 2)
    >>> w.shape
    (3, 2)
    """
    features, labels = np.asarray(features, dtype=float), np.asarray(labels)
    if features.ndim != 2 or labels.shape != (features.shape[0],):
        raise ValueError(
            f"features must be (count, width) and labels (count,), got "
            f"{features.shape} and {labels.shape}"
        )
    if labels.min() < 0 or labels.max() >= vocab_size:
        raise ValueError(f"labels must lie in 0..{vocab_size - 1}")
    design = np.hstack([features, np.ones((features.shape[0], 1))])
    targets = np.eye(vocab_size)[labels]
    gram = design.T @ design + ridge * np.eye(design.shape[1])
    return np.linalg.solve(gram, design.T @ targets)


def readout_accuracy(weights: np.ndarray, features: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of ``labels`` that the readout's largest output names correctly.

    Parameters
    ----------
    weights : ndarray, shape (width + 1, vocab_size)
        From :func:`fit_readout`.
    features : ndarray, shape (count, width)
    labels : ndarray of int, shape (count,)

    Returns
    -------
    float
    """
    design = np.hstack([features, np.ones((features.shape[0], 1))])
    return float(np.mean(np.argmax(design @ weights, axis=1) == labels))


def readout_by_position(
    features: np.ndarray, tokens: np.ndarray, vocab_size: int, *, train_count: int
) -> np.ndarray:
    """Test accuracy of a linear readout of the token at each position.

    For each position ``j`` a readout (:func:`fit_readout`) is fitted on the
    first ``train_count`` sequences and scored (:func:`readout_accuracy`) on
    the rest.

    Parameters
    ----------
    features : ndarray, shape (count, width) or (count, n, width)
        What the readout sees: one vector per sequence, read for every
        position (such as an encoder's final state), or one vector per
        sequence and position (such as a context vector ``c_j``).
    tokens : ndarray of int, shape (count, n)
        The token at each position, in ``0 .. vocab_size - 1``.
    vocab_size : int
    train_count : int
        Sequences used to fit; between 1 and ``count - 1``.

    Returns
    -------
    ndarray, shape (n,)
        Entry ``j`` is the fraction of test sequences whose token at ``j``
        the readout names.

    Raises
    ------
    TypeError
        If ``train_count`` is not an int.
    ValueError
        If the shapes disagree or ``train_count`` leaves no sequence to fit or to test.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> tokens = rng.integers(0, 3, size=(40, 2))
    >>> readout_by_position(np.eye(3)[tokens[:, 0]], tokens, 3, train_count=30).shape
    (2,)
    """
    features, tokens = np.asarray(features, dtype=float), np.asarray(tokens)
    if tokens.ndim != 2 or features.ndim not in (2, 3) or features.shape[0] != tokens.shape[0]:
        raise ValueError(
            f"features must be (count, width) or (count, n, width) and tokens (count, n), "
            f"got {features.shape} and {tokens.shape}"
        )
    if features.ndim == 3 and features.shape[1] != tokens.shape[1]:
        raise ValueError(
            f"features has {features.shape[1]} positions but tokens has {tokens.shape[1]}"
        )
    train_count = check_int(train_count, "train_count", minimum=1, maximum=tokens.shape[0] - 1)
    fit, test = slice(0, train_count), slice(train_count, None)
    accuracy = []
    for j in range(tokens.shape[1]):
        seen = features if features.ndim == 2 else features[:, j]
        weights = fit_readout(seen[fit], tokens[fit, j], vocab_size)
        accuracy.append(readout_accuracy(weights, seen[test], tokens[test, j]))
    return np.array(accuracy)


def attention_contexts(states: np.ndarray, sharpness: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """One context vector per position, attending to all the encoder states.

    Query ``j`` and key ``k`` are one-hot position codes, so the score is
    ``sharpness`` when ``j == k`` and 0 otherwise: query ``j`` puts most of
    its weight on state ``h_j`` and a little on every other state.

    Parameters
    ----------
    states : ndarray, shape (batch, n, hidden)
        Encoder states.
    sharpness : float
        Score of the matching position.

    Returns
    -------
    contexts : ndarray, shape (batch, n, hidden)
        ``c_j`` for every position ``j``.
    weights : ndarray, shape (n, n)
        The attention weights (the same for every sequence).
    """
    n = states.shape[-2]
    positions = np.eye(n)
    _, weights = scaled_dot_product_attention(
        sharpness * positions, positions, np.zeros((n, 1)), scale=1.0
    )
    contexts = weights @ states  # (n, n) @ (batch, n, hidden)
    return contexts, weights


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
    """Recovery accuracy of each input token, from the final state and via attention.

    Parameters
    ----------
    lengths : sequence of int
        Sequence lengths to try (each at least 1).
    hidden : int
        Width of the RNN state (fixed for every length: the bottleneck).
    vocab_size : int
        Number of distinct tokens; chance accuracy is ``1 / vocab_size``.
    recurrent_scale : float
        Singular value of the recurrent matrices (see :func:`attn_book.rnn.init_rnn`).
    train_count, test_count : int
        Sequences used to fit the readouts and to measure them.
    seed : int
        Seed for the encoder's weights and the tokens.
    cell : {"tanh", "gru"}
        The encoder: a tanh RNN (:func:`attn_book.rnn.init_rnn`) or a GRU
        (:func:`attn_book.gru.init_gru`).
    update_bias : float
        For ``cell="gru"``: the update gates' bias (large: units keep their state).

    Returns
    -------
    dict
        ``"lengths"`` (L,); ``"final"`` and ``"attention"`` (L,): test
        accuracy averaged over positions; ``"final_by_position"`` and
        ``"attention_by_position"``: lists of per-position accuracies.

    Raises
    ------
    TypeError
        If a length, size or count is not an int.
    ValueError
        If a length is below 1, ``vocab_size`` below 2, ``train_count``
        does not exceed ``hidden`` (too few sequences to fit a readout), or
        ``cell`` is unknown.
    """
    lengths = [check_int(n, "each length", minimum=1) for n in lengths]
    if not lengths:
        raise ValueError("lengths must hold at least one sequence length, got none")
    hidden = check_int(hidden, "hidden", minimum=1)
    vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
    # More training sequences than readout weights per class, or the fit is underdetermined.
    train_count = check_int(train_count, "train_count", minimum=hidden + 1)
    test_count = check_int(test_count, "test_count", minimum=1)
    if cell == "tanh":
        params = init_rnn(seed, vocab_size, hidden, recurrent_scale=recurrent_scale)
        encode = rnn_forward
    elif cell == "gru":
        params = init_gru(
            seed, vocab_size, hidden, recurrent_scale=recurrent_scale, update_bias=update_bias
        )
        encode = gru_forward
    else:
        raise ValueError(f"cell must be 'tanh' or 'gru', got {cell!r}")
    rng = np.random.default_rng(seed)
    one_hot = np.eye(vocab_size)
    result: dict[str, list] = {
        "final": [],
        "attention": [],
        "final_by_position": [],
        "attention_by_position": [],
    }
    for n in lengths:
        tokens = rng.integers(0, vocab_size, size=(train_count + test_count, n))
        states = encode(params, one_hot[tokens])
        contexts, _ = attention_contexts(states)
        final_acc = readout_by_position(states[:, -1], tokens, vocab_size, train_count=train_count)
        attention_acc = readout_by_position(contexts, tokens, vocab_size, train_count=train_count)
        result["final_by_position"].append(final_acc)
        result["attention_by_position"].append(attention_acc)
        result["final"].append(float(np.mean(final_acc)))
        result["attention"].append(float(np.mean(attention_acc)))
    return {
        "lengths": np.array(lengths),
        "final": np.array(result["final"]),
        "attention": np.array(result["attention"]),
        "final_by_position": result["final_by_position"],
        "attention_by_position": result["attention_by_position"],
    }
