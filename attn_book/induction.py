"""Chapter 6: a two-layer attention-only transformer that learns induction heads.

The task (:func:`make_batch`), the model (:func:`init_params`, and :func:`forward`,
which the chapter shows), its gradient written out by hand (:func:`loss_and_grad`;
the tests check it against finite differences), training with Adam (:func:`train`),
and what the chapter measures: accuracy, the head scores of Olsson et al. (2022),
ablation. Code counts layers, heads and positions from 0; a reader sees them from 1
(:func:`head_name`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from attn_book.training import Adam, softmax_backward, softmax_cross_entropy
from attn_core import causal_mask, merge_heads, scaled_dot_product_attention, softmax, split_heads

Params = dict[str, np.ndarray]
#: A head as code names it: (layer, head), both from 0.
Head = tuple[int, int]

#: The task: tokens 0..15, sequences of 24, stretches of 4 to 8 distinct tokens.
VOCAB_SIZE: int = 16
SEQ_LEN: int = 24
MIN_STRETCH: int = 4
MAX_STRETCH: int = 8
#: Width of the residual stream, and heads per layer (d_head = 16).
D_MODEL: int = 32
NUM_HEADS: int = 2
#: Training (benchmarks/bench_induction_seeds.py runs the chapter with them on 20 seeds).
STEPS: int = 400
BATCH_SIZE: int = 32
LEARNING_RATE: float = 0.02
BETA2: float = 0.99
EMBED_SCALE: float = 0.3
#: The chapter's held-out evaluation batch: seed and size.
EVAL_SEED: int = 10_000
EVAL_SIZE: int = 500

#: The weight matrices of each layer, named ``layer{l}.w_q`` ... with l from 1.
LAYER_WEIGHTS: tuple[str, ...] = ("w_q", "w_k", "w_v", "w_o")
#: What reads the residual stream: the later layers' queries, keys and values, and the logits.
READERS: tuple[str, ...] = ("q", "k", "v", "logits")


# --------------------------------------------------------------------------- task


@dataclass(frozen=True)
class InductionBatch:
    """Sequences of the task, each holding one stretch twice.

    ``tokens`` (batch, n); ``predictable`` (batch, n), True at the second copy's
    tokens after its first (the targets of the loss); ``first``, ``second``,
    ``length`` (batch,): where the copies start, and the stretch's length.
    """

    tokens: np.ndarray
    predictable: np.ndarray
    first: np.ndarray
    second: np.ndarray
    length: np.ndarray

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, rows: slice) -> InductionBatch:
        """The sequences ``rows`` (a slice) as a batch: ``batch[3:4]`` is sequence 3 alone."""
        return InductionBatch(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))

    @property
    def queries(self) -> np.ndarray:
        """Bool (batch, n): the positions whose next token is predictable."""
        return np.roll(self.predictable, -1, axis=1)


def make_batch(
    rng: np.random.Generator | int,
    batch_size: int,
    *,
    seq_len: int = SEQ_LEN,
    vocab_size: int = VOCAB_SIZE,
    min_stretch: int = MIN_STRETCH,
    max_stretch: int = MAX_STRETCH,
) -> InductionBatch:
    """Random sequences, each holding a stretch of distinct tokens twice, both copies anywhere.

    Each sequence draws the stretch's length uniformly from ``min_stretch..max_stretch``,
    its tokens without repetition, and the places of the two copies uniformly among all
    arrangements that do not overlap; every other token is uniform over the vocabulary.

    Parameters
    ----------
    rng : numpy Generator or int
        Source of randomness, or its seed.
    batch_size : int
    seq_len, vocab_size, min_stretch, max_stretch : int
        Sizes of the task (``2 * max_stretch <= seq_len``, ``max_stretch <= vocab_size``).

    Returns
    -------
    InductionBatch
    """
    rng = np.random.default_rng(rng)
    rows = np.arange(batch_size)[:, None]
    tokens = rng.integers(vocab_size, size=(batch_size, seq_len))
    length = rng.integers(min_stretch, max_stretch + 1, size=batch_size)
    stretch = np.argsort(rng.random((batch_size, vocab_size)), axis=1)  # a permutation a row
    # The seq_len - 2 * length other tokens and the two copies in a row: the copies
    # take two of these `slots` places (a < b), chosen uniformly.
    slots = seq_len - 2 * length + 2
    a = np.floor(rng.random(batch_size) * slots).astype(int)
    b = np.floor(rng.random(batch_size) * (slots - 1)).astype(int)
    b += b >= a
    a, b = np.minimum(a, b), np.maximum(a, b)
    first, second = a, b - 1 + length  # b - 1 other tokens and the first copy come before
    position = np.arange(seq_len)[None, :]
    for start in (first, second):
        within = position - start[:, None]
        inside = (within >= 0) & (within < length[:, None])
        tokens = np.where(inside, stretch[rows, np.clip(within, 0, vocab_size - 1)], tokens)
    predictable = (position > second[:, None]) & (position < (second + length)[:, None])
    return InductionBatch(tokens, predictable, first, second, length)


def unambiguous(batch: InductionBatch) -> np.ndarray:
    """Bool (batch,): every query of the sequence finds its token exactly once before it."""
    tokens = batch.tokens
    earlier = np.tri(tokens.shape[1], k=-1, dtype=bool)  # key j < query i
    occurrences = ((tokens[:, :, None] == tokens[:, None, :]) & earlier).sum(axis=-1)
    return np.all((occurrences == 1) | ~batch.queries, axis=1)


def copy_rule_accuracy(batch: InductionBatch) -> float:
    """Expected accuracy of a blind copying rule on the queries of the repeated part.

    The rule picks uniformly among the distinct tokens seen so far, the current one left
    out; the right token is always among them.
    """
    rows, queries = np.nonzero(batch.queries)
    seen = np.zeros((len(rows), int(batch.tokens.max()) + 1), dtype=bool)
    for step in range(batch.tokens.shape[1]):
        earlier = step <= queries
        seen[earlier, batch.tokens[rows[earlier], step]] = True
    seen[np.arange(len(rows)), batch.tokens[rows, queries]] = False  # not the current token
    return float(np.mean(1.0 / seen.sum(axis=1)))


def parse_tokens(text: str, *, vocab_size: int = VOCAB_SIZE, seq_len: int = SEQ_LEN) -> list[int]:
    """Tokens a reader typed: whole numbers ``0..vocab_size - 1`` separated by spaces or commas.

    The induction view's JavaScript (``attn_book/views/induction.js``) follows the same rule.

    Raises
    ------
    ValueError
        For no tokens, more than ``seq_len``, or a part that is not a token; the
        message quotes the first bad part (shortened).
    """
    parts = [part for part in re.split(r"[ \t\r\n,]+", text) if part]
    if not parts:
        raise ValueError(f"Type 1 to {seq_len} tokens: numbers 0 to {vocab_size - 1}.")
    for part in parts:
        # At most 6 digits: int() of thousands of digits is slow, and refused past 4300.
        if not re.fullmatch(r"[0-9]{1,6}", part) or int(part) >= vocab_size:
            shown = part if len(part) <= 12 else part[:11] + "\u2026"
            raise ValueError(f'"{shown}" is not a token: tokens are numbers 0 to {vocab_size - 1}.')
    if len(parts) > seq_len:
        raise ValueError(f"{len(parts)} tokens: the model reads at most {seq_len}.")
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
    """Random parameters of the attention-only model.

    Token and position embeddings are normal with standard deviation ``embed_scale``;
    every other matrix has standard deviation ``1 / sqrt(d_model)``.

    Returns
    -------
    dict of str to ndarray
        ``embed`` (vocab, d), ``pos_embed`` (seq_len, d), ``layer{l}.w_q``, ``.w_k``,
        ``.w_v``, ``.w_o`` (d, d) for l = 1, 2, ..., and ``unembed`` (d, vocab).
    """
    rng = np.random.default_rng(seed)
    std = 1.0 / np.sqrt(d_model)
    params = {
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
    return sum(name.endswith(".w_q") for name in params)


def head_name(layer: int, head: int) -> str:
    """A head as a reader sees it, counted from 1: ``head_name(0, 1) == "layer 1 head 2"``."""
    return f"layer {layer + 1} head {head + 1}"


def all_heads(num_layers: int = 2, num_heads: int = NUM_HEADS) -> list[Head]:
    """Every ``(layer, head)``, layer by layer, from 0."""
    return [(layer, head) for layer in range(num_layers) for head in range(num_heads)]


def head_mask_without(
    removed: Iterable[Head], num_layers: int = 2, num_heads: int = NUM_HEADS
) -> np.ndarray:
    """The ``head_mask`` of :func:`forward` with the given heads at 0 and the others at 1."""
    gate = np.ones((num_layers, num_heads))
    for layer, head in removed:
        gate[layer, head] = 0.0
    return gate


@dataclass
class Forward:
    """What :func:`forward` computed: the logits, and for each layer a dict of its arrays.

    Each layer's dict holds ``x`` (the stream it read), ``q``, ``k``, ``v``,
    ``weights`` and ``written`` (what each head added to the stream).
    """

    logits: np.ndarray
    layers: list[dict[str, np.ndarray]]

    @property
    def weights(self) -> list[np.ndarray]:
        """Each layer's attention weights, (batch, num_heads, n, n)."""
        return [layer["weights"] for layer in self.layers]


