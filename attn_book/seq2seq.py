"""A tiny RNN encoder-decoder, with or without Bahdanau attention, in NumPy.

The encoder is bidirectional, as in Bahdanau et al. (2014): a forward and a
backward tanh RNN read the source, and the annotation of position ``j`` is
``h_j = [forward h_j ; backward h_j]``. The decoder is a tanh RNN whose state
``s_i`` is updated from the previous state, the previous output word and a
context vector ``c_i``:

- without attention, ``c_i`` is the same for every step: the concatenated
  final states of both encoder directions (the fixed-size bottleneck of
  Cho et al. 2014 / Sutskever et al. 2014);
- with attention, ``c_i = sum_j alpha_ij h_j`` is recomputed at every step by
  :func:`attn_core.additive_attention`, with the previous decoder state
  ``s_{i-1}`` as the query and the annotations ``h_j`` as keys and values:
  ``alpha_i = softmax_j(v . tanh(s_{i-1} W_q + h_j W_k))``.

Everything else (sizes, initialisation, training) is identical, so the
difference between the two models is the context vector alone.

:func:`forward` is the model's one forward pass, built from the RNN of
:mod:`attn_book.rnn` and the attention of :mod:`attn_core`. It decodes
teacher-forced (reading the reference's previous word) or greedily (reading
its own previous prediction: :func:`translate_batch`, and the kernel-free translator
of :mod:`attn_book.explorer.translation`, whose JavaScript follows it step by step),
and keeps every intermediate array. Training uses those:
:func:`attn_book.seq2seq_backprop.loss_and_grad` is the hand-written backward
pass through this forward pass, and :func:`attn_book.seq2seq_backprop.train`
runs Adam on its gradients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from attn_book.rnn import rnn_forward, rnn_step
from attn_book.toy_tasks import BOS, VOCAB_SIZE, make_batch
from attn_core import additive_attention
from attn_core._validation import check_int

Params = dict[str, np.ndarray]


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
        (index 0) and backward (index 1) directions, in the layout of
        :func:`attn_book.rnn.rnn_forward` for stacked weights.

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If a size is below 1.

    Examples
    --------
    >>> p = init_params(0, attention=True)
    >>> p["att_wk"].shape
    (32, 16)
    """
    embed, hidden, decoder_hidden, align = (
        check_int(size, name, minimum=1)
        for name, size in (
            ("embed", embed),
            ("hidden", hidden),
            ("decoder_hidden", decoder_hidden),
            ("align", align),
        )
    )
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
        "enc_b": np.zeros((2, hidden)),
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


def encoder_params(params: Params) -> Params:
    """The encoder's weights under the names of :mod:`attn_book.rnn` (both directions stacked)."""
    return {"w_x": params["enc_wx"], "w_h": params["enc_wh"], "b": params["enc_b"]}


def teacher_forcing_inputs(target: np.ndarray) -> np.ndarray:
    """The words the decoder reads under teacher forcing: BOS, then ``target`` shifted right.

    Examples
    --------
    >>> teacher_forcing_inputs(np.array([[3, 1, 2]]))
    array([[8, 3, 1]])
    """
    target = np.asarray(target)
    return np.concatenate([np.full((target.shape[0], 1), BOS), target[:, :-1]], axis=1)


@dataclass(frozen=True)
class ForwardPass:
    """What :func:`forward` computed: its outputs and what a backward pass needs.

    Shapes use ``B`` sentences, ``n`` source words, ``m`` output steps, the
    widths ``e`` (embeddings), ``d`` (one encoder direction), ``d_s`` (decoder
    state) and ``V`` (target vocabulary).

    Attributes
    ----------
    logits : ndarray, shape (B, m, V)
        Unnormalised scores of each target word at each step.
    alignment : ndarray, shape (B, m, n)
        Attention weights ``alpha_ij`` (zeros for the model without attention).
    encoder_inputs : ndarray, shape (2, B, n, e)
        The embedded source as each encoder direction reads it (index 1 reversed).
    encoder_states : ndarray, shape (2, B, n, d)
        Both directions' states, in the order each direction computed them.
    annotations : ndarray, shape (B, n, 2 d)
        ``h_j = [forward h_j ; backward h_j]``.
    summary : ndarray, shape (B, 2 d)
        The forward state after the last word and the backward state after the first.
    words : ndarray of int, shape (B, m)
        The word ``y_{i-1}`` the decoder read at each step (BOS first).
    embedded_words : ndarray, shape (B, m, e)
        Their embeddings ``y_{i-1}``.
    states : ndarray, shape (B, m + 1, d_s)
        ``s_0 .. s_m``; ``states[:, i]`` is the query of step ``i + 1``.
    contexts : ndarray, shape (B, m, 2 d)
        The context vector ``c_i`` of each step.
    """

    logits: np.ndarray
    alignment: np.ndarray
    encoder_inputs: np.ndarray
    encoder_states: np.ndarray
    annotations: np.ndarray
    summary: np.ndarray
    words: np.ndarray
    embedded_words: np.ndarray
    states: np.ndarray
    contexts: np.ndarray


