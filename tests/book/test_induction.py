"""attn_book.induction: the task, the model, its hand-written gradient, training, the scores."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book import induction as ind
from attn_book.training import Adam
from attn_core import causal_mask, multi_head_attention, scaled_dot_product_attention, split_heads

SMALL = {"vocab_size": 8, "seq_len": 10, "d_model": 8}
SMALL_TASK = {"seq_len": 10, "vocab_size": 8, "min_stretch": 2, "max_stretch": 4}


# --------------------------------------------------------------------------- gradient


@pytest.mark.parametrize("num_layers", [1, 2])
def test_gradient_matches_finite_differences(num_layers):
    """Every entry of every parameter, central differences in float64."""
    # embed_scale 1: the attention is far from uniform, so every term matters.
    params = ind.init_params(0, num_layers=num_layers, embed_scale=1.0, **SMALL)
    batch = ind.make_batch(100, 5, **SMALL_TASK)
    _, grads = ind.loss_and_grad(params, batch)
    assert set(grads) == set(params)
    eps = 1e-6
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            old = value[index]
            value[index] = old + eps
            plus = ind.loss(params, batch)
            value[index] = old - eps
            minus = ind.loss(params, batch)
            value[index] = old
            numeric[index] = (plus - minus) / (2 * eps)
        error = np.abs(numeric - grads[name]).max() / max(np.abs(numeric).max(), 1e-3)
        assert error < 1e-6, f"{name}: relative error {error:.2e}"


def test_loss_at_init_is_near_log_vocab():
    loss = ind.loss(ind.init_params(0), ind.make_batch(0, 64))
    assert abs(loss - np.log(ind.VOCAB_SIZE)) < 0.3


# --------------------------------------------------------------------------- model


def test_each_layer_is_attn_core_multi_head_attention_and_a_gate_scales_w_o_rows():
    params = ind.init_params(3)
    tokens = ind.make_batch(4, 6).tokens
    gate = np.array([[1.0, 0.0], [0.3, 1.0]])
    out = ind.forward(params, tokens, head_mask=gate)
    d_head = ind.D_MODEL // ind.NUM_HEADS
    x = params["embed"][tokens] + params["pos_embed"]
    for layer in (1, 2):
        rows = np.repeat(gate[layer - 1], d_head)[:, None]  # head h owns rows h*d_head...
        w = [params[f"layer{layer}.{name}"] for name in ("w_q", "w_k", "w_v")]
        added, weights = multi_head_attention(
            x, *w, params[f"layer{layer}.w_o"] * rows, ind.NUM_HEADS, mask=causal_mask(24)
        )
        np.testing.assert_allclose(out.layers[layer - 1]["x"], x, rtol=0, atol=1e-12)
        np.testing.assert_allclose(out.weights[layer - 1], weights, rtol=0, atol=1e-12)
        x = x + added
    np.testing.assert_allclose(out.logits, x @ params["unembed"], rtol=0, atol=1e-12)


def test_causal_the_future_cannot_change_the_past():
    params = ind.init_params(1)
    tokens = ind.make_batch(2, 1).tokens
    changed = tokens.copy()
    changed[0, 10:] = (changed[0, 10:] + 1) % ind.VOCAB_SIZE
    a, b = ind.forward(params, tokens).logits, ind.forward(params, changed).logits
    assert np.array_equal(a[:, :10], b[:, :10]) and not np.allclose(a[:, 10:], b[:, 10:])


def test_hiding_a_head_from_every_reader_is_removing_it():
    params = ind.init_params(3, embed_scale=1.0)
    tokens = ind.make_batch(4, 6).tokens
    for head in ind.all_heads():
        by_gate = ind.forward(params, tokens, head_mask=ind.head_mask_without([head]))
        by_paths = ind.forward(params, tokens, removed_paths={head: ind.READERS})
        np.testing.assert_allclose(by_paths.logits, by_gate.logits, rtol=0, atol=1e-12)
        for a, b in zip(by_paths.weights, by_gate.weights, strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("readers", [("k",), ("q", "v"), ("logits",), ("q", "v", "logits")])
def test_removed_paths_hide_a_head_from_the_chosen_readers_only(readers):
    """Layer 2 and the logits by hand: each reader gets the stream with or without the head."""
    params = ind.init_params(5, embed_scale=1.0)
    batch = ind.make_batch(6, 4)
    head = (0, 1)
    out = ind.forward(params, batch.tokens, removed_paths={head: readers})
    full = ind.forward(params, batch.tokens)
    x = full.layers[1]["x"]  # after layer 1, every head included
    without = x - full.layers[0]["written"][:, 1]
    seen = {reader: without if reader in readers else x for reader in ind.READERS}
    q, k, v = (
        split_heads(seen[r] @ params[f"layer2.w_{r}"], ind.NUM_HEADS) for r in ("q", "k", "v")
    )
    context, weights = scaled_dot_product_attention(q, k, v, causal_mask(ind.SEQ_LEN))
    d_head = ind.D_MODEL // ind.NUM_HEADS
    written = sum(
        context[:, h] @ params["layer2.w_o"][h * d_head : (h + 1) * d_head]
        for h in range(ind.NUM_HEADS)
    )
    logits = (seen["logits"] + written) @ params["unembed"]
    np.testing.assert_array_equal(out.weights[0], full.weights[0])  # layer 1 is untouched
    np.testing.assert_allclose(out.weights[1], weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.logits, logits, rtol=0, atol=1e-12)
    assert not np.allclose(out.logits, full.logits)  # the removal changed something
    correct = logits[:, :-1].argmax(axis=-1) == batch.tokens[:, 1:]
    repeated = ind.accuracy(params, batch, removed_paths={head: readers})[0]
    assert repeated == correct[batch.predictable[:, 1:]].mean()


def test_heads_are_named_from_1():
    assert ind.head_name(0, 1) == "layer 1 head 2"
    assert ind.all_heads() == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert ind.head_mask_without([(0, 1)]).tolist() == [[1, 0], [1, 1]]


# --------------------------------------------------------------------------- task


def test_task_layout():
    batch = ind.make_batch(3, 500)
    for row in range(500):
        tokens, first, second, length = (
            batch.tokens[row],
            batch.first[row],
            batch.second[row],
            batch.length[row],
        )
        assert ind.MIN_STRETCH <= length <= ind.MAX_STRETCH
        assert first + length <= second and second + length <= ind.SEQ_LEN
        stretch = tokens[first : first + length]
        assert len(set(stretch.tolist())) == length
        assert np.array_equal(tokens[second : second + length], stretch)
        expected = np.zeros(ind.SEQ_LEN, dtype=bool)
        expected[second + 1 : second + length] = True
        assert np.array_equal(batch.predictable[row], expected)
        assert np.array_equal(batch.queries[row], np.roll(expected, -1))
    # Not anchored: the distance between the copies, and each start, take many values.
    for values in (batch.first, batch.second, batch.second - batch.first):
        assert len(np.unique(values)) > 10
    assert set(np.unique(batch.tokens).tolist()) == set(range(ind.VOCAB_SIZE))
    assert np.array_equal(ind.make_batch(3, 500).tokens, batch.tokens)  # seeded
    part = batch[7:9]
    assert part.tokens.shape == (2, ind.SEQ_LEN) and part.second[0] == batch.second[7]


def test_unambiguous_and_copy_rule_match_loops():
    batch = ind.make_batch(6, 200)
    expected, rule = [], []
    for b in range(200):
        t = batch.tokens[b]
        queries = np.flatnonzero(batch.queries[b])
        expected.append(all((t[:i] == t[i]).sum() == 1 for i in queries))
        rule += [1 / len(set(t[: i + 1].tolist()) - {t[i]}) for i in queries]
    assert np.array_equal(ind.unambiguous(batch), expected)
    assert 0.05 < np.mean(expected) < 0.5
    assert np.isclose(ind.copy_rule_accuracy(batch), np.mean(rule))


def test_parse_tokens_reads_what_a_reader_types_and_rejects_the_rest():
    assert ind.parse_tokens(" 3\t7,12\n0 ") == [3, 7, 12, 0]
    assert ind.parse_tokens("15") == [15]
    for text in ["", " , ", "1 -2", "1.5", "16", "x" * 30, "1 " * 25]:
        with pytest.raises(ValueError):
            ind.parse_tokens(text)


# --------------------------------------------------------------------------- scores


def test_head_scores_match_loops():
    params = ind.init_params(4, embed_scale=1.0)
    batch = ind.make_batch(5, 40)
    scores = ind.head_scores(params, batch)
    weights = ind.forward(params, batch.tokens).weights
    for layer, head in ind.all_heads():
        w = weights[layer][:, head]
        prev = [w[b, i, i - 1] for b in range(40) for i in range(1, ind.SEQ_LEN)]
        prev_copy = [
            w[b, i, i - 1]
            for b in range(40)
            for i in range(batch.first[b] + 1, batch.first[b] + batch.length[b])
        ]
        any_match, in_copy = [], []
        for b in range(40):
            t = batch.tokens[b]
            for i in np.flatnonzero(batch.queries[b]):
                any_match.append(w[b, i, [j for j in range(1, i + 1) if t[j - 1] == t[i]]].sum())
                in_copy.append(w[b, i, batch.first[b] + (i - batch.second[b]) + 1])
        assert np.isclose(scores.previous[layer, head], np.mean(prev))
        assert np.isclose(scores.previous_in_copy[layer, head], np.mean(prev_copy))
        assert np.isclose(scores.induction[layer, head], np.mean(any_match))
        assert np.isclose(scores.induction_in_copy[layer, head], np.mean(in_copy))


def test_scores_of_designed_patterns():
    n = 6
    previous = np.eye(n, k=-1)
    previous[0, 0] = 1.0
    assert ind.previous_token_score(previous) == 1.0
    assert ind.previous_token_score(np.eye(n)) == 0.0
    tokens = np.array([[3, 5, 1, 3, 5, 1]])
    # An ideal induction head: at the second 3 look at the first 5, and so on.
    ideal = np.eye(n)[None].copy()
    ideal[0, 3] = np.eye(n)[1]
    ideal[0, 4] = np.eye(n)[2]
    queries = np.array([[False, False, False, True, True, False]])
    assert ind.induction_score(ideal, tokens, queries) == 1.0
    assert ind.induction_score(np.eye(n)[None], tokens, queries) == 0.0


def test_ablation_table():
    params = ind.init_params(0)
    batch = ind.make_batch(1, 50)
    table = ind.ablation_table(params, batch)
    assert len(table) == 1 + 4 + 6
    assert table[()] == ind.accuracy(params, batch)[0]
    assert table[((0, 1),)] == ind.accuracy(params, batch, head_mask=[[1, 0], [1, 1]])[0]
    # Every head removed leaves the embeddings alone: the same as W_o = 0.
    zeroed = {k: (np.zeros_like(v) if k.endswith("w_o") else v) for k, v in params.items()}
    assert ind.accuracy(params, batch, head_mask=np.zeros((2, 2))) == ind.accuracy(zeroed, batch)


# --------------------------------------------------------------------------- training


def test_training_is_seeded_uses_the_books_adam_and_lowers_the_loss():
    start = ind.init_params(0)
    copy = {k: v.copy() for k, v in start.items()}
    run = ind.train(start, steps=30, seed=1, snapshots=[10])
    assert np.array_equal(run.losses, ind.train(start, steps=30, seed=1).losses)
    assert all(np.array_equal(start[k], copy[k]) for k in start), "train changed its input"
    # Adam by hand on the same batches.
    params = {k: v.copy() for k, v in start.items()}
    optimizer = Adam(ind.LEARNING_RATE, beta2=ind.BETA2)
    rng = np.random.default_rng(1)
    for step in range(1, 31):
        _, grads = ind.loss_and_grad(params, ind.make_batch(rng, ind.BATCH_SIZE))
        optimizer.step(params, grads)
        kept = run.snapshots[10] if step == 10 else run.params if step == 30 else None
        for name in params if kept is not None else ():
            np.testing.assert_allclose(kept[name], params[name], rtol=0, atol=1e-12)
    assert list(run.snapshots) == [10]
    batch = ind.make_batch(9, 64)
    assert ind.loss(run.params, batch) < ind.loss(start, batch)
