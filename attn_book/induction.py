"""Chapter 6: a two-layer attention-only transformer that learns induction heads.

The task (:func:`make_batch`): a stretch of 4 to 8 distinct random tokens
appears twice, both copies at random places in a sequence of random tokens.
From the second token of the second copy on, every token can be predicted,
but only by content: at a repeated token, find where that token occurred
before and copy the token that followed it. A head that does this is an
*induction head* (Olsson et al. 2022; Elhage et al. 2021). Nothing is
anchored to the end of the sequence, so position alone does not tell where
the first copy is.

The model (:func:`init_params`, :func:`forward`): token and position
embeddings, ``num_layers`` causal multi-head attention layers that each add
their output to the residual stream, and an unembedding. No MLP, no layer
norm. The attention is attn_core's: :func:`attn_core.split_heads`,
:func:`attn_core.scaled_dot_product_attention` with
:func:`attn_core.causal_mask`, and :func:`attn_core.merge_heads`, the same
steps as :func:`attn_core.multi_head_attention` (a test checks that a layer
equals it). :func:`forward` keeps what each layer computed, and
:func:`loss_and_grad` applies the chain rule to it by hand; the tests check
every gradient against finite differences. :func:`train` runs
:class:`attn_book.training.Adam`.

The analysis: :func:`accuracy` on the repeated part and on the rest,
:func:`previous_token_score` and :func:`induction_score` (the two kinds of
head, measured over many sequences, gathered by :func:`head_scores`),
:func:`ablation_table` (accuracy with heads removed), and path ablation
(``removed_paths`` of :func:`forward` and :func:`accuracy`: a head's output
hidden from, say, the keys of the next layer only).

Code indexes layers and heads from 0; anything a reader sees labels them
from 1 (:func:`head_name`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from attn_book.training import Adam, softmax_cross_entropy
from attn_core import (
    causal_mask,
    merge_heads,
    scaled_dot_product_attention,
    softmax,
    split_heads,
)
from attn_core._validation import check_int

Params = dict[str, np.ndarray]
#: A head as code names it: (layer, head), both from 0.
Head = tuple[int, int]

#: Sizes of the task: tokens 0..15, sequences of 24, stretches of 4 to 8.
VOCAB_SIZE: int = 16
SEQ_LEN: int = 24
MIN_STRETCH: int = 4
MAX_STRETCH: int = 8
#: Width of the residual stream and heads per layer (d_head = 16).
D_MODEL: int = 32
NUM_HEADS: int = 2
#: Training settings (benchmarks/bench_induction_seeds.py tries them on 20 seeds).
STEPS: int = 400
BATCH_SIZE: int = 32
LEARNING_RATE: float = 0.02
BETA2: float = 0.99
EMBED_SCALE: float = 0.3
#: The chapter's held-out evaluation batch: seed and size.
EVAL_SEED: int = 10_000
EVAL_SIZE: int = 500

_QKV = ("w_q", "w_k", "w_v")
#: What reads the residual stream: each later layer's queries, keys and values, and the logits.
READERS: tuple[str, ...] = ("q", "k", "v", "logits")
#: The weight matrices of each layer, in the order of their names ``layer{l}.w_q`` ...
LAYER_WEIGHTS: tuple[str, ...] = (*_QKV, "w_o")


# --------------------------------------------------------------------------- task


@dataclass(frozen=True)
class InductionBatch:
    """A batch of the repeated-stretch task.

    Attributes
    ----------
    tokens : ndarray of int, shape (batch, n)
    predictable : ndarray of bool, shape (batch, n)
        True at the tokens of the second copy after its first token: the
        targets that an induction mechanism can predict.
    first : ndarray of int, shape (batch,)
        Where the first copy starts.
    second : ndarray of int, shape (batch,)
        Where the second copy starts (``second >= first + length``).
    length : ndarray of int, shape (batch,)
        Length of the stretch.
    """

    tokens: np.ndarray
    predictable: np.ndarray
    first: np.ndarray
    second: np.ndarray
    length: np.ndarray

    def __len__(self) -> int:
        return len(self.tokens)

    def row(self, index: int) -> InductionBatch:
        """The batch of the one sequence ``index`` (a view, shape (1, n))."""
        index = check_int(index, "index", minimum=0, maximum=len(self) - 1)
        part = slice(index, index + 1)
        return InductionBatch(
            self.tokens[part],
            self.predictable[part],
            self.first[part],
            self.second[part],
            self.length[part],
        )

    @property
    def queries(self) -> np.ndarray:
        """Bool (batch, n): the positions that predict a predictable token (the one after).

        Query ``i`` predicts token ``i + 1``, so these are the second copy's
        positions but its last.
        """
        queries = np.zeros_like(self.predictable)
        queries[:, :-1] = self.predictable[:, 1:]
        return queries


def make_batch(
    rng: np.random.Generator | int,
    batch_size: int,
    *,
    seq_len: int = SEQ_LEN,
    vocab_size: int = VOCAB_SIZE,
    min_stretch: int = MIN_STRETCH,
    max_stretch: int = MAX_STRETCH,
) -> InductionBatch:
    """Random sequences, each holding one stretch of distinct tokens twice.

    Each sequence draws a stretch length uniformly from
    ``min_stretch..max_stretch``, the stretch's tokens without repetition,
    and the places of the two copies uniformly among all non-overlapping
    arrangements; every other token is uniform over the vocabulary (so it
    may repeat a token of the stretch).

    Parameters
    ----------
    rng : numpy Generator or int
        Source of randomness, or a seed for one.
    batch_size : int
        Number of sequences, at least 1.
    seq_len, vocab_size, min_stretch, max_stretch : int
        Sizes of the task: ``2 <= min_stretch <= max_stretch <= vocab_size``
        and ``2 * max_stretch <= seq_len``.

    Returns
    -------
    InductionBatch

    Raises
    ------
    TypeError, ValueError
        If a size is not an int or the sizes do not fit together.

    Examples
    --------
    >>> batch = make_batch(0, 3)
    >>> batch.tokens.shape
    (3, 24)
    >>> bool(np.all(batch.predictable.sum(axis=1) == batch.length - 1))
    True
    """
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
    min_stretch = check_int(min_stretch, "min_stretch", minimum=2)
    max_stretch = check_int(max_stretch, "max_stretch", minimum=min_stretch, maximum=vocab_size)
    seq_len = check_int(seq_len, "seq_len", minimum=2 * max_stretch)
    rng = np.random.default_rng(rng)
    rows = np.arange(batch_size)[:, None]
    tokens = rng.integers(vocab_size, size=(batch_size, seq_len))
    length = rng.integers(min_stretch, max_stretch + 1, size=batch_size)
    # Distinct tokens: the first `length` entries of a random permutation per row.
    stretch = np.argsort(rng.random((batch_size, vocab_size)), axis=1)
    # Line up the `seq_len - 2 * length` random tokens and the two copies: the
    # copies take two of `slots` places, chosen uniformly (a < b).
    slots = seq_len - 2 * length + 2
    a = np.floor(rng.random(batch_size) * slots).astype(int)
    b = np.floor(rng.random(batch_size) * (slots - 1)).astype(int)
    b += b >= a
    a, b = np.minimum(a, b), np.maximum(a, b)
    first = a  # `a` random tokens come before the first copy
    second = b - 1 + length  # `b - 1` random tokens and the first copy come before the second
    position = np.arange(seq_len)[None, :]
    for start in (first, second):
        within = position - start[:, None]
        inside = (within >= 0) & (within < length[:, None])
        tokens = np.where(inside, stretch[rows, np.clip(within, 0, vocab_size - 1)], tokens)
    predictable = (position > second[:, None]) & (position < (second + length)[:, None])
    return InductionBatch(tokens, predictable, first, second, length)


def unambiguous(batch: InductionBatch) -> np.ndarray:
    """Which sequences offer one earlier occurrence, and only one, to every query that matters.

    In such a sequence each query of the second copy (but its last) finds its
    token exactly once before it, in the first copy, so one key is the right
    one for an induction head. Elsewhere a random token may repeat a token of
    the stretch and offer a second, wrong, continuation.

    Returns
    -------
    ndarray of bool, shape (batch,)
    """
    tokens = batch.tokens
    n = tokens.shape[1]
    earlier = np.tril(np.ones((n, n), dtype=bool), k=-1)  # key j < query i
    occurrences = ((tokens[:, :, None] == tokens[:, None, :]) & earlier).sum(axis=-1)
    return np.all((occurrences == 1) | ~batch.queries, axis=1)


def copy_rule_accuracy(batch: InductionBatch) -> float:
    """Expected accuracy of a guess that needs no previous-token information.

    The rule: at each query of the repeated part, pick uniformly among the
    distinct tokens seen so far, the current one left out. The right token
    (the one after the current token's earlier occurrence) is always among
    them, so the expected accuracy is the mean of ``1 / (number of such
    tokens)`` over the queries.

    Returns
    -------
    float

    Examples
    --------
    >>> 0 < copy_rule_accuracy(make_batch(0, 50)) < 0.5
    True
    """
    rows, queries = np.nonzero(batch.queries)
    seen = np.zeros((len(rows), int(batch.tokens.max()) + 1), dtype=bool)
    for step in range(batch.tokens.shape[1]):
        earlier = step <= queries
        seen[earlier, batch.tokens[rows[earlier], step]] = True
    seen[np.arange(len(rows)), batch.tokens[rows, queries]] = False  # not the current token
    return float(np.mean(1.0 / seen.sum(axis=1)))


def parse_tokens(text: str, *, vocab_size: int = VOCAB_SIZE, seq_len: int = SEQ_LEN) -> list[int]:
    """Tokens typed by a reader: whole numbers ``0..vocab_size - 1`` separated by spaces or commas.

    Separators are spaces, tabs, line breaks and commas, in any number.

    The widget and the kernel-free explorer accept the same input (the
    explorer's JavaScript follows these rules and the browser tests check it).

    Parameters
    ----------
    text : str
        E.g. ``"3 7 12 3"`` or ``"3, 7, 12"``.
    vocab_size, seq_len : int
        Tokens are ``0..vocab_size - 1``; at most ``seq_len`` of them.

    Returns
    -------
    list of int

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    ValueError
        For no tokens, more than ``seq_len``, or a part that is not a whole
        number in range; the message quotes the first bad part (shortened).

    Examples
    --------
    >>> parse_tokens("3 7, 12")
    [3, 7, 12]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    parts = [part for part in re.split(r"[ \t\r\n,]+", text) if part]
    if not parts:
        raise ValueError(f"type 1 to {seq_len} tokens, numbers 0 to {vocab_size - 1}")
    for part in parts:
        if not re.fullmatch(r"[0-9]+", part) or int(part) >= vocab_size:
            shown = part if len(part) <= 12 else part[:11] + "\u2026"
            raise ValueError(f'"{shown}" is not a token: tokens are numbers 0 to {vocab_size - 1}')
    if len(parts) > seq_len:
        raise ValueError(f"{len(parts)} tokens: the model reads at most {seq_len}")
    return [int(part) for part in parts]


# --------------------------------------------------------------------------- model


def init_params(
    seed: int,
    *,
    num_layers: int = 2,
    vocab_size: int = VOCAB_SIZE,
    seq_len: int = SEQ_LEN,
    d_model: int = D_MODEL,
    embed_scale: float = EMBED_SCALE,
) -> Params:
    """Random parameters of an attention-only causal transformer.

    Embeddings are normal with standard deviation ``embed_scale``; every
    weight matrix is normal with standard deviation ``1 / sqrt(d_model)``,
    so that at the start a projection keeps the size of its input.

    Parameters
    ----------
    seed : int
        Seed of the random numbers.
    num_layers : int
        Attention layers, at least 1.
    vocab_size, seq_len, d_model : int
        Vocabulary, longest sequence (rows of the position embedding), width.
    embed_scale : float
        Standard deviation of the initial token and position embeddings.
        Small embeddings (0.3, not 1) start the attention near uniform; with
        1 the model learns more slowly and ends worse
        (benchmarks/bench_induction_seeds.py, 20 seeds).

    Returns
    -------
    dict of str to ndarray
        ``embed`` (vocab, d), ``pos_embed`` (seq_len, d); for each layer
        ``l = 1, 2, ...`` the projections ``layer{l}.w_q``, ``layer{l}.w_k``,
        ``layer{l}.w_v``, ``layer{l}.w_o`` (d, d); ``unembed`` (d, vocab).

    Examples
    --------
    >>> sorted(init_params(0, num_layers=1))
    ['embed', 'layer1.w_k', 'layer1.w_o', 'layer1.w_q', 'layer1.w_v', 'pos_embed', 'unembed']
    """
    num_layers = check_int(num_layers, "num_layers", minimum=1)
    vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
    seq_len = check_int(seq_len, "seq_len", minimum=1)
    d_model = check_int(d_model, "d_model", minimum=1)
    rng = np.random.default_rng(seed)
    std = 1.0 / np.sqrt(d_model)
    params: Params = {
        "embed": rng.normal(0.0, embed_scale, (vocab_size, d_model)),
        "pos_embed": rng.normal(0.0, embed_scale, (seq_len, d_model)),
    }
    for layer in range(1, num_layers + 1):
        for name in LAYER_WEIGHTS:
            params[f"layer{layer}.{name}"] = rng.normal(0.0, std, (d_model, d_model))
    params["unembed"] = rng.normal(0.0, std, (d_model, vocab_size))
    return params


def num_layers_of(params: Params) -> int:
    """How many attention layers ``params`` holds."""
    return sum(1 for name in params if name.endswith(".w_q"))


def head_name(layer: int, head: int) -> str:
    """A head as the reader sees it, counted from 1: ``head_name(0, 1) == "layer 1 head 2"``."""
    return f"layer {layer + 1} head {head + 1}"


def all_heads(num_layers: int = 2, num_heads: int = NUM_HEADS) -> list[Head]:
    """Every ``(layer, head)`` pair, layer by layer (indices from 0)."""
    return [(layer, head) for layer in range(num_layers) for head in range(num_heads)]


def head_mask_without(
    removed: Iterable[Head], num_layers: int = 2, num_heads: int = NUM_HEADS
) -> np.ndarray:
    """The ``head_mask`` of :func:`forward` that removes the given heads (0) and keeps the rest (1).

    Raises
    ------
    ValueError
        For a head outside the model.

    Examples
    --------
    >>> head_mask_without([(0, 1)])
    array([[1., 0.],
           [1., 1.]])
    """
    gate = np.ones((num_layers, num_heads))
    for layer, head in removed:
        if not (0 <= layer < num_layers and 0 <= head < num_heads):
            raise ValueError(
                f"removed head ({layer}, {head}) is outside the model's {num_layers} layers "
                f"of {num_heads} heads (indices from 0)"
            )
        gate[layer, head] = 0.0
    return gate


def _gate(params: Params, num_heads: int, head_mask: Any) -> np.ndarray:
    shape = (num_layers_of(params), num_heads)
    if head_mask is None:
        return np.ones(shape)
    gate = np.asarray(head_mask, dtype=float)
    if gate.shape != shape:
        raise ValueError(
            f"head_mask must have shape (num_layers, num_heads) = {shape}, got {gate.shape}"
        )
    return gate


def check_tokens(params: Params, tokens: Any) -> np.ndarray:
    """``tokens`` as an int array of shape (batch, n) the model can read, or a clear error.

    Raises
    ------
    TypeError
        If the tokens are not integers.
    ValueError
        If the shape is not (batch, n) with ``1 <= n <= seq_len`` or a token
        is outside ``0..vocab_size - 1``.
    """
    tokens = np.asarray(tokens)
    vocab_size, seq_len = len(params["embed"]), len(params["pos_embed"])
    if tokens.ndim != 2 or not 1 <= tokens.shape[1] <= seq_len or tokens.shape[0] < 1:
        raise ValueError(
            f"tokens must have shape (batch, n) with 1 <= n <= {seq_len}, got {tokens.shape}"
        )
    if not np.issubdtype(tokens.dtype, np.integer):
        raise TypeError(f"tokens must be integers, got dtype {tokens.dtype}")
    if tokens.min() < 0 or tokens.max() >= vocab_size:
        raise ValueError(
            f"tokens must lie in 0..{vocab_size - 1}, got {tokens.min()}..{tokens.max()}"
        )
    return tokens


@dataclass
class Forward:
    """What :func:`forward` computed; the other fields feed :func:`loss_and_grad`.

    Attributes
    ----------
    logits : ndarray, shape (batch, n, vocab)
        Prediction of the next token at every position.
    weights : list of ndarray, shape (batch, num_heads, n, n)
        Attention weights of every layer.
    residuals : list of ndarray, shape (batch, n, d_model)
        The residual stream entering each layer, then the final one.
    qkv : list of (q, k, v), each of shape (batch, num_heads, n, d_head)
    merged : list of ndarray, shape (batch, n, d_model)
        Each layer's (gated) context vectors with the heads side by side.
    """

    logits: np.ndarray
    weights: list[np.ndarray] = field(default_factory=list)
    residuals: list[np.ndarray] = field(default_factory=list)
    qkv: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    merged: list[np.ndarray] = field(default_factory=list)


def forward(
    params: Params,
    tokens: Any,
    *,
    num_heads: int = NUM_HEADS,
    head_mask: Any = None,
    removed_paths: Mapping[Head, Iterable[str]] | None = None,
) -> Forward:
    """Run the model on a batch of token sequences.

    For each layer ``l``: ``q, k, v = split_heads(x @ W)``, causal scaled
    dot-product attention per head, ``x = x + merge_heads(context * gate) @ W_o``.
    The logits are ``x @ unembed``.

    ``removed_paths`` removes a head's output from some of its readers only
    (path ablation): with ``{(0, 1): ["k"]}``, the keys of every later layer
    are computed from the residual stream minus what head ``(0, 1)`` added to
    it, while the queries, the values and the logits read the whole stream.
    Removing a head from all of ``"q"``, ``"k"``, ``"v"`` and ``"logits"`` is
    the same as removing it with ``head_mask``.

    Parameters
    ----------
    params : dict
        From :func:`init_params`.
    tokens : array_like of int, shape (batch, n)
        ``n`` at most the ``seq_len`` of ``params``.
    num_heads : int
        Heads per layer; must divide ``d_model``.
    head_mask : array_like, shape (num_layers, num_heads), optional
        Multiplies each head's context vectors before ``W_o``: 0 removes the
        head (ablation), 1 keeps it. Default: all ones. Removing head ``h``
        is the same as zeroing rows ``h*d_head:(h+1)*d_head`` of ``W_o``.
    removed_paths : mapping of (layer, head) to iterable of str, optional
        For each head (indices from 0), the readers that do not see its
        output: any of ``"q"``, ``"k"``, ``"v"`` (the projections of every
        later layer) and ``"logits"`` (the unembedding). :attr:`Forward.residuals`
        stays the whole stream. Not supported by :func:`loss_and_grad`.

    Returns
    -------
    Forward

    Raises
    ------
    TypeError, ValueError
        For tokens that are not integers of shape (batch, n) inside the
        vocabulary, a ``head_mask`` of the wrong shape, or a ``removed_paths``
        naming a head outside the model or an unknown reader.

    Examples
    --------
    >>> out = forward(init_params(0), [[1, 2, 3]])
    >>> out.logits.shape, out.weights[1].shape
    ((1, 3, 16), (1, 2, 3, 3))
    """
    tokens = check_tokens(params, tokens)
    gate = _gate(params, num_heads, head_mask)
    cut = _removed_paths(removed_paths, *gate.shape)
    n = tokens.shape[1]
    mask = causal_mask(n)
    x = params["embed"][tokens] + params["pos_embed"][:n]  # (B, n, d)
    # What each reader does not see: the sum of the outputs removed from it.
    hidden: dict[str, Any] = dict.fromkeys(READERS, 0.0)
    result = Forward(logits=np.empty(0))
    for layer in range(1, len(gate) + 1):
        result.residuals.append(x)
        # (B, n, d) @ (d, d) -> (B, n, d) -> (B, h, n, d_head) for each of Q, K, V;
        # w_q reads x minus what is hidden from "q", and so on.
        q, k, v = (
            split_heads((x - hidden[reader]) @ params[f"layer{layer}.{w}"], num_heads)
            for w, reader in zip(_QKV, READERS[:3], strict=True)
        )
        context, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, h, n, d_head)
        merged = merge_heads(context * gate[layer - 1][:, None, None])  # (B, n, d)
        w_o = params[f"layer{layer}.w_o"]
        x = x + merged @ w_o
        d_head = w_o.shape[0] // num_heads
        for (cut_layer, head), readers in cut.items():
            if cut_layer == layer - 1:
                rows = slice(head * d_head, (head + 1) * d_head)
                output = merged[..., rows] @ w_o[rows]  # what this head added to x
                for reader in readers:
                    hidden[reader] = hidden[reader] + output
        result.qkv.append((q, k, v))
        result.weights.append(weights)
        result.merged.append(merged)
    result.residuals.append(x)
    result.logits = (x - hidden["logits"]) @ params["unembed"]  # (B, n, vocab)
    return result


def _removed_paths(
    removed_paths: Mapping[Head, Iterable[str]] | None, num_layers: int, num_heads: int
) -> dict[Head, frozenset[str]]:
    """``removed_paths`` of :func:`forward`, checked: head -> the readers that skip its output."""
    if removed_paths is None:
        return {}
    if not isinstance(removed_paths, Mapping):
        raise TypeError(
            f"removed_paths must map (layer, head) to readers, got {type(removed_paths).__name__}"
        )
    checked: dict[Head, frozenset[str]] = {}
    for head, readers in removed_paths.items():
        head_mask_without([head], num_layers, num_heads)  # raises for a head outside the model
        readers = frozenset([readers] if isinstance(readers, str) else readers)
        unknown = sorted(readers - set(READERS))
        if unknown:
            raise ValueError(
                f"removed_paths: unknown reader(s) {unknown} for head {tuple(head)}; "
                f"readers are {list(READERS)}"
            )
        checked[tuple(head)] = readers
    return checked


def next_token_probabilities(logits: Any) -> np.ndarray:
    """Softmax over the vocabulary: the model's probability of each next token."""
    return softmax(logits, axis=-1)


# --------------------------------------------------------------------------- loss


def _targets(batch: InductionBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, queries (the positions that predict) and target tokens of the predictable part."""
    rows, cols = np.nonzero(batch.predictable)
    return rows, cols - 1, batch.tokens[rows, cols]


def loss(
    params: Params, batch: InductionBatch, *, num_heads: int = NUM_HEADS, head_mask: Any = None
) -> float:
    """Mean cross-entropy of the predictable tokens (the second copy after its first token)."""
    return loss_and_grad(params, batch, num_heads=num_heads, head_mask=head_mask, grad=False)[0]


def loss_and_grad(
    params: Params,
    batch: InductionBatch,
    *,
    num_heads: int = NUM_HEADS,
    head_mask: Any = None,
    grad: bool = True,
) -> tuple[float, Params]:
    """Cross-entropy on the predictable tokens and its gradient for every parameter.

    The backward pass goes through the layers in reverse. For one head, with
    ``C`` its context vectors, ``A`` its attention weights, ``S`` the scores
    and ``s = 1/sqrt(d_head)`` the scale::

        dV = A^T dC            dA = dC V^T
        dS = A * (dA - rowsum(dA * A))     (softmax; masked entries have A = 0)
        dQ = s dS K            dK = s dS^T Q

    and the residual connection passes the gradient on unchanged.

    Parameters
    ----------
    params : dict
        From :func:`init_params`.
    batch : InductionBatch
    num_heads : int
    head_mask : array_like, shape (num_layers, num_heads), optional
        As in :func:`forward`.
    grad : bool
        False to compute the loss only.

    Returns
    -------
    loss : float
    grads : dict
        Same keys and shapes as ``params`` (empty if ``grad`` is False).
    """
    gate = _gate(params, num_heads, head_mask)
    out = forward(params, batch.tokens, num_heads=num_heads, head_mask=gate)
    rows, queries, targets = _targets(batch)
    value, d_logits = softmax_cross_entropy(out.logits[rows, queries], targets)  # (N, vocab)
    if not grad:
        return value, {}
    grads: Params = {}
    final = out.residuals[-1]
    d_model = final.shape[-1]
    grads["unembed"] = final[rows, queries].T @ d_logits
    d_x = np.zeros_like(final)  # (B, n, d): only the predicting positions get a gradient
    d_x[rows, queries] = d_logits @ params["unembed"].T
    scale = 1.0 / np.sqrt(d_model // num_heads)
    for layer in range(len(gate), 0, -1):
        x = out.residuals[layer - 1].reshape(-1, d_model)
        q, k, v = out.qkv[layer - 1]
        weights = out.weights[layer - 1]
        flat_d_x = d_x.reshape(-1, d_model)
        grads[f"layer{layer}.w_o"] = out.merged[layer - 1].reshape(-1, d_model).T @ flat_d_x
        # (B, n, d) -> (B, h, n, d_head), through each head's gate
        d_context = split_heads(d_x @ params[f"layer{layer}.w_o"].T, num_heads)
        d_context *= gate[layer - 1][:, None, None]
        d_weights = d_context @ np.swapaxes(v, -1, -2)  # (B, h, n, n)
        d_v = np.swapaxes(weights, -1, -2) @ d_context
        # In place: these (B, h, n, n) arrays are the largest of the step.
        d_scores = d_weights - (d_weights * weights).sum(axis=-1, keepdims=True)
        d_scores *= weights
        d_scores *= scale
        d_q = d_scores @ k
        d_k = np.swapaxes(d_scores, -1, -2) @ q
        for name, d_proj in zip(_QKV, (d_q, d_k, d_v), strict=True):
            d_proj = merge_heads(d_proj).reshape(-1, d_model)
            grads[f"layer{layer}.{name}"] = x.T @ d_proj
            flat_d_x = flat_d_x + d_proj @ params[f"layer{layer}.{name}"].T
        d_x = flat_d_x.reshape(d_x.shape)
    grads["pos_embed"] = np.zeros_like(params["pos_embed"])
    grads["pos_embed"][: d_x.shape[1]] = d_x.sum(axis=0)
    # Sum the gradient of each token's rows: a one-hot product is faster than np.add.at.
    one_hot = np.eye(len(params["embed"]))[batch.tokens.ravel()]
    grads["embed"] = one_hot.T @ d_x.reshape(-1, d_model)
    return value, grads


# --------------------------------------------------------------------------- training


@dataclass
class TrainingRun:
    """The result of :func:`train`.

    Attributes
    ----------
    params : dict
        Trained parameters.
    losses : ndarray, shape (steps,)
        Training loss at each step (before that step's update).
    checkpoints : dict of int to (float, float)
        Step -> :func:`accuracy` (repeated part, rest) on the evaluation
        batch after that step.
    """

    params: Params
    losses: np.ndarray
    checkpoints: dict[int, tuple[float, float]]


def train(
    params: Params,
    *,
    steps: int = STEPS,
    batch_size: int = BATCH_SIZE,
    learning_rate: float = LEARNING_RATE,
    beta2: float = BETA2,
    seed: int = 0,
    num_heads: int = NUM_HEADS,
    eval_batch: InductionBatch | None = None,
    eval_at: Iterable[int] = (),
) -> TrainingRun:
    """Train with Adam on the predictable tokens, a fresh random batch at every step.

    Parameters
    ----------
    params : dict
        Initial parameters (copied, not modified).
    steps : int
        Number of Adam updates, at least 1.
    batch_size : int
        Sequences per step.
    learning_rate, beta2 : float
        Adam's step size and decay rate of the second moment
        (:class:`attn_book.training.Adam`; ``beta1`` is 0.9).
    seed : int
        Seed of the training batches.
    num_heads : int
    eval_batch : InductionBatch, optional
        Held-out batch for the checkpoints.
    eval_at : iterable of int
        Steps after which to measure :func:`accuracy` on ``eval_batch``.

    Returns
    -------
    TrainingRun

    Examples
    --------
    >>> run = train(init_params(0), steps=3)
    >>> run.losses.shape
    (3,)
    """
    steps = check_int(steps, "steps", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    params = {name: np.array(value, dtype=float) for name, value in params.items()}
    vocab_size, seq_len = len(params["embed"]), len(params["pos_embed"])
    rng = np.random.default_rng(seed)
    optimizer = Adam(learning_rate, beta2=beta2)
    eval_at = set(eval_at) if eval_batch is not None else set()
    losses = np.empty(steps)
    checkpoints: dict[int, tuple[float, float]] = {}
    for step in range(1, steps + 1):
        batch = make_batch(rng, batch_size, seq_len=seq_len, vocab_size=vocab_size)
        losses[step - 1], grads = loss_and_grad(params, batch, num_heads=num_heads)
        optimizer.step(params, grads)
        if step in eval_at:
            checkpoints[step] = accuracy(params, eval_batch, num_heads=num_heads)
    return TrainingRun(params, losses, checkpoints)


# --------------------------------------------------------------------------- analysis


def accuracy(
    params: Params,
    batch: InductionBatch,
    *,
    num_heads: int = NUM_HEADS,
    head_mask: Any = None,
    removed_paths: Mapping[Head, Iterable[str]] | None = None,
) -> tuple[float, float]:
    """Next-token accuracy on the repeated part and on every other position.

    ``head_mask`` and ``removed_paths`` remove heads, or some paths of a
    head's output, as in :func:`forward`.

    Returns
    -------
    repeated : float
        Accuracy on the predictable tokens (the second copy after its first token).
    rest : float
        Accuracy on every other token from position 1 on (chance: about 1/vocab).
    """
    logits = forward(
        params,
        batch.tokens,
        num_heads=num_heads,
        head_mask=head_mask,
        removed_paths=removed_paths,
    ).logits
    correct = logits[:, :-1].argmax(axis=-1) == batch.tokens[:, 1:]
    target_predictable = batch.predictable[:, 1:]
    return float(correct[target_predictable].mean()), float(correct[~target_predictable].mean())


def _check_weights(weights: Any, n: int | None = None) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    if weights.ndim < 2 or weights.shape[-1] != weights.shape[-2]:
        raise ValueError(f"weights must have shape (..., n, n), got {weights.shape}")
    if n is not None and weights.shape[-1] != n:
        raise ValueError(f"weights are {weights.shape[-1]} x {weights.shape[-1]}, tokens have {n}")
    return weights


def weight_on(weights: Any, keys: Any, where: Any) -> np.ndarray:
    """Mean attention weight on one chosen key per query, over the chosen queries.

    Parameters
    ----------
    weights : array_like, shape (..., batch, n, n)
        Attention weights of one or more heads (leading axes, e.g. layer and
        head, are kept).
    keys : array_like of int, shape (batch, n)
        For each query, the key whose weight counts (any value where
        ``where`` is False).
    where : array_like of bool, shape (batch, n)
        The queries to average over.

    Returns
    -------
    ndarray, shape (...)
        A 0-d array for weights of shape (batch, n, n).
    """
    weights = _check_weights(weights)
    keys, where = np.asarray(keys), np.asarray(where, dtype=bool)
    rows, queries = np.nonzero(where)
    return weights[..., rows, queries, keys[rows, queries]].mean(axis=-1)


def previous_token_score(weights: Any, where: Any = None) -> np.ndarray:
    """A head's previous-token score: its mean attention weight on position ``i - 1``.

    Averaged over every query ``i >= 1`` (position 0 has no previous token),
    or over the queries marked in ``where`` (Olsson et al. 2022, appendix
    "(3) Head activation evaluators": the average of the attention entries
    from token ``i`` to token ``i - 1``).

    Parameters
    ----------
    weights : array_like, shape (..., batch, n, n) or (n, n)
        Attention weights of one or more heads.
    where : array_like of bool, shape (batch, n), optional
        The queries to average over (query 0 is always left out).

    Returns
    -------
    ndarray, shape (...)
        A 0-d array for one head; 1 for a head that always looks one back.

    Examples
    --------
    >>> float(previous_token_score(np.eye(4, k=-1) + np.eye(4) * [1, 0, 0, 0]))
    1.0
    """
    weights = _check_weights(weights)
    squeeze = weights.ndim == 2
    if squeeze:
        weights = weights[None]
    batch, n = weights.shape[-3], weights.shape[-1]
    chosen = np.ones((batch, n), dtype=bool) if where is None else np.array(where, dtype=bool)
    if squeeze and chosen.ndim == 1:
        chosen = chosen[None]
    chosen[:, 0] = False
    keys = np.broadcast_to(np.arange(n) - 1, (batch, n))
    return weight_on(weights, keys, chosen)


def follows_match(tokens: Any) -> np.ndarray:
    """Bool (batch, n, n): key ``j`` comes right after an earlier occurrence of query ``i``'s token.

    ``[b, i, j]`` is True when ``1 <= j <= i`` and ``tokens[b, j - 1] ==
    tokens[b, i]``: the keys an induction head at query ``i`` should read.
    """
    tokens = np.asarray(tokens)
    n = tokens.shape[-1]
    match = np.zeros((*tokens.shape, n), dtype=bool)
    match[..., 1:] = tokens[..., :-1][..., None, :] == tokens[..., :, None]
    return match & causal_mask(n)


def induction_score(weights: Any, tokens: Any, where: Any) -> np.ndarray:
    """A head's induction (prefix-matching) score: weight on the tokens after earlier matches.

    For each chosen query ``i``, the total weight on every key ``j <= i``
    whose previous token equals the query's token (``tokens[j - 1] ==
    tokens[i]``: the token that followed an earlier occurrence), averaged over
    the chosen queries. This is the prefix-matching score of Olsson et al.
    (2022, "Key Concepts" and appendix "(3) Head activation evaluators"),
    measured on this task's sequences.

    Parameters
    ----------
    weights : array_like, shape (..., batch, n, n)
    tokens : array_like of int, shape (batch, n)
    where : array_like of bool, shape (batch, n)
        The queries to average over (e.g. :attr:`InductionBatch.queries`).

    Returns
    -------
    ndarray, shape (...)
    """
    tokens = np.asarray(tokens)
    weights = _check_weights(weights, tokens.shape[-1])
    on_match = (weights * follows_match(tokens)).sum(axis=-1)  # (..., batch, n)
    return on_match[..., np.asarray(where, dtype=bool)].mean(axis=-1)


@dataclass(frozen=True)
class HeadScores:
    """What each head attends to, averaged over a batch; arrays of shape (num_layers, num_heads).

    Attributes
    ----------
    previous : ndarray
        :func:`previous_token_score` over every query ``i >= 1``.
    previous_in_copy : ndarray
        The same, over the first copy's positions after its first token only:
        the positions whose previous token an induction head must read.
    induction : ndarray
        :func:`induction_score` over the queries that predict a predictable
        token (:attr:`InductionBatch.queries`).
    induction_in_copy : ndarray
        Mean weight on the one key right after the current token's occurrence
        in the first copy, over the same queries. Lower than ``induction``
        when the token also occurs among the random tokens before.
    """

    previous: np.ndarray
    previous_in_copy: np.ndarray
    induction: np.ndarray
    induction_in_copy: np.ndarray


def head_scores(params: Params, batch: InductionBatch, *, num_heads: int = NUM_HEADS) -> HeadScores:
    """Previous-token and induction scores of every head (see :class:`HeadScores`)."""
    layers = forward(params, batch.tokens, num_heads=num_heads).weights
    weights = np.swapaxes(np.stack(layers), 1, 2)  # (L, B, h, n, n) -> (L, h, B, n, n)
    n = batch.tokens.shape[1]
    position = np.arange(n)[None, :]
    in_copy = (position > batch.first[:, None]) & (position < (batch.first + batch.length)[:, None])
    offset = (batch.second - batch.first)[:, None]
    queries = batch.queries
    return HeadScores(
        previous=previous_token_score(weights),
        previous_in_copy=previous_token_score(weights, in_copy),
        induction=induction_score(weights, batch.tokens, queries),
        induction_in_copy=weight_on(weights, np.clip(position - offset + 1, 0, n - 1), queries),
    )


def ablation_table(
    params: Params, batch: InductionBatch, *, num_heads: int = NUM_HEADS, max_removed: int = 2
) -> dict[tuple[Head, ...], float]:
    """Accuracy on the repeated part with no head, each head, and each pair of heads removed.

    Parameters
    ----------
    params : dict
    batch : InductionBatch
    num_heads : int
    max_removed : int
        Largest number of heads removed at once.

    Returns
    -------
    dict
        Keys are tuples of removed ``(layer, head)`` pairs (indexed from 0),
        ``()`` for the intact model; values are accuracies on the repeated part.
    """
    num_layers = num_layers_of(params)
    heads = all_heads(num_layers, num_heads)
    table: dict[tuple[Head, ...], float] = {}
    for size in range(check_int(max_removed, "max_removed", minimum=0) + 1):
        for removed in combinations(heads, size):
            gate = head_mask_without(removed, num_layers, num_heads)
            table[removed] = accuracy(params, batch, num_heads=num_heads, head_mask=gate)[0]
    return table
