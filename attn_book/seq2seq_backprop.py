"""Training the encoder-decoder of :mod:`attn_book.seq2seq`: hand-derived gradients and Adam.

:func:`loss_and_grad` runs the model's forward pass
(:func:`attn_book.seq2seq.forward`, teacher-forced), takes the cross-entropy
of the reference, and applies the chain rule step by step in reverse
(backpropagation through time) to the arrays the forward pass kept: the output
layer for all steps at once, then the decoder from its last step to its first
(through :func:`attn_book.rnn.rnn_step_backward` and, for the model with
attention, through the softmax and the ``tanh`` features of the alignment
model, from :func:`attn_core.alignment_features`), then the encoder
(:func:`attn_book.rnn.rnn_backward`). The unit tests check every gradient
against central finite differences.

:func:`train` runs :class:`attn_book.training.Adam` on these gradients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from attn_book.rnn import rnn_backward, rnn_step_backward
from attn_book.seq2seq import Params, encoder_params, forward, has_attention, teacher_forcing_inputs
from attn_book.toy_tasks import check_task, make_batch
from attn_book.training import Adam, softmax_cross_entropy
from attn_core import alignment_features
from attn_core._validation import check_int


def loss_and_grad(params: Params, source: Any, target: Any) -> tuple[float, Params]:
    """Teacher-forced cross-entropy and its gradient with respect to every parameter.

    Parameters
    ----------
    params : dict
        From :func:`attn_book.seq2seq.init_params`.
    source, target : array of int, shape (batch, n)

    Returns
    -------
    loss : float
        Mean cross-entropy in nats per target word.
    grads : dict
        Same keys and shapes as ``params``.

    Raises
    ------
    ValueError
        If ``source`` and ``target`` are not 2-D arrays of the same shape, or
        hold ids outside the vocabulary.
    """
    source, target = np.asarray(source), np.asarray(target)
    if source.ndim != 2 or source.shape != target.shape or source.shape[1] < 1:
        raise ValueError(
            f"source and target must both have shape (batch, n >= 1), got "
            f"{source.shape} and {target.shape}"
        )
    p = params
    run = forward(p, source, teacher_forcing_inputs(target))
    loss, d_logits = softmax_cross_entropy(run.logits, target)
    # Sums over steps (or over word occurrences) start at zero; the rest is assigned below.
    grads = {
        name: np.zeros_like(p[name], dtype=float)
        for name in ("dec_wc", "dec_ws", "dec_emb", "enc_emb", "att_v", "att_wq")
        if name in p
    }
    annotations, summary, contexts = run.annotations, run.summary, run.contexts
    ys = run.embedded_words  # y_{i-1}
    s_all = run.states  # s_0 .. s_m
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
    d_word_share = np.empty_like(d_states)  # gradient on y_{i-1} W_y + b
    d_annotations = np.zeros_like(annotations)
    d_summary = np.zeros_like(summary)
    attention = has_attention(p)
    if attention:
        alphas = run.alignment
        # The alignment model's hidden layer at every step (queries s_0 .. s_{m-1}).
        features = alignment_features(s_all[:, :-1], annotations, p["att_wq"], p["att_wk"])
        d_keys = np.zeros(annotations.shape[:-1] + (p["att_wk"].shape[1],))  # on h_j W_k
    carry = np.zeros_like(s_all[:, 0])  # gradient reaching s_i from step i + 1
    for i in range(states.shape[1] - 1, -1, -1):
        s_prev = s_all[:, i]
        # s_i = rnn_step(s_{i-1}, y_{i-1} W_y + b + c_i W_c, W_s)
        d_pre, carry = rnn_step_backward(d_states[:, i] + carry, s_all[:, i + 1], p["dec_ws"])
        d_word_share[:, i] = d_pre
        grads["dec_wc"] += contexts[:, i].T @ d_pre
        grads["dec_ws"] += s_prev.T @ d_pre
        d_context = d_contexts[:, i] + d_pre @ p["dec_wc"].T
        if attention:
            # c_i = alpha_i @ h, alpha_i = softmax(scores), scores = features @ v
            alpha, f = alphas[:, i], features[:, i]
            d_annotations += alpha[:, :, None] * d_context[:, None, :]
            d_alpha = np.einsum("bd,bnd->bn", d_context, annotations)
            d_scores = alpha * (d_alpha - (alpha * d_alpha).sum(axis=-1, keepdims=True))
            grads["att_v"] += d_scores.reshape(-1) @ f.reshape(-1, f.shape[-1])
            d_f = d_scores[:, :, None] * p["att_v"] * (1.0 - f**2)  # through tanh
            d_keys += d_f
            d_q = d_f.sum(axis=1)
            grads["att_wq"] += s_prev.T @ d_q
            carry = carry + d_q @ p["att_wq"].T
        else:
            d_summary += d_context
    # y_{i-1} W_y + b, for all steps at once
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

    # ---- the encoder: the gradient on each direction's states, in the order computed
    d = p["enc_wh"].shape[-1]
    d_enc = np.stack([d_annotations[..., :d], d_annotations[..., d:][:, ::-1]])
    d_enc[:, :, -1] += np.stack([d_summary[:, :d], d_summary[:, d:]])
    enc_grads, d_inputs = rnn_backward(
        encoder_params(p), run.encoder_inputs, run.encoder_states, d_enc
    )
    grads["enc_wx"], grads["enc_wh"], grads["enc_b"] = (
        enc_grads["w_x"],
        enc_grads["w_h"],
        enc_grads["b"],
    )
    np.add.at(grads["enc_emb"], source, d_inputs[0] + d_inputs[1][:, ::-1])
    return loss, {name: grads[name] for name in p}  # in the order of params


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
    """Train with Adam on fresh random batches of a toy task (reversal by default).

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
    task : {"reverse", "copy"}
        The order of the reference translations (:mod:`attn_book.toy_tasks`).

    Returns
    -------
    params : dict
        The trained parameters.
    losses : ndarray, shape (steps,)
        Training loss at each step.

    Raises
    ------
    TypeError
        If ``steps``, ``batch_size`` or a length is not an int.
    ValueError
        If ``steps`` or ``batch_size`` is below 1, ``lengths`` is empty or
        holds a length below 1, ``learning_rate`` is not positive, or ``task``
        is unknown.
    """
    steps = check_int(steps, "steps", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    lengths = [check_int(length, "each length", minimum=1) for length in lengths]
    if not lengths:
        raise ValueError("lengths must hold at least one sentence length, got none")
    check_task(task)
    optimizer = Adam(learning_rate)
    rng = np.random.default_rng(seed)
    params = {name: np.array(value, dtype=float) for name, value in params.items()}
    losses = np.empty(steps)
    for step in range(steps):
        length = int(rng.choice(lengths))
        source, target = make_batch(rng, batch_size, length, task)
        losses[step], grads = loss_and_grad(params, source, target)
        optimizer.step(params, grads)
    return params, losses
