"""Chapter 1's translator: an RNN encoder-decoder with or without Bahdanau attention, trained.

The encoder is bidirectional (Bahdanau et al. 2015): a forward and a backward
tanh RNN read the source, and the annotation of position ``j`` is
``h_j = [forward h_j ; backward h_j]``. The decoder is a tanh RNN,
``s_i = tanh(y_{i-1} W_y + c_i W_c + s_{i-1} W_s + b)``, whose context ``c_i`` is

- without attention, the same at every step: both directions' final states
  (the fixed-size vector of Cho et al. 2014);
- with attention, :func:`attn_core.additive_attention` of the query
  ``s_{i-1}`` over the annotations, ``alpha_i = softmax_j(v_a . tanh(s_{i-1} W_q + h_j W_k))``.

Everything else is the same in both models. :func:`forward` is the one
forward pass (teacher-forced or greedy; the kernel-free translator's
JavaScript follows it step by step). :func:`loss_and_grad` is its
hand-written backward pass (backpropagation through time) and :func:`train`
runs Adam on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from attn_book.rnn import rnn_backward, rnn_forward, rnn_step, rnn_step_backward
from attn_book.toy_tasks import BOS, VOCAB_SIZE, make_batch
from attn_book.training import Adam, softmax_backward, softmax_cross_entropy
from attn_core import additive_attention, alignment_features

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
    """Random initial weights of the encoder-decoder.

    Parameters
    ----------
    seed : int
    attention : bool
        Whether to add the alignment model's ``att_wq`` (W_q, decoder_hidden x
        align), ``att_wk`` (W_k, 2 hidden x align) and ``att_va`` (v_a, align).
    embed, hidden, decoder_hidden, align : int
        Widths of the word embeddings, of each encoder direction (annotations
        have ``2 * hidden``), of the decoder state and of the alignment layer ``d_a``.

    Returns
    -------
    dict
        Every weight by name; the ``enc_*`` weights stack the forward (0) and
        backward (1) directions, as :func:`attn_book.rnn.rnn_forward` takes them.
    """
    rng = np.random.default_rng(seed)
    d_ann = 2 * hidden

    def glorot(*shape: int) -> np.ndarray:
        # Scaled by fan-in and fan-out, so tanh units start in their linear range.
        return rng.normal(0.0, np.sqrt(2.0 / (shape[-2] + shape[-1])), size=shape)

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
        params["att_va"] = rng.normal(0.0, 1.0 / np.sqrt(align), size=align)
    return params


def has_attention(params: Params) -> bool:
    """True for the weights of the model with attention."""
    return "att_va" in params


def _encoder(params: Params) -> Params:
    """Both encoder directions, stacked, under the names of :func:`attn_book.rnn.rnn_forward`."""
    return {"w_x": params["enc_wx"], "w_h": params["enc_wh"], "b": params["enc_b"]}


def teacher_forcing_inputs(target: np.ndarray) -> np.ndarray:
    """What the decoder reads under teacher forcing: BOS, then ``target`` (B, m) shifted right."""
    return np.concatenate([np.full((target.shape[0], 1), BOS), target[:, :-1]], axis=1)


@dataclass(frozen=True)
class ForwardPass:
    """What :func:`forward` computed, for ``B`` sentences, ``n`` source words, ``m`` output steps.

    ``logits`` (B, m, V): the scores of each target word at each step;
    ``alignment`` (B, m, n): the weights ``alpha_ij`` (zero without attention);
    ``encoder_inputs``, ``encoder_states`` (2, B, n, .): what each direction read
    and computed, in its own order; ``annotations`` (B, n, 2d): the ``h_j``;
    ``summary`` (B, 2d): both final states; ``words`` (B, m) and
    ``embedded_words`` (B, m, e): the ``y_{i-1}`` read at each step;
    ``states`` (B, m + 1, d_s): ``s_0 .. s_m``; ``contexts`` (B, m, 2d): the ``c_i``.
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


