"""Tests of attn_book.tokens: tokenizer errors, stable embeddings, designed patterns."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from attn_book.tokens import (
    _IDENTITY_START,
    _UNKNOWN_FEATURE,
    D_MODEL,
    DESIGNED_HEADS,
    EXAMPLE_SENTENCES,
    FEATURE_NAMES,
    HEAD_LINKS,
    HEAD_TITLES,
    LEXICON,
    MAX_TOKENS,
    PAD,
    browser_tokenizer,
    dropped_characters,
    dropped_note,
    embed,
    pad_tokens,
    self_attention_projections,
    tokenize,
    word_hash,
    word_uniforms,
    word_vector,
)
from attn_core import multi_head_attention, scaled_dot_product_attention


def attention_weights(text: str, d_model: int = D_MODEL) -> tuple[list[str], np.ndarray]:
    tokens = tokenize(text)
    x = embed(tokens, d_model)
    w_q, w_k, w_v = self_attention_projections(d_model)
    _, weights = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v)
    return tokens, weights


# ---------------------------------------------------------------- constants


def test_d_model_divisible_by_head_counts():
    assert all(D_MODEL % h == 0 for h in (1, 2, 4, 8))
    assert len(FEATURE_NAMES) == D_MODEL


def test_example_sentences_cover_the_promised_cases():
    assert len(EXAMPLE_SENTENCES) >= 4
    categories = [[LEXICON.get(t) for t in tokenize(s)] for s in EXAMPLE_SENTENCES.values()]
    assert any("pronoun" in c for c in categories)
    assert any("adjective" in c for c in categories)
    assert any(len(set(tokenize(s))) < len(tokenize(s)) for s in EXAMPLE_SENTENCES.values())


# ---------------------------------------------------------------- tokenize


def test_tokenize_lowercases_and_drops_punctuation():
    assert tokenize("The Cat sat, on the MAT!") == ["the", "cat", "sat", "on", "the", "mat"]
    assert tokenize("it's  fine") == ["it's", "fine"]


def test_tokenize_html_is_just_text():
    tokens = tokenize("<b>hi</b> <script>alert(1)</script>")
    assert tokens == ["b", "hi", "b", "script", "alert", "1", "script"]
    assert not any(ch in "".join(tokens) for ch in "<>/")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_tokenize_empty_text(text):
    with pytest.raises(ValueError, match="empty"):
        tokenize(text)


def test_tokenize_punctuation_only_names_what_it_got():
    with pytest.raises(ValueError, match=r'no words, only punctuation or symbols: "\?" "!" "\."$'):
        tokenize("?!...")


def test_tokenize_too_many_words_says_count_and_limit():
    assert MAX_TOKENS == 64
    with pytest.raises(ValueError, match="text has 200 words; the limit is 64"):
        tokenize("word " * 200)
    assert len(tokenize("word " * MAX_TOKENS)) == MAX_TOKENS
    with pytest.raises(ValueError, match="text has 3 words; the limit is 2"):
        tokenize("a b c", max_tokens=2)


@pytest.mark.parametrize(
    "text, dropped",
    [
        ("the cat sat", []),
        ("it's  fine\n", []),
        ("<b>hi</b>", ["<", ">", "/"]),
        ("the cat \U0001f642 sat!", ["\U0001f642", "!"]),
        ("caf\u00e9 \u00fcber", []),  # letters of any script are words
        ("a_b", ["_"]),
    ],
)
def test_dropped_characters_are_exactly_what_tokenize_leaves_out(text, dropped):
    assert dropped_characters(text) == dropped
    kept = "".join(tokenize(text, max_tokens=100)) if text.strip() else ""
    # Every character of the text is in a word (lowercased), a space, or reported.
    for ch in text:
        assert ch.isspace() or ch.lower() in kept or ch in dropped, ch


def test_dropped_note_says_what_changed_in_one_line():
    note = dropped_note("<b>hi</b>")
    assert note == 'Not letters or digits, left out: "<" ">" "/" (the words are: b hi b)'
    assert "\n" not in dropped_note("x \U0001f642 " + "word " * 80)
    assert dropped_note("the cat") == ""
    assert dropped_note("\U0001f642") == 'Not letters or digits, left out: "\U0001f642"'
    with pytest.raises(TypeError, match="text must be a str"):
        dropped_note(None)


@pytest.mark.parametrize("bad", [None, 3, b"the cat", ["the", "cat"]])
def test_tokenize_rejects_non_str(bad):
    with pytest.raises(TypeError, match="text must be a str"):
        tokenize(bad)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_tokenize_rejects_bad_max_tokens(bad, error):
    with pytest.raises(error, match="max_tokens"):
        tokenize("a b", max_tokens=bad)


# ---------------------------------------------------------------- embed


def test_embed_shape_dtype_and_named_features():
    x = embed(["the", "cat", "it", "fluffy", "sat"])
    assert x.shape == (5, D_MODEL) and x.dtype == np.float64
    cat, it, fluffy = x[1], x[2], x[3]
    assert cat[FEATURE_NAMES.index("noun")] == 1.0 and cat[FEATURE_NAMES.index("animate")] == 1.0
    assert it[FEATURE_NAMES.index("pronoun")] == 1.0 and it[FEATURE_NAMES.index("animate")] == 0
    assert fluffy[FEATURE_NAMES.index("adjective")] == 1.0
    assert embed(["mat"])[0, FEATURE_NAMES.index("animate")] == 0.0


def test_embed_is_deterministic_and_repeats_are_equal():
    a = embed(["the", "cat", "the", "zyzzyva"])
    b = embed(["the", "cat", "the", "zyzzyva"])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[0], a[2])
    np.testing.assert_array_equal(embed(["Cat"]), embed(["cat"]))


def test_unknown_word_vector_is_stable_across_processes():
    # Python's hash() is salted per process; the crc32 seed must not be.
    code = "from attn_book.tokens import embed; print(embed(['zyzzyva']).tolist())"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1
    assert np.allclose(eval(runs.pop())[0], embed(["zyzzyva"])[0])


def test_unknown_words_differ_and_are_weak():
    x = embed(["zyzzyva", "quixotic"])
    assert not np.allclose(x[0], x[1])
    assert np.all((x[:, :6] >= 0) & (x[:, :6] < 0.3))
    assert np.allclose(np.linalg.norm(x[:, 6:], axis=1), 1.0)


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
        "import hashlib, sys; from attn_book.tokens import LEXICON, embed;"
        "words = sorted(LEXICON) + ['zyzzyva', 'qu\u00e9bec', '\u4e2d\u6587'];"
        "print(hashlib.sha256(b''.join(embed(words, d).tobytes() for d in (8, 13, 16))).hexdigest())"
    )
    digests = {
        kernel: subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "OPENBLAS_CORETYPE": kernel},
        ).stdout
        for kernel in kernels
    }
    assert len(set(digests.values())) == 1, digests


def test_word_hash_is_fnv1a_32():
    # The published FNV-1a test vectors (Fowler, Noll, Vo).
    assert word_hash("") == 0x811C9DC5
    assert word_hash("a") == 0xE40C292C
    assert word_hash("foobar") == 0xBF9CF968
    assert word_hash("\u00e9") == word_hash("\u00e9")  # UTF-8 bytes c3 a9
    with pytest.raises(TypeError, match="word must be a str"):
        word_hash(b"a")


def test_word_uniforms_are_multiples_of_2_to_the_minus_32_in_0_1():
    u = np.array(word_uniforms("zyzzyva", 10_000))
    assert np.all((u >= 0) & (u < 1))
    np.testing.assert_array_equal(u * 2**32, np.floor(u * 2**32))
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.005
    assert word_uniforms("zyzzyva", 3) == word_uniforms("zyzzyva", 5)[:3]
    assert word_uniforms("zyzzyva", 3) != word_uniforms("zyzzyvas", 3)
    assert word_uniforms("a", 0) == []
    with pytest.raises(ValueError, match="count"):
        word_uniforms("a", -1)


@pytest.mark.parametrize("d_model", [8, 13])
def test_unknown_word_follows_the_documented_rule(d_model):
    """embed's docstring states the rule the browser implements; recompute it with NumPy."""
    for word in ("zyzzyva", "Qu\u00e9bec", "\u4e2d\u6587", "x", "it's", "<pad>"):
        m = d_model - _IDENTITY_START
        u = np.array(word_uniforms(word.lower(), 12 * m + 6))
        direction = u[: 12 * m].reshape(m, 12).sum(axis=1) - 6
        expected = np.concatenate([0.3 * u[12 * m :], direction / np.linalg.norm(direction)])
        np.testing.assert_allclose(word_vector(word, d_model), expected, rtol=0, atol=1e-15)
    assert _UNKNOWN_FEATURE == 0.3