def forward(
    params: Params,
    tokens: Any,
    *,
    num_heads: int = NUM_HEADS,
    head_mask: Any = None,
    removed_paths: Mapping[Head, Iterable[str]] | None = None,
) -> Forward:
    """Run the model on token sequences of shape (batch, n).

    head_mask (num_layers, num_heads) scales what each head writes: 0 removes it.
    removed_paths hides what a head wrote from some readers: {(0, 1): ["k"]}
    computes the keys of every later layer without what head (0, 1) wrote.
    Readers: "q", "k", "v", "logits". Layers and heads count from 0.
    """
    tokens = np.asarray(tokens)
    n = tokens.shape[1]
    if head_mask is None:
        head_mask = np.ones((num_layers_of(params), num_heads))
    # The residual stream, (B, n, d): token embedding + position embedding
    x = params["embed"][tokens] + params["pos_embed"][:n]
    hidden = dict.fromkeys(READERS, 0.0)  # what each reader must not see
    layers = []
    for layer, gate in enumerate(np.asarray(head_mask, dtype=float)):
        w_q, w_k, w_v, w_o = (params[f"layer{layer + 1}.{w}"] for w in LAYER_WEIGHTS)
        # (B, n, d) @ (d, d) -> (B, n, d) -> (B, h, n, d_head)
        q = split_heads((x - hidden["q"]) @ w_q, num_heads)
        k = split_heads((x - hidden["k"]) @ w_k, num_heads)
        v = split_heads((x - hidden["v"]) @ w_v, num_heads)
        # context (B, h, n, d_head); weights (B, h, n, n), 0 above the diagonal
        context, weights = scaled_dot_product_attention(q, k, v, causal_mask(n))
        # merge_heads(context) @ w_o, head by head: head i's context times
        # rows i*d_head:(i+1)*d_head of w_o is what head i writes.
        w_o_rows = w_o.reshape(num_heads, -1, w_o.shape[1])  # (h, d_head, d)
        written = gate[:, None, None] * (context @ w_o_rows)  # (B, h, n, d)
        for (where, head), readers in (removed_paths or {}).items():
            if where == layer:
                for reader in readers:
                    hidden[reader] = hidden[reader] + written[:, head]
        layers.append(dict(x=x, q=q, k=k, v=v, weights=weights, written=written))
        x = x + written.sum(axis=1)  # each head adds what it wrote
    logits = (x - hidden["logits"]) @ params["unembed"]  # (B, n, vocab)
    return Forward(logits, layers)