def _read_words(params: Params, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings ``y`` of the words read (one step or all), and their share ``y W_y + b``."""
    y = params["dec_emb"][words]
    return y, y @ params["dec_wy"] + params["dec_b"]


def _output_layer(params: Params, s: np.ndarray, c: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The logits of the next word from ``s_i``, ``c_i``, ``y_{i-1}`` (one step or all)."""
    return s @ params["out_ws"] + c @ params["out_wc"] + y @ params["out_wy"] + params["out_b"]


def forward(params: Params, source: np.ndarray, target_in: np.ndarray | None = None) -> ForwardPass:
    """Encode ``source`` and decode: the model's one forward pass.

    Parameters
    ----------
    params : dict
        From :func:`init_params`, or trained.
    source : ndarray of int, shape (B, n)
    target_in : ndarray of int, shape (B, m), optional
        The words to read (:func:`teacher_forcing_inputs` of the reference):
        teacher forcing. Without it the decoder reads its own most likely
        previous word (greedy decoding) for ``n`` steps.

    Returns
    -------
    ForwardPass
    """
    batch, n = source.shape
    teacher_forced = target_in is not None
    m = target_in.shape[1] if teacher_forced else n

    # Encoder: both directions as one stacked RNN; direction 1 reads the source reversed.
    x = params["enc_emb"][source]  # (B, n, e)
    encoder_inputs = np.stack([x, x[:, ::-1]])
    encoder_states = rnn_forward(_encoder(params), encoder_inputs)  # (2, B, n, d)
    annotations = np.concatenate([encoder_states[0], encoder_states[1][:, ::-1]], axis=-1)
    summary = np.concatenate([encoder_states[0][:, -1], encoder_states[1][:, -1]], axis=-1)

    # Decoder.
    states = np.empty((batch, m + 1, params["dec_ws"].shape[0]))
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
                params["att_va"],
            )
            contexts[:, i], alignment[:, i] = context[:, 0], weights[:, 0]
        else:
            contexts[:, i] = summary
        states[:, i + 1] = rnn_step(s, share + contexts[:, i] @ params["dec_wc"], params["dec_ws"])
        if not teacher_forced:  # greedy: the next step reads this step's most likely word
            logits = _output_layer(params, states[:, i + 1], contexts[:, i], embedded_words[:, i])
            word = np.argmax(logits, axis=-1)
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


def loss_and_grad(params: Params, source: np.ndarray, target: np.ndarray) -> tuple[float, Params]:
    """Teacher-forced cross-entropy (nats per target word) and its gradient on every weight.

    The chain rule applied by hand, in reverse, to the arrays :func:`forward`
    kept: the output layer for all steps at once, the decoder from its last
    step to its first (through the attention's softmax and tanh), then the
    encoder (:func:`attn_book.rnn.rnn_backward`).

    Parameters
    ----------
    params : dict
    source, target : ndarray of int, shape (B, n)

    Returns
    -------
    loss : float
    grads : dict
        The keys and shapes of ``params``.
    """
    p = params
    run = forward(p, source, teacher_forcing_inputs(target))
    loss, d_logits = softmax_cross_entropy(run.logits, target)
    # Sums over steps (or over word occurrences) start at zero; the rest is assigned below.
    grads = {
        name: np.zeros_like(p[name])
        for name in ("dec_wc", "dec_ws", "dec_emb", "enc_emb", "att_va", "att_wq")
        if name in p
    }
    annotations, summary, contexts = run.annotations, run.summary, run.contexts
    ys, s_all = run.embedded_words, run.states  # y_{i-1}; s_0 .. s_m
    states = s_all[:, 1:]

    # ---- the output layer, for all steps at once
    grads["out_ws"] = np.einsum("bmd,bmv->dv", states, d_logits)
    grads["out_wc"] = np.einsum("bmd,bmv->dv", contexts, d_logits)
    grads["out_wy"] = np.einsum("bme,bmv->ev", ys, d_logits)
    grads["out_b"] = d_logits.sum(axis=(0, 1))
    d_states = d_logits @ p["out_ws"].T
    d_contexts = d_logits @ p["out_wc"].T
    d_ys = d_logits @ p["out_wy"].T

    # ---- the decoder, from the last step to the first
    d_word_share = np.empty_like(d_states)  # on y_{i-1} W_y + b
    d_annotations = np.zeros_like(annotations)
    d_summary = np.zeros_like(summary)
    attention = has_attention(p)
    if attention:
        # The alignment layer tanh(s_{i-1} W_q + h_j W_k) at every step.
        features = alignment_features(s_all[:, :-1], annotations, p["att_wq"], p["att_wk"])
        d_keys = np.zeros(annotations.shape[:-1] + (p["att_wk"].shape[1],))  # on h_j W_k
    carry = np.zeros_like(s_all[:, 0])  # gradient reaching s_i from step i + 1
    for i in range(states.shape[1] - 1, -1, -1):
        s_prev = s_all[:, i]
        d_pre, carry = rnn_step_backward(d_states[:, i] + carry, s_all[:, i + 1], p["dec_ws"])
        d_word_share[:, i] = d_pre
        grads["dec_wc"] += contexts[:, i].T @ d_pre
        grads["dec_ws"] += s_prev.T @ d_pre
        d_context = d_contexts[:, i] + d_pre @ p["dec_wc"].T
        if attention:
            # c_i = alpha_i @ h, alpha_i = softmax(e_i), e_i = features @ v_a
            alpha, f = run.alignment[:, i], features[:, i]
            d_annotations += alpha[:, :, None] * d_context[:, None, :]
            d_scores = softmax_backward(alpha, np.einsum("bd,bnd->bn", d_context, annotations))
            grads["att_va"] += d_scores.reshape(-1) @ f.reshape(-1, f.shape[-1])
            d_f = d_scores[:, :, None] * p["att_va"] * (1.0 - f**2)  # through tanh
            d_keys += d_f
            d_q = d_f.sum(axis=1)
            grads["att_wq"] += s_prev.T @ d_q
            carry = carry + d_q @ p["att_wq"].T
        else:
            d_summary += d_context
    grads["dec_wy"] = np.einsum("bme,bmd->ed", ys, d_word_share)
    grads["dec_b"] = d_word_share.sum(axis=(0, 1))
    d_ys += d_word_share @ p["dec_wy"].T
    np.add.at(grads["dec_emb"], run.words, d_ys)
    # s_0 = tanh(summary @ init_w + init_b)
    d_init = carry * (1.0 - s_all[:, 0] ** 2)
    grads["init_w"] = summary.T @ d_init
    grads["init_b"] = d_init.sum(axis=0)
    d_summary += d_init @ p["init_w"].T
    if attention:
        grads["att_wk"] = np.einsum("bnd,bna->da", annotations, d_keys)
        d_annotations += d_keys @ p["att_wk"].T

    # ---- the encoder: the gradient on each direction's states, in the order it computed them
    d = p["enc_wh"].shape[-1]
    d_enc = np.stack([d_annotations[..., :d], d_annotations[..., d:][:, ::-1]])
    d_enc[:, :, -1] += np.stack([d_summary[:, :d], d_summary[:, d:]])
    enc_grads, d_inputs = rnn_backward(_encoder(p), run.encoder_inputs, run.encoder_states, d_enc)
    grads["enc_wx"], grads["enc_wh"], grads["enc_b"] = (enc_grads[k] for k in ("w_x", "w_h", "b"))
    np.add.at(grads["enc_emb"], source, d_inputs[0] + d_inputs[1][:, ::-1])
    return loss, {name: grads[name] for name in p}