def test_unknown_word_directions_have_no_favourite_axis():
    words = [f"w{i}x" for i in range(4000)]
    ids = embed(words, 13)[:, _IDENTITY_START:]
    np.testing.assert_allclose(np.linalg.norm(ids, axis=1), 1.0, atol=1e-15)
    # Roughly isotropic: each axis carries 1/7 of the squared length on average.
    np.testing.assert_allclose((ids**2).mean(axis=0), 1 / 7, atol=0.01)
    np.testing.assert_allclose(ids.mean(axis=0), 0.0, atol=0.02)


def test_browser_tokenizer_sets_are_pythons_own():
    data = browser_tokenizer()
    assert data["max_tokens"] == MAX_TOKENS
    assert set(data["known"]) == set(LEXICON)
    for word, vector in data["known"].items():
        np.testing.assert_array_equal(vector, word_vector(word))
    assert data["spaces"] == [c for c in range(0x110000) if chr(c).isspace()]
    # Decode the runs the way tokens.js does and compare with Python's regex.
    word_char = re.compile(r"[^\W_]")
    decoded, last = set(), 0
    for part in data["word_ranges"].split(","):
        gap, _, length = part.partition("-")
        first = last + int(gap, 16)
        last = first + int(length or "0", 16)
        decoded.update(range(first, last + 1))
    for c in range(0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        assert (c in decoded) == bool(word_char.match(chr(c))), hex(c)
    assert len(browser_tokenizer(12)["known"]["cat"]) == 12


def test_embed_wider_d_model_keeps_features():
    x8, x16 = embed(["cat", "it"]), embed(["cat", "it"], 16)
    assert x16.shape == (2, 16)
    np.testing.assert_array_equal(x16[:, :6], x8[:, :6])


def test_embed_errors():
    with pytest.raises(TypeError, match="got a str"):
        embed("the cat")
    with pytest.raises(TypeError, match="every token must be a str"):
        embed(["the", 3])
    with pytest.raises(ValueError, match="tokens is empty"):
        embed([])
    with pytest.raises(ValueError, match="d_model must be at least 8 .*got 4"):
        embed(["cat"], 4)
    with pytest.raises(TypeError, match="d_model must be an int"):
        embed(["cat"], 8.0)
    with pytest.raises(TypeError, match="word must be a str"):
        word_vector(None)


# ---------------------------------------------------------------- projections


@pytest.mark.parametrize("d_model", [8, 16])
def test_projections_shapes(d_model):
    mats = self_attention_projections(d_model)
    assert len(mats) == 3
    for w in mats:
        assert w.shape == (d_model, d_model) and w.dtype == np.float64
    np.testing.assert_array_equal(mats[2], np.eye(d_model))


def test_projections_reject_small_d_model():
    with pytest.raises(ValueError, match="d_model"):
        self_attention_projections(6)


def test_pronoun_attends_to_its_animate_noun():
    tokens, weights = attention_weights(EXAMPLE_SENTENCES["pronoun"])
    row = weights[tokens.index("it")]
    assert tokens[int(row.argmax())] == "cat"
    assert row[tokens.index("cat")] > 0.8
    assert row[tokens.index("cat")] > 10 * row[tokens.index("mat")]


def test_plural_pronoun_attends_to_both_nouns():
    tokens, weights = attention_weights(EXAMPLE_SENTENCES["plural pronoun"])
    row = weights[tokens.index("they")]
    cat, dog = row[tokens.index("cat")], row[tokens.index("dog")]
    assert cat + dog > 0.85
    assert min(cat, dog) > 0.35


def test_adjectives_attend_to_their_noun():
    tokens, weights = attention_weights(EXAMPLE_SENTENCES["adjectives"])
    for adjective in ("fluffy", "grey"):
        row = weights[tokens.index(adjective)]
        assert tokens[int(row.argmax())] == "cat" and row.max() > 0.8


def test_pattern_survives_unknown_words_and_wider_d_model():
    tokens, weights = attention_weights("the zyzzyva cat sat on the mat because it was tired")
    assert tokens[int(weights[tokens.index("it")].argmax())] == "cat"
    tokens, weights = attention_weights(EXAMPLE_SENTENCES["pronoun"], d_model=16)
    assert tokens[int(weights[tokens.index("it")].argmax())] == "cat"


def test_head_titles_name_the_links_of_each_head():
    assert len(HEAD_LINKS) == len(HEAD_TITLES) == DESIGNED_HEADS
    assert D_MODEL % DESIGNED_HEADS == 0
    assert HEAD_TITLES == (
        "pronoun -> animate, adjective -> noun",
        "verb -> noun, noun -> adjective",
        "function word -> noun",
        "same word",
    )
    # Every link is a query/key channel of W_q, W_k inside its head's columns.
    w_q, w_k, _ = self_attention_projections()
    width = D_MODEL // DESIGNED_HEADS
    for head, links in enumerate(HEAD_LINKS):
        columns = slice(head * width, (head + 1) * width)
        for query, key in links:
            q_rows = w_q[FEATURE_NAMES.index(query), columns]
            k_rows = w_k[FEATURE_NAMES.index(key), columns]
            assert np.any((q_rows != 0) & (k_rows != 0)), (head, query, key)


@pytest.mark.parametrize("name", list(EXAMPLE_SENTENCES))
def test_each_designed_head_does_what_its_title_says(name):
    tokens = tokenize(EXAMPLE_SENTENCES[name])
    x = embed(tokens)
    w_q, w_k, w_v = self_attention_projections()
    _, weights = multi_head_attention(x, w_q, w_k, w_v, np.eye(D_MODEL), DESIGNED_HEADS)
    top = weights.argmax(axis=-1)
    for head, links in enumerate(HEAD_LINKS):
        for query, key in links:
            has_key = x[:, FEATURE_NAMES.index(key)] == 1
            for i in np.flatnonzero(x[:, FEATURE_NAMES.index(query)] == 1):
                if has_key.any():  # a query word looks most at a key word
                    assert has_key[top[head, i]], (name, head, tokens[i])
        if not links:  # the same-word head
            assert [tokens[j] for j in top[head]] == tokens


def test_rows_sum_to_one_for_every_example():
    for sentence in EXAMPLE_SENTENCES.values():
        _, weights = attention_weights(sentence)
        np.testing.assert_allclose(weights.sum(axis=-1), 1.0)


def test_pad_tokens():
    assert pad_tokens([["a"], ["b", "c"]]) == [["a", PAD], ["b", "c"]]
    assert pad_tokens([["a"]], n=3) == [["a", PAD, PAD]]
    with pytest.raises(TypeError, match="list of token lists"):
        pad_tokens("abc")
    with pytest.raises(ValueError, match="no empty one"):
        pad_tokens([["a"], []])
    with pytest.raises(ValueError, match="shorter than the longest"):
        pad_tokens([["a", "b"]], n=1)
