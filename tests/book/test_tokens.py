"""attn_book.tokens: the tokenizer, word vectors the same on every machine, designed patterns."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from attn_book.tokens import (
    D_MODEL,
    DESIGNED_HEADS,
    EXAMPLE_SENTENCES,
    FEATURE_NAMES,
    HEAD_LINKS,
    LEXICON,
    PAD,
    dropped_note,
    embed,
    narrow_projections,
    pad_tokens,
    self_attention_projections,
    tokenize,
    word_uniforms,
    word_vector,
)
from attn_core import multi_head_attention, scaled_dot_product_attention


def weights_of(text: str, d_model: int = D_MODEL) -> tuple[list[str], np.ndarray]:
    tokens = tokenize(text)
    x = embed(tokens, d_model)
    w_q, w_k, w_v = self_attention_projections(d_model)
    return tokens, scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v)[1]


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("The Cat sat, on the MAT!", ["the", "cat", "sat", "on", "the", "mat"]),
        ("it's don’t", ["it's", "don’t"]),
        ("<b>hi</b> <script>", ["b", "hi", "b", "script"]),
        ("हिन्दी ภาษาไทย café", ["हिन्दी", "ภาษาไทย", "café"]),  # marks stay in their word
        ("cats 🐱 3 ٣", ["cats", "3", "٣"]),
    ],
)
def test_tokenize_keeps_words_and_drops_the_rest(text, tokens):
    assert tokenize(text) == tokens


@pytest.mark.parametrize("text", ["", "   ", "?!...", "🐱 🐶", "word " * 65])
def test_tokenize_refuses_text_without_words_or_too_long(text):
    with pytest.raises(ValueError):
        tokenize(text)


def test_dropped_note_lists_what_was_left_out_once():
    note = dropped_note("<b>hi</b>!!")
    assert all(ch in note for ch in "<>/!") and note.count("!") == 1
    assert dropped_note("the cat") == ""


# Vectors the chapters assert on, written to 6 decimals so a reader can see them.
KNOWN_VECTORS = {
    "cat": [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.556112, -0.831108],
    "it": [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.953554, -0.301224],
    "the": [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.076183, 0.997094],
    "zyzzyva": [0.032415, 0.178323, 0.272405, 0.059858, 0.167363, 0.236122, 0.375783, 0.926708],
}


@pytest.mark.parametrize("word", sorted(KNOWN_VECTORS))
def test_word_vectors_stay_as_the_chapters_were_written(word):
    np.testing.assert_allclose(word_vector(word), KNOWN_VECTORS[word], rtol=0, atol=5e-7)


def test_word_vectors_are_bit_identical_under_every_blas_kernel():
    """No BLAS or libm in a word's vector: each OpenBLAS kernel the CPU runs gives the same bits."""
    if platform.machine() != "x86_64":
        pytest.skip("the kernel names below are OpenBLAS's x86-64 kernels")
    kernels = ["Haswell", "Sandybridge"]
    if "avx512f" in Path("/proc/cpuinfo").read_text():
        kernels.append("SkylakeX")
    code = (
        "import hashlib; from attn_book.tokens import LEXICON, embed;"
        "words = sorted(LEXICON) + ['zyzzyva', 'qu\\u00e9bec', '\\u4e2d\\u6587'];"
        "vectors = b''.join(embed(words, d).tobytes() for d in (8, 13, 16));"
        "print(hashlib.sha256(vectors).hexdigest())"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    digests = {
        kernel: subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**env, "OPENBLAS_CORETYPE": kernel},
        ).stdout
        for kernel in kernels
    }
    assert len(set(digests.values())) == 1, digests


def test_word_uniforms_follow_fnv1a_and_are_uniform():
    u = np.array(word_uniforms("zyzzyva", 10_000))
    np.testing.assert_array_equal(u * 2**32, np.floor(u * 2**32))  # k / 2**32, exact
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.005
    assert word_uniforms("zyzzyva", 3) == word_uniforms("zyzzyva", 5)[:3]
    assert word_uniforms("zyzzyva", 3) != word_uniforms("zyzzyvas", 3)


def test_embed_features_and_directions():
    x = embed(["cat", "it", "the", "zyzzyva", "quixotic", "cat"], 13)
    assert x[0, :2].tolist() == [1, 1] and x[1, FEATURE_NAMES.index("pronoun")] == 1
    np.testing.assert_array_equal(x[0], x[5])  # repeats match
    assert np.all((x[3:5, :6] >= 0) & (x[3:5, :6] < 0.3))  # unknown words: weak features
    np.testing.assert_allclose(np.linalg.norm(x[:, 6:], axis=1), 1.0)
    ids = embed([f"w{i}x" for i in range(4000)], 13)[:, 6:]
    np.testing.assert_allclose((ids**2).mean(axis=0), 1 / 7, atol=0.01)  # no favourite axis


def test_designed_patterns():
    tokens, weights = weights_of(EXAMPLE_SENTENCES["pronoun"])
    row = weights[tokens.index("it")]
    assert tokens[row.argmax()] == "cat" and row[tokens.index("cat")] > 0.8
    tokens, weights = weights_of(EXAMPLE_SENTENCES["plural pronoun"])
    row = weights[tokens.index("they")]
    assert min(row[tokens.index("cat")], row[tokens.index("dog")]) > 0.35
    tokens, weights = weights_of(EXAMPLE_SENTENCES["adjectives"])
    assert all(tokens[weights[tokens.index(a)].argmax()] == "cat" for a in ("fluffy", "grey"))
    tokens, weights = weights_of("the zyzzyva cat sat on the mat because it was tired", 16)
    assert tokens[weights[tokens.index("it")].argmax()] == "cat"


@pytest.mark.parametrize("name", list(EXAMPLE_SENTENCES))
def test_each_designed_head_does_what_its_title_says(name):
    tokens = tokenize(EXAMPLE_SENTENCES[name])
    x = embed(tokens)
    _, weights = multi_head_attention(
        x, *self_attention_projections(), np.eye(D_MODEL), DESIGNED_HEADS
    )
    top = weights.argmax(axis=-1)
    for head, links in enumerate(HEAD_LINKS):
        for query, key in links:
            has_key = x[:, FEATURE_NAMES.index(key)] == 1
            for i in np.flatnonzero(x[:, FEATURE_NAMES.index(query)] == 1):
                assert not has_key.any() or has_key[top[head, i]], (head, tokens[i])
        if not links:  # the same-word head
            assert [tokens[j] for j in top[head]] == tokens


def test_narrow_projections_keep_every_score():
    x = embed(tokenize(EXAMPLE_SENTENCES["pronoun"]))
    (w_q, w_k, _), (n_q, n_k, n_v) = self_attention_projections(), narrow_projections()
    assert (n_q.shape, n_v.shape) == ((8, 7), (8, 6))
    np.testing.assert_allclose((x @ w_q) @ (x @ w_k).T, (x @ n_q) @ (x @ n_k).T)
    np.testing.assert_array_equal(x @ n_v, x[:, :6])


def test_pad_tokens():
    assert pad_tokens([["a"], ["b", "c"]]) == [["a", PAD], ["b", "c"]]
    assert pad_tokens([["a"]], n=3) == [["a", PAD, PAD]]
    assert "cat" in LEXICON and PAD not in LEXICON
