"""Hand-derived gradients of :func:`attn_book.seq2seq.loss` (backpropagation through time).

``autograd`` differentiates :func:`attn_book.seq2seq.loss` directly, but it
records every NumPy call of the Python loop over time steps, which costs tens
of microseconds per call: too slow to train inside a notebook that must run in
seconds. This module runs the same forward pass with plain NumPy, keeps what
the backward pass needs, and applies the chain rule step by step in reverse.
The unit tests check every gradient against autograd's to 1e-9.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from attn_book.toy_tasks import BOS, VOCAB_SIZE

Params = dict[str, Any]


def _encoder_forward(p: Params, source: np.ndarray) -> dict[str, Any]:
    x = p["enc_emb"][source]  # (B, n, e)
    both = np.stack([x, x[:, ::-1]])  # (2, B, n, e)
    inputs = both @ p["enc_wx"][:, None] + p["enc_b"][:, None]  # (2, B, n, d)
    batch, n = source.shape
    d = p["enc_wh"].shape[-1]
    states = np.zeros((2, batch, n + 1, d))  # states[:, :, 0] is the zero start
    for t in range(n):
        states[:, :, t + 1] = np.tanh(inputs[:, :, t] + states[:, :, t] @ p["enc_wh"])
    h = states[:, :, 1:]
    annotations = np.concatenate([h[0], h[1][:, ::-1]], axis=-1)
    summary = np.concatenate([h[0][:, -1], h[1][:, -1]], axis=-1)
    return {"both": both, "states": states, "annotations": annotations, "summary": summary}


def _encoder_backward(
    p: Params,
    source: np.ndarray,
    cache: dict[str, Any],
    d_annotations: np.ndarray,
    d_summary: np.ndarray,
    grads: Params,
) -> None:
    states, both = cache["states"], cache["both"]
    d = p["enc_wh"].shape[-1]
    n = source.shape[1]
    # Gradient on each direction's state sequence, in the order it was computed.
    d_h = np.stack([d_annotations[..., :d], d_annotations[..., d:][:, ::-1]])
    d_h[:, :, -1] += np.stack([d_summary[:, :d], d_summary[:, d:]])
    d_inputs = np.zeros_like(d_h)
    carry = np.zeros_like(d_h[:, :, 0])
    for t in range(n - 1, -1, -1):
        d_pre = (d_h[:, :, t] + carry) * (1.0 - states[:, :, t + 1] ** 2)
        grads["enc_wh"] += np.swapaxes(states[:, :, t], -1, -2) @ d_pre
        carry = d_pre @ np.swapaxes(p["enc_wh"], -1, -2)
        d_inputs[:, :, t] = d_pre
    # inputs = both @ wx + b, for all time steps at once.
    grads["enc_wx"] += np.einsum("kbte,kbtd->ked", both, d_inputs)
    grads["enc_b"] += d_inputs.sum(axis=(1, 2))[:, None, :]
    d_both = d_inputs @ np.swapaxes(p["enc_wx"], -1, -2)[:, None]
    d_x = d_both[0] + d_both[1][:, ::-1]
    np.add.at(grads["enc_emb"], source, d_x)


def loss_and_grad(params: Params, source: Any, target: Any) -> tuple[float, Params]:
    """Teacher-forced cross-entropy and its gradient with respect to every parameter.

    Computes the same value as :func:`attn_book.seq2seq.loss`, and the
    gradients autograd would return for it.

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
        If ``source`` and ``target`` are not 2-D arrays of the same shape.
    """
    source, target = np.asarray(source), np.asarray(target)
    if source.ndim != 2 or source.shape != target.shape or source.shape[1] < 1:
        raise ValueError(
            f"source and target must both have shape (batch, n >= 1), got "
            f"{source.shape} and {target.shape}"
        )
    p = params
    attention = "att_v" in p
    grads = {name: np.zeros_like(value, dtype=float) for name, value in p.items()}
    batch, m = target.shape
    enc = _encoder_forward(p, source)
    annotations, summary = enc["annotations"], enc["summary"]
    word_in = np.concatenate([np.full((batch, 1), BOS), target[:, :-1]], axis=1)
    ys = p["dec_emb"][word_in]  # (B, m, e)
    y_proj = ys @ p["dec_wy"] + p["dec_b"]

    # ---- forward through the decoder, keeping what the backward pass needs
    s0 = np.tanh(summary @ p["init_w"] + p["init_b"])
    s_all = np.empty((batch, m + 1, s0.shape[-1]))
    s_all[:, 0] = s0
    contexts = np.empty((batch, m, annotations.shape[-1]))
    if attention:
        keys = annotations @ p["att_wk"]  # (B, n, a)
        feats, alphas = [], []
    for i in range(m):
        s = s_all[:, i]
        if attention:
            f = np.tanh((s @ p["att_wq"])[:, None, :] + keys)  # (B, n, a)
            scores = f @ p["att_v"]
            e = np.exp(scores - scores.max(axis=-1, keepdims=True))
            alpha = e / e.sum(axis=-1, keepdims=True)
            contexts[:, i] = (alpha[:, None, :] @ annotations)[:, 0]
            feats.append(f)
            alphas.append(alpha)
        else:
            contexts[:, i] = summary
        s_all[:, i + 1] = np.tanh(y_proj[:, i] + contexts[:, i] @ p["dec_wc"] + s @ p["dec_ws"])
    states = s_all[:, 1:]
    logits = states @ p["out_ws"] + contexts @ p["out_wc"] + ys @ p["out_wy"] + p["out_b"]
    top = logits.max(axis=-1, keepdims=True)
    exps = np.exp(logits - top)
    total = exps.sum(axis=-1, keepdims=True)
    log_probs = logits - top - np.log(total)
    one_hot = np.eye(VOCAB_SIZE)[target]
    loss = float(-np.sum(log_probs * one_hot) / target.size)

    # ---- backward: softmax cross-entropy, then the output layer for all steps
    d_logits = (exps / total - one_hot) / target.size
    grads["out_ws"] += np.einsum("bmd,bmv->dv", states, d_logits)
    grads["out_wc"] += np.einsum("bmd,bmv->dv", contexts, d_logits)
    grads["out_wy"] += np.einsum("bme,bmv->ev", ys, d_logits)
    grads["out_b"] += d_logits.sum(axis=(0, 1))
    d_states = d_logits @ p["out_ws"].T
    d_contexts = d_logits @ p["out_wc"].T
    d_ys = d_logits @ p["out_wy"].T
    d_y_proj = np.empty_like(y_proj)
    d_annotations = np.zeros_like(annotations)
    d_summary = np.zeros_like(summary)
    d_keys = np.zeros_like(keys) if attention else None
    carry = np.zeros_like(s0)  # gradient reaching s_i from step i + 1
    for i in range(m - 1, -1, -1):
        s_prev = s_all[:, i]
        d_pre = (d_states[:, i] + carry) * (1.0 - s_all[:, i + 1] ** 2)
        d_y_proj[:, i] = d_pre
        grads["dec_wc"] += contexts[:, i].T @ d_pre
        grads["dec_ws"] += s_prev.T @ d_pre
        d_context = d_contexts[:, i] + d_pre @ p["dec_wc"].T
        carry = d_pre @ p["dec_ws"].T
        if attention:
            alpha, f = alphas[i], feats[i]
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
    # y_proj = ys @ dec_wy + dec_b
    grads["dec_wy"] += np.einsum("bme,bmd->ed", ys, d_y_proj)
    grads["dec_b"] += d_y_proj.sum(axis=(0, 1))
    d_ys += d_y_proj @ p["dec_wy"].T
    np.add.at(grads["dec_emb"], word_in, d_ys)
    # s_0 = tanh(summary @ init_w + init_b)
    d_init = carry * (1.0 - s0**2)
    grads["init_w"] += summary.T @ d_init
    grads["init_b"] += d_init.sum(axis=0)
    d_summary += d_init @ p["init_w"].T
    if attention:
        grads["att_wk"] += np.einsum("bnd,bna->da", annotations, d_keys)
        d_annotations += d_keys @ p["att_wk"].T
    _encoder_backward(p, source, enc, d_annotations, d_summary, grads)
    return loss, grads