def train(
    params: Params,
    *,
    steps: int,
    lengths: Sequence[int],
    batch_size: int = 32,
    learning_rate: float = 0.02,
    seed: int = 0,
    task: str = "reverse",
) -> tuple[Params, np.ndarray]:
    """Train with Adam on fresh random batches of a toy task.

    Each step draws one length from ``lengths`` and a batch of that length,
    so no sentence needs padding.

    Parameters
    ----------
    params : dict
        Initial weights (not modified).
    steps : int
        Adam updates.
    lengths : sequence of int
        Sentence lengths to train on.
    batch_size : int
    learning_rate : float
    seed : int
        Seed of the batches.
    task : {"reverse", "copy"}
        See :mod:`attn_book.toy_tasks`.

    Returns
    -------
    params : dict
        The trained weights.
    losses : ndarray, shape (steps,)
        The training loss at each step.
    """
    optimizer = Adam(learning_rate)
    rng = np.random.default_rng(seed)
    params = {name: value.copy() for name, value in params.items()}
    losses = np.empty(steps)
    for step in range(steps):
        source, target = make_batch(rng, batch_size, int(rng.choice(lengths)), task)
        losses[step], grads = loss_and_grad(params, source, target)
        optimizer.step(params, grads)
    return params, losses


def translate_batch(params: Params, source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Greedy translation of source ids (B, n): predicted ids (B, n) and the alignment (B, n, n)."""
    run = forward(params, source)
    return np.argmax(run.logits, axis=-1), run.alignment


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
        predicted = np.argmax(forward(params, source, teacher_forcing_inputs(target)).logits, -1)
    else:
        predicted, _ = translate_batch(params, source)
    return predicted == target


def accuracy_by_length(
    params: Params,
    lengths: Sequence[int],
    *,
    count: int = 200,
    seed: int = 1,
    task: str = "reverse",
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy-decoding accuracy on ``count`` fresh sentences of each length.

    Returns
    -------
    word_accuracy, sentence_accuracy : ndarray, shape (len(lengths),)
        The fraction of output words right, and of sentences entirely right.
    """
    rng = np.random.default_rng(seed)
    right = [_right_words(params, rng, count, length, task) for length in lengths]
    return np.array([r.mean() for r in right]), np.array([r.all(axis=1).mean() for r in right])


def accuracy_by_step(
    params: Params,
    length: int,
    *,
    count: int = 200,
    seed: int = 1,
    task: str = "reverse",
    teacher_forcing: bool = False,
) -> np.ndarray:
    """The fraction of ``count`` fresh sentences of one length right at each output step.

    Decoding is greedy (each step reads the model's own previous word); with
    ``teacher_forcing=True`` each step reads the reference's previous word, so
    no mistake is fed back.

    Returns
    -------
    ndarray, shape (length,)
    """
    rng = np.random.default_rng(seed)
    return _right_words(params, rng, count, length, task, teacher_forcing).mean(axis=0)
