"""attn_book.induction: the task, the model, its hand-written gradient, training and the scores."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book import induction as ind
from attn_core import causal_mask, multi_head_attention

SMALL = {"vocab_size": 8, "seq_len": 10, "d_model": 8}
SMALL_TASK = {"seq_len": 10, "vocab_size": 8, "min_stretch": 2, "max_stretch": 4}


def small_model(num_layers: int = 2, seed: int = 0) -> tuple[ind.Params, ind.InductionBatch]:
    # embed_scale 1 so that the attention is far from uniform and every term matters.
    params = ind.init_params(seed, num_layers=num_layers, embed_scale=1.0, **SMALL)
    batch = ind.make_batch(seed + 100, 5, **SMALL_TASK)
    return params, batch


# --------------------------------------------------------------------------- gradient


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("head_mask", [None, [[1.0, 0.0], [0.5, 1.0]]])
def test_gradient_matches_finite_differences(num_layers, head_mask):
    """Every entry of every parameter, central differences in float64."""
    params, batch = small_model(num_layers)
    if head_mask is not None:
        head_mask = np.asarray(head_mask)[:num_layers]
    _, grads = ind.loss_and_grad(params, batch, head_mask=head_mask)
    assert set(grads) == set(params)
    eps = 1e-6
    for name, value in params.items():
        assert value.dtype == np.float64
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            old = value[index]
            value[index] = old + eps
            plus = ind.loss(params, batch, head_mask=head_mask)
            value[index] = old - eps
            minus = ind.loss(params, batch, head_mask=head_mask)
            value[index] = old
            numeric[index] = (plus - minus) / (2 * eps)
        assert grads[name].shape == value.shape
        scale = max(np.abs(numeric).max(), 1e-3)
        error = np.abs(numeric - grads[name]).max() / scale
        assert error < 1e-6, f"{name}: relative error {error:.2e}"
    # A removed head gets no gradient through its queries, keys and values.
    if head_mask is not None and num_layers == 2:
        d_head = SMALL["d_model"] // ind.NUM_HEADS
        removed = slice(d_head, 2 * d_head)  # layer 1, head 2
        for name in ("w_q", "w_k", "w_v"):
            assert np.all(grads[f"layer1.{name}"][:, removed] == 0.0)


def test_loss_at_init_is_near_log_vocab():
    params = ind.init_params(0)
    batch = ind.make_batch(0, 64)
    assert abs(ind.loss(params, batch) - np.log(ind.VOCAB_SIZE)) < 0.3


# --------------------------------------------------------------------------- model


def test_a_layer_is_attn_core_multi_head_attention_and_a_removed_head_is_zero_w_o_rows():
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
        np.testing.assert_allclose(out.weights[layer - 1], weights, rtol=0, atol=1e-12)
        x = x + added
        np.testing.assert_allclose(out.residuals[layer], x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.logits, x @ params["unembed"], rtol=0, atol=1e-12)


def test_causal_the_future_cannot_change_the_past():
    params = ind.init_params(1)
    tokens = ind.make_batch(2, 1).tokens
    changed = tokens.copy()
    changed[0, 10:] = (changed[0, 10:] + 1) % ind.VOCAB_SIZE
    a, b = ind.forward(params, tokens).logits, ind.forward(params, changed).logits
    assert np.array_equal(a[:, :10], b[:, :10]) and not np.allclose(a[:, 10:], b[:, 10:])


def test_forward_rejects_bad_tokens_and_head_masks():
    params = ind.init_params(0)
    with pytest.raises(ValueError, match=r"0\.\.15"):
        ind.forward(params, [[3, 16]])
    with pytest.raises(ValueError, match="shape"):
        ind.forward(params, [1, 2, 3])
    with pytest.raises(ValueError, match="1 <= n <= 24"):
        ind.forward(params, np.zeros((1, 25), dtype=int))
    with pytest.raises(TypeError, match="integers"):
        ind.forward(params, [[1.5, 2.0]])
    with pytest.raises(ValueError, match="head_mask"):
        ind.forward(params, [[1, 2]], head_mask=np.ones((2, 3)))
    with pytest.raises(ValueError, match="outside the model"):
        ind.head_mask_without([(2, 0)])


def test_removing_a_head_from_every_reader_is_removing_the_head():
    params = ind.init_params(3, embed_scale=1.0)
    tokens = ind.make_batch(4, 6).tokens
    plain = ind.forward(params, tokens)
    for removed in ({}, {(0, 1): ()}):  # nothing removed: the same numbers, bit for bit
        same = ind.forward(params, tokens, removed_paths=removed)
        assert np.array_equal(same.logits, plain.logits)
    for head in ind.all_heads():
        by_gate = ind.forward(params, tokens, head_mask=ind.head_mask_without([head]))
        by_paths = ind.forward(params, tokens, removed_paths={head: ind.READERS})
        np.testing.assert_allclose(by_paths.logits, by_gate.logits, rtol=0, atol=1e-12)
        for a, b in zip(by_paths.weights, by_gate.weights, strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("readers", [("k",), ("q", "v"), ("logits",), ("q", "v", "logits")])
def test_removed_paths_hide_a_head_from_the_chosen_readers_only(readers):
    """Layer 2 and the logits by hand: each reader gets the stream with or without the head."""
    from attn_core import merge_heads, scaled_dot_product_attention, split_heads

    params = ind.init_params(5, embed_scale=1.0)
    tokens = ind.make_batch(6, 4).tokens
    head = (0, 1)
    out = ind.forward(params, tokens, removed_paths={head: readers})
    full = ind.forward(params, tokens)
    d_head = ind.D_MODEL // ind.NUM_HEADS
    rows = slice(head[1] * d_head, (head[1] + 1) * d_head)
    x = full.residuals[1]  # after layer 1, every head included
    without = x - full.merged[0][..., rows] @ params["layer1.w_o"][rows]
    seen = {reader: without if reader in readers else x for reader in ind.READERS}
    q, k, v = (
        split_heads(seen[r] @ params[f"layer2.w_{r}"], ind.NUM_HEADS) for r in ("q", "k", "v")
    )
    context, weights = scaled_dot_product_attention(q, k, v, causal_mask(ind.SEQ_LEN))
    logits = (seen["logits"] + merge_heads(context) @ params["layer2.w_o"]) @ params["unembed"]
    np.testing.assert_allclose(out.weights[0], full.weights[0], rtol=0, atol=0)  # layer 1
    np.testing.assert_allclose(out.weights[1], weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.logits, logits, rtol=0, atol=1e-12)
    assert not np.allclose(out.logits, full.logits)  # the removal changed something
    # Only the readers named: removing from the keys leaves the queries and values alone.
    for index, reader in enumerate("qkv"):
        same = np.allclose(out.qkv[1][index], full.qkv[1][index], rtol=0, atol=1e-12)
        assert same == (reader not in readers)
    a, b = ind.accuracy(params, ind.make_batch(6, 4), removed_paths={head: readers})
    correct = logits[:, :-1].argmax(axis=-1) == tokens[:, 1:]
    assert a == correct[ind.make_batch(6, 4).predictable[:, 1:]].mean()


def test_removed_paths_rejects_bad_heads_and_readers():
    params = ind.init_params(0)
    tokens = [[1, 2, 3]]
    with pytest.raises(ValueError, match="unknown reader.*'keys'"):
        ind.forward(params, tokens, removed_paths={(0, 0): ["keys"]})
    with pytest.raises(ValueError, match="outside the model"):
        ind.forward(params, tokens, removed_paths={(2, 0): ["k"]})
    with pytest.raises(TypeError, match="removed_paths must map"):
        ind.forward(params, tokens, removed_paths=[(0, 0)])
    # A single reader may be given as a str.
    one = ind.forward(params, tokens, removed_paths={(0, 0): "k"}).logits
    assert np.array_equal(one, ind.forward(params, tokens, removed_paths={(0, 0): ["k"]}).logits)


def test_heads_are_named_from_1():
    assert ind.head_name(0, 1) == "layer 1 head 2"
    assert ind.all_heads() == [(0, 0), (0, 1), (1, 0), (1, 1)]


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
    # Not anchored: both starts, the distance between them and the distance
    # from the end take many values.
    assert len(np.unique(batch.first)) > 10 and len(np.unique(batch.second)) > 10
    assert len(np.unique(batch.second - batch.first)) > 10
    assert len(np.unique(ind.SEQ_LEN - batch.second - batch.length)) > 10
    assert set(np.unique(batch.tokens).tolist()) == set(range(ind.VOCAB_SIZE))


def test_make_batch_is_seeded_and_checks_its_sizes():
    assert np.array_equal(ind.make_batch(7, 4).tokens, ind.make_batch(7, 4).tokens)
    with pytest.raises(ValueError, match="seq_len"):
        ind.make_batch(0, 2, seq_len=10)
    with pytest.raises(ValueError, match="batch_size"):
        ind.make_batch(0, 0)
    with pytest.raises(TypeError, match="batch_size"):
        ind.make_batch(0, 2.5)
    one = ind.make_batch(0, 3).row(2)
    assert one.tokens.shape == (1, ind.SEQ_LEN) and len(one) == 1


def test_unambiguous_matches_loops():
    batch = ind.make_batch(6, 200)
    expected = []
    for b in range(200):
        t = batch.tokens[b]
        queries = np.flatnonzero(batch.predictable[b]) - 1
        expected.append(all((t[:i] == t[i]).sum() == 1 for i in queries))
    assert np.array_equal(ind.unambiguous(batch), expected)
    assert 0.05 < np.mean(expected) < 0.5


# --------------------------------------------------------------------------- scores


def test_head_scores_match_loops():
    params = ind.init_params(4, embed_scale=1.0)
    batch = ind.make_batch(5, 40)
    scores = ind.head_scores(params, batch)
    weights = ind.forward(params, batch.tokens).weights
    n = ind.SEQ_LEN
    for layer in range(2):
        for head in range(2):
            w = weights[layer][:, head]
            prev = [w[b, i, i - 1] for b in range(40) for i in range(1, n)]
            prev_copy = [
                w[b, i, i - 1]
                for b in range(40)
                for i in range(batch.first[b] + 1, batch.first[b] + batch.length[b])
            ]
            any_match, in_copy = [], []
            for b in range(40):
                t = batch.tokens[b]
                for target in np.flatnonzero(batch.predictable[b]):
                    i = target - 1
                    keys = [j for j in range(1, i + 1) if t[j - 1] == t[i]]
                    any_match.append(w[b, i, keys].sum())
                    in_copy.append(w[b, i, batch.first[b] + (i - batch.second[b]) + 1])
            assert np.isclose(scores.previous[layer, head], np.mean(prev))
            assert np.isclose(scores.previous_in_copy[layer, head], np.mean(prev_copy))
            assert np.isclose(scores.induction[layer, head], np.mean(any_match))
            assert np.isclose(scores.induction_in_copy[layer, head], np.mean(in_copy))
            # The single-head forms give the same numbers.
            assert np.isclose(ind.previous_token_score(w), np.mean(prev))
            assert np.isclose(
                ind.induction_score(w, batch.tokens, batch.queries), np.mean(any_match)
            )


def test_scores_of_designed_patterns():
    n = 6
    previous = np.eye(n, k=-1)
    previous[0, 0] = 1.0
    assert ind.previous_token_score(previous) == 1.0
    assert ind.previous_token_score(np.eye(n)) == 0.0
    tokens = np.array([[3, 5, 1, 3, 5, 1]])
    # An ideal induction head: at the second 3 look at the first 5, and so on.
    ideal = np.zeros((1, n, n))
    ideal[0, np.arange(n), np.arange(n)] = 1.0
    ideal[0, 3, 1] = ideal[0, 4, 2] = 1.0
    ideal[0, 3, 3] = ideal[0, 4, 4] = 0.0
    queries = np.array([[False, False, False, True, True, False]])
    assert ind.induction_score(ideal, tokens, queries) == 1.0
    assert ind.induction_score(np.eye(n)[None], tokens, queries) == 0.0
    with pytest.raises(ValueError, match="n, n"):
        ind.previous_token_score(np.zeros((3, 4)))


def test_ablation_table_keys_and_gate():
    params = ind.init_params(0)
    batch = ind.make_batch(1, 50)
    table = ind.ablation_table(params, batch)
    assert len(table) == 1 + 4 + 6
    assert table[()] == ind.accuracy(params, batch)[0]
    # Removing every head leaves the embeddings alone: same as a model with W_o = 0.
    zeroed = {k: (np.zeros_like(v) if k.endswith("w_o") else v) for k, v in params.items()}
    assert ind.accuracy(params, batch, head_mask=np.zeros((2, 2))) == ind.accuracy(zeroed, batch)


# --------------------------------------------------------------------------- training


def test_training_is_seeded_uses_the_books_adam_and_lowers_the_loss():
    start = ind.init_params(0)
    copy = {k: v.copy() for k, v in start.items()}
    first = ind.train(start, steps=30, seed=1)
    second = ind.train(start, steps=30, seed=1)
    assert np.array_equal(first.losses, second.losses)
    assert all(np.array_equal(start[k], copy[k]) for k in start), "train changed its input"
    # Adam by hand (attn_book.training.Adam, beta2 = BETA2) on the same batches.
    from attn_book.training import Adam

    params = {k: v.copy() for k, v in start.items()}
    optimizer = Adam(ind.LEARNING_RATE, beta2=ind.BETA2)
    rng = np.random.default_rng(1)
    for _ in range(30):
        _, grads = ind.loss_and_grad(params, ind.make_batch(rng, ind.BATCH_SIZE))
        optimizer.step(params, grads)
    for name in params:
        np.testing.assert_allclose(first.params[name], params[name], rtol=0, atol=1e-12)
    batch = ind.make_batch(9, 64)
    assert ind.loss(first.params, batch) < ind.loss(start, batch)
