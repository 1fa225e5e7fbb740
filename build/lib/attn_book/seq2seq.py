"""A tiny RNN encoder-decoder, with or without Bahdanau attention, in NumPy.

The encoder is bidirectional, as in Bahdanau et al. (2014): a forward and a
backward tanh RNN read the source, and the annotation of position ``j`` is
``h_j = [forward h_j ; backward h_j]``. The decoder is a tanh RNN whose state
``s_i`` is updated from the previous state, the previous output word and a
context vector ``c_i``:

- without attention, ``c_i`` is the same for every step: the concatenated
  final states of both encoder directions (the fixed-size bottleneck of
  Cho et al. 2014 / Sutskever et al. 2014);
- with attention, ``c_i = sum_j alpha_ij h_j`` is recomputed at every step,
  with ``alpha_i = softmax_j(v . tanh(s_{i-1} W_q + h_j W_k))``.

Everything else (sizes, initialisation, training) is identical, so the
difference between the two models is the context vector alone.

Gradients come from ``autograd``, which differentiates NumPy code. The model
trains through :func:`additive_attention_autograd`, the same formula as
:func:`attn_core.additive_attention` written with ``autograd.numpy`` (the
library function validates its inputs with plain NumPy, which autograd cannot
trace); inference (:func:`translate_batch`) calls
:func:`attn_core.additive_attention` itself, and the tests check that both
give the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import autograd.numpy as anp
import numpy as np

from attn_book.seq2seq_backprop import loss_and_grad
from attn_book.toy_tasks import BOS, VOCAB_SIZE, make_batch
from attn_core import additive_attention

Params = dict[str, Any]


def additive_attention_autograd(
    q: Any, k: Any, v: Any, w_q: Any, w_k: Any, w_v_score: Any
) -> tuple[Any, Any]:
    """Bahdanau attention written with ``autograd.numpy`` so it can be differentiated.

    The same formula and shapes as :func:`attn_core.additive_attention`
    (without a mask and without input checks):
    ``weights = softmax_j(w_v_score . tanh(q_i W_q + k_j W_k))`` and
    ``context = weights @ v``.

    Parameters
    ----------
    q : array, shape (..., n_q, d_q)
    k : array, shape (..., n_k, d_k)
    v : array, shape (..., n_k, d_v)
    w_q : array, shape (d_q, d_a)
    w_k : array, shape (d_k, d_a)
    w_v_score : array, shape (d_a,)

    Returns
    -------
    context : array, shape (..., n_q, d_v)
    weights : array, shape (..., n_q, n_k)

    Examples
    --------
    >>> q = np.zeros((1, 2)); k = np.eye(2); v = np.array([[1.0], [3.0]])
    >>> context, weights = additive_attention_autograd(q, k, v, np.eye(2), np.eye(2), np.zeros(2))
    >>> weights
    array([[0.5, 0.5]])
    """
    return attend_projected(q @ w_q, k @ w_k, v, w_v_score)


def attend_projected(q_proj: Any, k_proj: Any, v: Any, w_v_score: Any) -> tuple[Any, Any]:
    """Additive attention from already projected queries ``q W_q`` and keys ``k W_k``.

    The decoder's keys (the annotations) do not change from one output step
    to the next, so the model projects them once and calls this at each step.

    Parameters
    ----------
    q_proj : array, shape (..., n_q, d_a)
    k_proj : array, shape (..., n_k, d_a)
    v : array, shape (..., n_k, d_v)
    w_v_score : array, shape (d_a,)

    Returns
    -------
    context : array, shape (..., n_q, d_v)
    weights : array, shape (..., n_q, n_k)
    """
    # (..., n_q, 1, d_a) + (..., 1, n_k, d_a) -> (..., n_q, n_k, d_a)
    features = anp.tanh(q_proj[..., :, None, :] + k_proj[..., None, :, :])
    scores = features @ w_v_score
    # Stable softmax over keys; the max is a constant shift, so no gradient is lost.
    exps = anp.exp(scores - anp.max(scores, axis=-1, keepdims=True))
    weights = exps / anp.sum(exps, axis=-1, keepdims=True)
    return weights @ v, weights


def init_params(
    seed: int,
    *,
    attention: bool,
    embed: int = 8,
    hidden: int = 16,
    decoder_hidden: int = 32,
    align: int = 16,
) -> Params:
    """Random initial parameters of the encoder-decoder.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    attention : bool
        Whether to include the alignment parameters ``att_wq``, ``att_wk``,
        ``att_v`` (the model then reads the source through attention).
    embed : int
        Width of the word embeddings.
    hidden : int
        Width of each encoder direction; annotations have ``2 * hidden``.
    decoder_hidden : int
        Width of the decoder state ``s_i``.
    align : int
        Width ``d_a`` of the alignment model's hidden layer.

    Returns
    -------
    dict of str to ndarray
        Every weight, keyed by name; ``enc_*`` arrays stack the forward
        (index 0) and backward (index 1) directions.

    Raises
    ------
    ValueError
        If a size is below 1.

    Examples
    --------
    >>> p = init_params(0, attention=True)
    >>> p["att_wk"].shape
    (32, 16)
    """
    for name, size in (
        ("embed", embed),
        ("hidden", hidden),
        ("decoder_hidden", decoder_hidden),
        ("align", align),
    ):
        if size < 1:
            raise ValueError(f"{name} must be at least 1, got {size}")
    rng = np.random.default_rng(seed)
    d_ann = 2 * hidden

    def glorot(*shape: int) -> np.ndarray:
        # Scale by fan-in and fan-out so tanh units start in their linear range.
        fan_in, fan_out = shape[-2], shape[-1]
        return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape)

    params: Params = {
        "enc_emb": rng.normal(0.0, 1.0, size=(VOCAB_SIZE, embed)),
        "enc_wx": glorot(2, embed, hidden),
        "enc_wh": glorot(2, hidden, hidden),
        "enc_b": np.zeros((2, 1, hidden)),
        "dec_emb": rng.normal(0.0, 1.0, size=(VOCAB_SIZE + 1, embed)),
        "init_w": glorot(d_ann, decoder_hidden),
        "init_b": np.zeros(decoder_hidden),
        "dec_wy": glorot(embed, decoder_hidden),
        "dec_wc": glorot(d_ann, decoder_hidden),
        "dec_ws": glorot(decoder_hidden, decoder_hidden),
        "dec_b": np.zeros(decoder_hidden),
        "out_ws": glorot(decoder_hidden, VOCAB_SIZE),
        "out_wc": glorot(d_ann, VOCAB_SIZE),
        "out_wy": glorot(embed, VOCAB_SIZE),
        "out_b": np.zeros(VOCAB_SIZE),
    }
    if attention:
        params["att_wq"] = glorot(decoder_hidden, align)
        params["att_wk"] = glorot(d_ann, align)
        params["att_v"] = rng.normal(0.0, 1.0 / np.sqrt(align), size=align)
    return params


def has_attention(params: Params) -> bool:
    """True when ``params`` belong to the model with attention."""
    return "att_v" in params


def encode_source(params: Params, source: Any) -> tuple[Any, Any]:
    """Run the bidirectional encoder.

    Parameters
    ----------
    params : dict
        From :func:`init_params` (or trained).
    source : array of int, shape (batch, n)
        Source token ids.

    Returns
    -------
    annotations : array, shape (batch, n, 2 * hidden)
        ``h_j = [forward h_j ; backward h_j]`` for every position ``j``.
    summary : array, shape (batch, 2 * hidden)
        The fixed-size vector a model without attention gets: the forward
        state after the last word and the backward state after the first.
    """
    w_h = params["enc_wh"]
    x = params["enc_emb"][source]  # (batch, n, embed)
    # Forward reads x, backward reads x reversed; both directions are run as
    # one batched product: (2, batch, n, embed) @ (2, embed, d) -> (2, batch, n, d).
    inputs = anp.stack([x, x[:, ::-1]]) @ params["enc_wx"][:, None] + params["enc_b"][:, None]
    batch, n = source.shape
    h = anp.zeros((2, batch, w_h.shape[-1]))
    states = []
    for t in range(n):
        h = anp.tanh(inputs[:, :, t] + h @ w_h)
        states.append(h)
    states = anp.stack(states, axis=2)  # (2, batch, n, d)
    annotations = anp.concatenate([states[0], states[1][:, ::-1]], axis=-1)
    summary = anp.concatenate([states[0][:, -1], states[1][:, -1]], axis=-1)
    return annotations, summary


def run_decoder(
    params: Params,
    source: Any,
    target_in: Any = None,
    *,
    use_library: bool = False,
    steps: int | None = None,
) -> tuple[Any, Any]:
    """Encode ``source`` and decode, teacher-forced or greedily.

    Parameters
    ----------
    params : dict
        Model parameters.
    source : array of int, shape (batch, n)
    target_in : array of int, shape (batch, m), optional
        The words the decoder reads (BOS, then the reference shifted right):
        teacher forcing, used for training. When omitted, the decoder reads
        its own previous prediction (greedy decoding).
    use_library : bool
        Compute the attention with :func:`attn_core.additive_attention`
        (plain arrays only, used for inference) instead of its autograd twin
        (:func:`attend_projected`, used for training).
    steps : int, optional
        Output length for greedy decoding (default: the source length).

    Returns
    -------
    logits : array, shape (batch, m, V)
        Unnormalised scores of each target word at each step.
    alignment : array, shape (batch, m, n)
        Attention weights ``alpha_ij`` (zeros for the model without attention).
    """
    attention = has_attention(params)
    annotations, summary = encode_source(params, source)
    batch, n = source.shape
    m = target_in.shape[1] if target_in is not None else (steps or n)
    # Unpack once: each lookup in a traced dict costs autograd a node.
    dec_emb, w_y, w_c, w_s, b = (
        params[k] for k in ("dec_emb", "dec_wy", "dec_wc", "dec_ws", "dec_b")
    )
    if attention:
        w_q, w_k, w_v = params["att_wq"], params["att_wk"], params["att_v"]
        keys = annotations @ w_k  # projected once, reused at every step
    else:
        fixed = summary @ w_c  # the context never changes: project it once
    s = anp.tanh(summary @ params["init_w"] + params["init_b"])
    word = np.full(batch, BOS)
    states, contexts, ys, alignment = [], [], [], []
    for i in range(m):
        if target_in is not None:
            word = target_in[:, i]
        y = dec_emb[word]  # (batch, embed)
        if attention:
            # Query: the previous decoder state s_{i-1}; keys and values: the annotations h_j.
            if use_library:
                context, weights = additive_attention(
                    s[:, None, :], annotations, annotations, w_q, w_k, w_v
                )
            else:
                context, weights = attend_projected((s @ w_q)[:, None, :], keys, annotations, w_v)
            context, weights = context[:, 0], weights[:, 0]
            s = anp.tanh(y @ w_y + context @ w_c + s @ w_s + b)
        else:
            context, weights = summary, np.zeros((batch, n))
            s = anp.tanh(y @ w_y + fixed + s @ w_s + b)
        states.append(s)
        contexts.append(context)
        ys.append(y)
        alignment.append(weights)
        if target_in is None:
            # Greedy: the next step reads this step's most likely word.
            step_logits = (
                s @ params["out_ws"]
                + context @ params["out_wc"]
                + y @ params["out_wy"]
                + params["out_b"]
            )
            word = np.argmax(np.asarray(step_logits), axis=-1)
    # Output layer g(s_i, c_i, y_{i-1}) for all steps at once.
    logits = (
        anp.stack(states, axis=1) @ params["out_ws"]
        + anp.stack(contexts, axis=1) @ params["out_wc"]
        + anp.stack(ys, axis=1) @ params["out_wy"]
        + params["out_b"]
    )
    return logits, anp.stack(alignment, axis=1)


def loss(params: Params, source: Any, target: Any) -> Any:
    """Mean cross-entropy (nats per target word) under teacher forcing.

    Parameters
    ----------
    params : dict
    source, target : array of int, shape (batch, n)

    Returns
    -------
    float (or an autograd box while differentiating)
    """
    target_in = np.concatenate([np.full((target.shape[0], 1), BOS), target[:, :-1]], axis=1)
    logits, _ = run_decoder(params, source, target_in)
    top = anp.max(logits, axis=-1, keepdims=True)
    log_probs = logits - top - anp.log(anp.sum(anp.exp(logits - top), axis=-1, keepdims=True))
    # Pick log p(target word) with a one-hot mask (autograd has no VJP for
    # take_along_axis); sum over the vocabulary, average over words.
    one_hot = np.eye(VOCAB_SIZE)[target]
    return -anp.sum(log_probs * one_hot) / target.size


def train(
    params: Params,
    *,
    steps: int,
    lengths: Sequence[int],
    batch_size: int = 32,
    learning_rate: float = 0.02,
    seed: int = 0,
) -> tuple[Params, np.ndarray]:
    """Train with Adam on fresh random batches of the reversal task.

    Each step draws one length from ``lengths`` and a batch of sentences of
    that length, so every length is seen without padding.

    Parameters
    ----------
    params : dict
        Initial parameters (not modified).
    steps : int
        Number of Adam updates, at least 1.
    lengths : sequence of int
        Sentence lengths to train on.
    batch_size : int
        Sentences per step.
    learning_rate : float
        Adam step size.
    seed : int
        Seed of the batches.

    Returns
    -------
    params : dict
        The trained parameters.
    losses : ndarray, shape (steps,)
        Training loss at each step.

    Raises
    ------
    ValueError
        If ``steps`` < 1, ``lengths`` is empty or holds a length below 1.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if len(lengths) == 0 or min(lengths) < 1:
        raise ValueError(f"lengths must be non-empty and at least 1, got {list(lengths)}")
    rng = np.random.default_rng(seed)
    params = {name: np.array(value, dtype=float) for name, value in params.items()}
    first = {name: np.zeros_like(value) for name, value in params.items()}
    second = {name: np.zeros_like(value) for name, value in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    losses = np.empty(steps)
    for step in range(1, steps + 1):
        length = int(rng.choice(lengths))
        source, target = make_batch(rng, batch_size, length)
        value, grads = loss_and_grad(params, source, target)
        losses[step - 1] = value
        for name, g in grads.items():
            first[name] = beta1 * first[name] + (1 - beta1) * g
            second[name] = beta2 * second[name] + (1 - beta2) * g * g
            m_hat = first[name] / (1 - beta1**step)
            v_hat = second[name] / (1 - beta2**step)
            params[name] = params[name] - learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return params, losses


def translate_batch(params: Params, source: Any) -> tuple[np.ndarray, np.ndarray]:
    """Greedy translation of a batch, using :func:`attn_core.additive_attention`.

    Parameters
    ----------
    params : dict
        Trained parameters (plain arrays).
    source : array of int, shape (batch, n)

    Returns
    -------
    predicted : ndarray of int, shape (batch, n)
        Target ids, one per source word.
    alignment : ndarray, shape (batch, n, n)
        Weight of output step ``i`` (rows) on source position ``j`` (columns).
    """
    source = np.asarray(source)
    if source.ndim != 2 or source.shape[1] < 1:
        raise ValueError(f"source must have shape (batch, n) with n >= 1, got {source.shape}")
    logits, alignment = run_decoder(params, source, use_library=True)
    return np.argmax(logits, axis=-1), np.asarray(alignment)


def accuracy_by_length(
    params: Params, lengths: Sequence[int], *, count: int = 200, seed: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy-decoding accuracy on fresh test sentences of each length.

    Parameters
    ----------
    params : dict
    lengths : sequence of int
    count : int
        Test sentences per length.
    seed : int
        Seed of the test sentences (use one the training did not use).

    Returns
    -------
    word_accuracy : ndarray, shape (len(lengths),)
        Fraction of output words that are right.
    sentence_accuracy : ndarray, shape (len(lengths),)
        Fraction of sentences translated entirely right.
    """
    rng = np.random.default_rng(seed)
    words, sentences = [], []
    for length in lengths:
        source, target = make_batch(rng, count, int(length))
        predicted, _ = translate_batch(params, source)
        right = predicted == target
        words.append(right.mean())
        sentences.append(right.all(axis=1).mean())
    return np.array(words), np.array(sentences)