def _check_ids(ids: Any, name: str, top: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 2 or ids.shape[1] < 1:
        raise ValueError(f"{name} must have shape (batch, n) with n >= 1, got {ids.shape}")
    if not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() > top:
        raise ValueError(f"{name} must hold integer token ids in 0..{top}")
    return ids


def _read_words(params: Params, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings ``y`` of the words the decoder reads, and their share ``y W_y + b`` of its input.

    ``words`` may be one step (B,) or every step (B, m).
    """
    y = params["dec_emb"][words]
    return y, y @ params["dec_wy"] + params["dec_b"]


def _output_layer(params: Params, s: np.ndarray, c: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Scores of the next word, ``g(s_i, c_i, y_{i-1})``, for one step or all at once."""
    return s @ params["out_ws"] + c @ params["out_wc"] + y @ params["out_wy"] + params["out_b"]


def forward(params: Params, source: Any, target_in: Any = None) -> ForwardPass:
    """Encode ``source`` and decode, teacher-forced or greedily: the model's one forward pass.

    Parameters
    ----------
    params : dict
        From :func:`init_params` (or trained).
    source : array of int, shape (B, n)
        Source token ids.
    target_in : array of int, shape (B, m), optional
        The words the decoder reads (:func:`teacher_forcing_inputs` of the
        reference): teacher forcing, for training. When omitted, the decoder
        reads its own most likely previous word (greedy decoding) for ``n``
        steps.

    Returns
    -------
    ForwardPass
        The logits and the alignment, and every intermediate array.

    Raises
    ------
    ValueError
        If ``source`` or ``target_in`` is not a 2-D array of token ids, or
        they hold different numbers of sentences.

    Examples
    --------
    >>> run = forward(init_params(0, attention=True), np.array([[0, 1, 2]]))
    >>> run.logits.shape, run.alignment.shape, run.states.shape
    ((1, 3, 8), (1, 3, 3), (1, 4, 32))
    """
    source = _check_ids(source, "source", VOCAB_SIZE - 1)
    batch, n = source.shape
    teacher_forced = target_in is not None
    if teacher_forced:
        target_in = _check_ids(target_in, "target_in", BOS)
        if target_in.shape[0] != batch:
            raise ValueError(f"target_in has {target_in.shape[0]} sentences but source has {batch}")
    m = target_in.shape[1] if teacher_forced else n

    # Encoder: both directions as one stacked RNN; direction 1 reads the source reversed.
    x = params["enc_emb"][source]  # (B, n, e)
    encoder_inputs = np.stack([x, x[:, ::-1]])
    encoder_states = rnn_forward(encoder_params(params), encoder_inputs)  # (2, B, n, d)
    annotations = np.concatenate([encoder_states[0], encoder_states[1][:, ::-1]], axis=-1)
    summary = np.concatenate([encoder_states[0][:, -1], encoder_states[1][:, -1]], axis=-1)

    # Decoder.
    w_c, w_s = params["dec_wc"], params["dec_ws"]
    states = np.empty((batch, m + 1, w_s.shape[0]))
    states[:, 0] = np.tanh(summary @ params["init_w"] + params["init_b"])  # s_0
    contexts = np.empty((batch, m, annotations.shape[-1]))
    alignment = np.zeros((batch, m, n))
    if teacher_forced:
        words = target_in
        embedded_words, word_share = _read_words(params, words)  # every step at once
    else:
        words = np.empty((batch, m), dtype=int)
        embedded_words = np.empty((batch, m, params["dec_emb"].shape[1]))
        word = np.full(batch, BOS)
    for i in range(m):
        s = states[:, i]  # s_{i-1} in the paper's numbering
        if teacher_forced:
            share = word_share[:, i]
        else:
            words[:, i] = word
            embedded_words[:, i], share = _read_words(params, word)
        if has_attention(params):
            # Query: the previous decoder state; keys and values: the annotations h_j.
            context, weights = additive_attention(
                s[:, None, :],
                annotations,
                annotations,
                params["att_wq"],
                params["att_wk"],
                params["att_v"],
            )
            contexts[:, i], alignment[:, i] = context[:, 0], weights[:, 0]
        else:
            contexts[:, i] = summary
        states[:, i + 1] = rnn_step(s, share + contexts[:, i] @ w_c, w_s)
        if not teacher_forced:
            # Greedy: the next step reads this step's most likely word.
            step_logits = _output_layer(
                params, states[:, i + 1], contexts[:, i], embedded_words[:, i]
            )
            word = np.argmax(step_logits, axis=-1)
    return ForwardPass(
        logits=_output_layer(params, states[:, 1:], contexts, embedded_words),
        alignment=alignment,
        encoder_inputs=encoder_inputs,
        encoder_states=encoder_states,
        annotations=annotations,
        summary=summary,
        words=words,
        embedded_words=embedded_words,
        states=states,
        contexts=contexts,
    )


def translate_batch(params: Params, source: Any) -> tuple[np.ndarray, np.ndarray]:
    """Greedy translation of a batch.

    Parameters
    ----------
    params : dict
        Trained parameters.
    source : array of int, shape (batch, n)

    Returns
    -------
    predicted : ndarray of int, shape (batch, n)
        Target ids, one per source word.
    alignment : ndarray, shape (batch, n, n)
        Weight of output step ``i`` (rows) on source position ``j`` (columns).

    Raises
    ------
    ValueError
        If ``source`` is not a 2-D array of source token ids.
    """
    run = forward(params, source)
    return np.argmax(run.logits, axis=-1), run.alignment


def accuracy_by_length(
    params: Params,
    lengths: Sequence[int],
    *,
    count: int = 200,
    seed: int = 1,
    task: str = "reverse",
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
    task : {"reverse", "copy"}
        The task the model was trained on (:mod:`attn_book.toy_tasks`).

    Returns
    -------
    word_accuracy : ndarray, shape (len(lengths),)
        Fraction of output words that are right.
    sentence_accuracy : ndarray, shape (len(lengths),)
        Fraction of sentences translated entirely right.

    Raises
    ------
    TypeError, ValueError
        If ``count`` or a length is not an int of at least 1, or ``task`` is unknown.
    """
    count = check_int(count, "count", minimum=1)
    rng = np.random.default_rng(seed)
    words, sentences = [], []
    for length in lengths:
        right = _right_words(params, rng, count, check_int(length, "length", minimum=1), task)
        words.append(right.mean())
        sentences.append(right.all(axis=1).mean())
    return np.array(words), np.array(sentences)


def accuracy_by_step(
    params: Params,
    length: int,
    *,
    count: int = 200,
    seed: int = 1,
    task: str = "reverse",
    teacher_forcing: bool = False,
) -> np.ndarray:
    """Accuracy at each output step, on fresh sentences of one length.

    Where along the translation the errors arise: entry ``i`` is the fraction
    of test sentences whose output word ``i + 1`` is right. By default the
    decoder reads its own previous prediction (greedy decoding, as
    :func:`translate_batch`), so an early mistake can cause later ones. With
    ``teacher_forcing=True`` it reads the reference's previous word instead
    (:func:`teacher_forcing_inputs`, as in training), so no mistake is fed
    back: comparing the two separates errors fed back from errors the model
    makes even when everything it has read is right.

    Parameters
    ----------
    params : dict
    length : int
        Words per test sentence.
    count : int
        Test sentences.
    seed : int
        Seed of the test sentences (use one the training did not use).
    task : {"reverse", "copy"}
        The task the model was trained on (:mod:`attn_book.toy_tasks`).
    teacher_forcing : bool
        Read the reference's previous word at each step instead of the
        model's own prediction.

    Returns
    -------
    ndarray, shape (length,)

    Raises
    ------
    TypeError, ValueError
        If ``count`` or ``length`` is not an int of at least 1, ``task`` is
        unknown, or ``teacher_forcing`` is not a bool.

    Examples
    --------
    >>> accuracy_by_step(init_params(0, attention=True), 4, count=10).shape
    (4,)
    >>> accuracy_by_step(init_params(0, attention=True), 4, count=10, teacher_forcing=True).shape
    (4,)
    """
    count = check_int(count, "count", minimum=1)
    length = check_int(length, "length", minimum=1)
    if not isinstance(teacher_forcing, bool | np.bool_):
        raise TypeError(f"teacher_forcing must be True or False, got {teacher_forcing!r}")
    return _right_words(
        params, np.random.default_rng(seed), count, length, task, bool(teacher_forcing)
    ).mean(axis=0)


def _right_words(
    params: Params,
    rng: np.random.Generator,
    count: int,
    length: int,
    task: str,
    teacher_forcing: bool = False,
) -> np.ndarray:
    """(count, length) booleans: which output words of fresh test sentences are right."""
    source, target = make_batch(rng, count, length, task)
    if teacher_forcing:
        logits = forward(params, source, teacher_forcing_inputs(target)).logits
        predicted = np.argmax(logits, axis=-1)
    else:
        predicted, _ = translate_batch(params, source)
    return predicted == target