def next_token_probabilities(logits: Any) -> np.ndarray:
    """Softmax over the vocabulary: the model's probability of each next token."""
    return softmax(logits, axis=-1)


# --------------------------------------------------------------------------- loss and training


def loss(params: Params, batch: InductionBatch, *, num_heads: int = NUM_HEADS) -> float:
    """Mean cross-entropy, in nats, of the predictable tokens."""
    return loss_and_grad(params, batch, num_heads=num_heads)[0]


def loss_and_grad(
    params: Params, batch: InductionBatch, *, num_heads: int = NUM_HEADS
) -> tuple[float, Params]:
    """Mean cross-entropy of the predictable tokens, and its gradient for every parameter.

    The chain rule, layer by layer in reverse, through the arrays :func:`forward`
    kept. For one head, with ``A = softmax(S)`` its weights and ``s = 1/sqrt(d_head)``::

        dV = A^T dC      dA = dC V^T      dS = A * (dA - rowsum(dA * A))
        dQ = s dS K      dK = s dS^T Q

    The residual connection passes the gradient of the stream on unchanged.
    """
    out = forward(params, batch.tokens, num_heads=num_heads)
    rows, queries = np.nonzero(batch.queries)
    targets = batch.tokens[rows, queries + 1]
    value, d_logits = softmax_cross_entropy(out.logits[rows, queries], targets)  # (N, vocab)
    d_x = np.zeros_like(out.layers[0]["x"])  # (B, n, d): only the queries get a gradient
    d_x[rows, queries] = d_logits @ params["unembed"].T
    final = out.layers[-1]["x"] + out.layers[-1]["written"].sum(axis=1)
    grads = {"unembed": final[rows, queries].T @ d_logits}
    d_model = d_x.shape[-1]
    scale = 1.0 / np.sqrt(d_model // num_heads)
    for number in range(len(out.layers), 0, -1):
        layer = out.layers[number - 1]
        w = {name: params[f"layer{number}.{name}"] for name in LAYER_WEIGHTS}
        q, k, v, weights = (layer[name] for name in ("q", "k", "v", "weights"))
        x = layer["x"].reshape(-1, d_model)  # (B * n, d), as every gradient below
        context = merge_heads(weights @ v).reshape(-1, d_model)
        grads[f"layer{number}.w_o"] = context.T @ d_x.reshape(-1, d_model)
        d_context = split_heads(d_x @ w["w_o"].T, num_heads)  # (B, h, n, d_head)
        d_v = np.swapaxes(weights, -1, -2) @ d_context
        d_scores = scale * softmax_backward(weights, d_context @ np.swapaxes(v, -1, -2))
        d_q = d_scores @ k
        d_k = np.swapaxes(d_scores, -1, -2) @ q
        for name, d_heads in (("w_q", d_q), ("w_k", d_k), ("w_v", d_v)):
            d_projection = merge_heads(d_heads)  # (B, n, d)
            grads[f"layer{number}.{name}"] = x.T @ d_projection.reshape(-1, d_model)
            d_x = d_x + d_projection @ w[name].T
    grads["pos_embed"] = np.zeros_like(params["pos_embed"])
    grads["pos_embed"][: d_x.shape[1]] = d_x.sum(axis=0)
    one_hot = np.eye(len(params["embed"]))[batch.tokens.ravel()]  # sums each token's rows
    grads["embed"] = one_hot.T @ d_x.reshape(-1, d_model)
    return value, grads


@dataclass
class TrainingRun:
    """What :func:`train` returns.

    ``params``: the trained parameters; ``losses``: the loss before each step;
    ``snapshots``: step -> the parameters after that step, for the steps asked for.
    """

    params: Params
    losses: np.ndarray
    snapshots: dict[int, Params]


def train(
    params: Params,
    *,
    steps: int = STEPS,
    batch_size: int = BATCH_SIZE,
    learning_rate: float = LEARNING_RATE,
    beta2: float = BETA2,
    seed: int = 0,
    num_heads: int = NUM_HEADS,
    snapshots: Iterable[int] = (),
) -> TrainingRun:
    """Train a copy of ``params`` with Adam, a fresh batch of the task at every step.

    Parameters
    ----------
    params : dict
        The initial parameters (not modified).
    steps, batch_size : int
    learning_rate, beta2 : float
        Adam's step size and second-moment decay (:class:`attn_book.training.Adam`).
    seed : int
        Seed of the training batches.
    num_heads : int
    snapshots : iterable of int
        Steps after which to keep a copy of the parameters.

    Returns
    -------
    TrainingRun
    """
    params = {name: value.copy() for name, value in params.items()}
    rng = np.random.default_rng(seed)
    optimizer = Adam(learning_rate, beta2=beta2)
    losses, kept, wanted = np.empty(steps), {}, set(snapshots)
    for step in range(1, steps + 1):
        batch = make_batch(
            rng, batch_size, seq_len=len(params["pos_embed"]), vocab_size=len(params["embed"])
        )
        losses[step - 1], grads = loss_and_grad(params, batch, num_heads=num_heads)
        optimizer.step(params, grads)
        if step in wanted:
            kept[step] = {name: value.copy() for name, value in params.items()}
    return TrainingRun(params, losses, kept)


# --------------------------------------------------------------------------- measurements


def accuracy(
    params: Params,
    batch: InductionBatch,
    *,
    num_heads: int = NUM_HEADS,
    head_mask: Any = None,
    removed_paths: Mapping[Head, Iterable[str]] | None = None,
) -> tuple[float, float]:
    """Next-token accuracy on the predictable tokens, and on every other token from position 1.

    ``head_mask`` and ``removed_paths`` remove heads, or paths, as in :func:`forward`.
    """
    logits = forward(
        params, batch.tokens, num_heads=num_heads, head_mask=head_mask, removed_paths=removed_paths
    ).logits
    return logits_accuracy(logits, batch)


def logits_accuracy(logits: np.ndarray, batch: InductionBatch) -> tuple[float, float]:
    """:func:`accuracy` of logits already computed, (batch, n, vocab), on ``batch``."""
    correct = logits[:, :-1].argmax(axis=-1) == batch.tokens[:, 1:]
    target = batch.predictable[:, 1:]
    return float(correct[target].mean()), float(correct[~target].mean())


def previous_token_score(weights: Any, where: Any = None) -> float:
    """One head's mean weight on position ``i - 1``, over the queries ``i >= 1``.

    Olsson et al. (2022), "(3) Head activation evaluators". ``weights`` (..., n, n);
    ``where`` (..., n), optional: the queries to average over.
    """
    below = np.diagonal(weights, offset=-1, axis1=-2, axis2=-1)  # (..., n - 1)
    if where is None:
        return float(below.mean())
    return float(below[np.asarray(where, dtype=bool)[..., 1:]].mean())


def follows_match(tokens: Any) -> np.ndarray:
    """Bool (..., n, n): ``[i, j]`` is True when ``j <= i`` and ``tokens[j - 1] == tokens[i]``.

    These keys come right after an earlier occurrence of query ``i``'s token.
    """
    tokens = np.asarray(tokens)
    n = tokens.shape[-1]
    match = np.zeros((*tokens.shape, n), dtype=bool)
    match[..., 1:] = tokens[..., None, :-1] == tokens[..., :, None]
    return match & causal_mask(n)


def induction_score(weights: Any, tokens: Any, where: Any) -> float:
    """One head's weight on the keys after earlier occurrences of the query's token.

    The sum over the keys of :func:`follows_match`, averaged over the queries in
    ``where``: Olsson et al.'s (2022) prefix matching, on this task's sequences.
    ``weights`` (..., n, n), ``tokens`` and ``where`` (..., n).
    """
    on_match = (np.asarray(weights) * follows_match(tokens)).sum(axis=-1)
    return float(on_match[np.asarray(where, dtype=bool)].mean())


@dataclass(frozen=True)
class HeadScores:
    """Per head, arrays (num_layers, num_heads), averaged over a batch.

    ``previous``: :func:`previous_token_score` over every query; ``previous_in_copy``:
    the same over the first copy after its first token; ``induction``:
    :func:`induction_score` over the queries of the repeated part; ``induction_in_copy``:
    the weight on the one key after the earlier occurrence in the first copy.
    """

    previous: np.ndarray
    previous_in_copy: np.ndarray
    induction: np.ndarray
    induction_in_copy: np.ndarray


def head_scores(params: Params, batch: InductionBatch, *, num_heads: int = NUM_HEADS) -> HeadScores:
    """The :class:`HeadScores` of every head on ``batch``."""
    weights = forward(params, batch.tokens, num_heads=num_heads).weights
    position = np.arange(batch.tokens.shape[1])
    end = batch.first + batch.length
    in_copy = (position > batch.first[:, None]) & (position < end[:, None])
    rows, queries = np.nonzero(batch.queries)
    key = queries - (batch.second - batch.first)[rows] + 1  # after the first copy's occurrence
    scores = np.zeros((4, len(weights), num_heads))
    for layer, head in all_heads(len(weights), num_heads):
        w = weights[layer][:, head]
        scores[:, layer, head] = (
            previous_token_score(w),
            previous_token_score(w, in_copy),
            induction_score(w, batch.tokens, batch.queries),
            w[rows, queries, key].mean(),
        )
    return HeadScores(*scores)


def ablation_table(
    params: Params, batch: InductionBatch, *, num_heads: int = NUM_HEADS, max_removed: int = 2
) -> dict[tuple[Head, ...], float]:
    """Accuracy on the repeated part with no head, each head, each pair ... removed.

    Keys are tuples of removed ``(layer, head)`` (from 0), ``()`` for the whole model.
    """
    num_layers = num_layers_of(params)
    return {
        removed: accuracy(
            params,
            batch,
            num_heads=num_heads,
            head_mask=head_mask_without(removed, num_layers, num_heads),
        )[0]
        for size in range(max_removed + 1)
        for removed in combinations(all_heads(num_layers, num_heads), size)
    }
