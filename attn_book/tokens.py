"""Tokens and toy embeddings whose attention patterns a reader can predict.

Real embeddings are learned and unreadable; the book's are small vectors
whose every number means something. Dimensions 0-5 are named features
(:data:`FEATURE_NAMES`: noun, animate, pronoun, adjective, verb, function
word); dimensions 6 and up are a word-specific unit direction, so repeats of
a word match. Every word, known or not, gets its direction from one integer
hash of its UTF-8 bytes (:func:`word_uniforms`), with float64 operations in a
fixed order: the same bits on every CPU, and in the page's JavaScript
(``attn_book/views/core.js``), which states the same rules.

:func:`self_attention_projections` designs ``W_q, W_k, W_v`` with the
embeddings so that a pronoun attends to the animate nouns, an adjective to
the nouns, a verb (more weakly) to the nouns, a noun to the adjectives, and
every token leans a little towards itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import regex

#: Width of the toy token vectors; divisible by 1, 2, 4 and 8 (the head counts offered).
D_MODEL: int = 8
#: The most tokens a sentence may have anywhere in the book.
MAX_TOKENS: int = 64
#: Meaning of each embedding dimension; 6 and up are the word's own direction.
FEATURE_NAMES: tuple[str, ...] = (
    *("noun", "animate", "pronoun", "adjective", "verb", "function"),
    *("id_1", "id_2"),
)

#: Short name -> sentence; each shows one predictable pattern.
EXAMPLE_SENTENCES: dict[str, str] = {
    "pronoun": "the cat sat on the mat because it was tired",
    "plural pronoun": "the cat and the dog ate because they were hungry",
    "adjectives": "the fluffy grey cat slept",
    "repeated word": "the dog chased the cat and the cat ran",
}

#: A word: letters, marks and digits, with apostrophes inside ("it's"). The page
#: states the same expression (views/core.js), so Python and the browser split alike.
WORD = r"[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*"
_WORD = regex.compile(WORD)

_NOUN, _ANIMATE, _PRONOUN, _ADJECTIVE, _VERB, _FUNCTION = range(6)
_NAMED = 6  # named features; the word's direction follows them
_CATEGORIES = {
    "animate noun": ((_NOUN, _ANIMATE), "cat dog bird fox man woman child boy girl teacher "
                     "student mouse horse person people cats dogs birds"),
    "noun": ((_NOUN,), "mat ball tree house park food book bone garden table chair car road "
             "river day sun fish apple door box"),
    "pronoun": ((_PRONOUN,), "it they he she him her them we you i"),
    "adjective": ((_ADJECTIVE,), "tired hungry big small fluffy grey gray red brown quick lazy "
                  "old young happy sad warm cold friendly little large tall long"),
    "verb": ((_VERB,), "sat sits saw sees chased chases ate eats slept sleeps ran runs jumped "
             "jumps was were is are likes liked found finds barked"),
    "function word": ((_FUNCTION,), "the a an on in at of to and or but because over under "
                      "with by from for that this"),
}  # fmt: skip
#: Word -> its category; any other word is "unknown" and still gets a vector.
LEXICON: dict[str, str] = {
    word: category for category, (_, words) in _CATEGORIES.items() for word in words.split()
}
_FEATURES_OF = {word: _CATEGORIES[category][0] for word, category in LEXICON.items()}

# Pattern strengths: a designed pair scores strength**2 before the 1/sqrt(d_k)
# scaling (3.5**2 / sqrt(8) ~ 4.3: the target gets most of the weight).
_STRONG, _MEDIUM, _IDENTITY = 3.5, 2.0, 0.5
# Query/key channel c links (query feature, key feature, strength); None: unused.
# Channels 6 and up compare the word directions (same word).
_CHANNEL_LINKS = (
    (_PRONOUN, _ANIMATE, _STRONG),
    (_ADJECTIVE, _NOUN, _STRONG),
    (_VERB, _NOUN, _MEDIUM),
    (_NOUN, _ADJECTIVE, _MEDIUM),
    (_FUNCTION, _NOUN, _MEDIUM),
    None,
)
#: The heads the designed channels are laid out for: D_MODEL cut into 4 heads of 2.
DESIGNED_HEADS: int = 4
#: What each designed head links, head 1 first: (query feature, key feature) pairs.
HEAD_LINKS: tuple[tuple[tuple[str, str], ...], ...] = tuple(
    tuple(
        (FEATURE_NAMES[q], FEATURE_NAMES[k]) for q, k, _ in filter(None, _CHANNEL_LINKS[h : h + 2])
    )
    for h in range(0, 2 * DESIGNED_HEADS, 2)
)
_READ = {"function": "function word"}
#: One title per designed head, head 1 first ("same word" for the head without links).
HEAD_TITLES: tuple[str, ...] = tuple(
    ", ".join(f"{_READ.get(q, q)} -> {_READ.get(k, k)}" for q, k in links) or "same word"
    for links in HEAD_LINKS
)

_WEAK = 0.3  # an unknown word's named features are uniform in [0, 0.3)
_PER = 12  # uniforms summed per direction coordinate: roughly normal, and exact


def tokenize(text: str, max_tokens: int = MAX_TOKENS) -> list[str]:
    """Split a reader's text into lowercase words (letters, marks and digits).

    Punctuation, markup and symbols such as emoji separate words and are
    never tokens, so ``"<b>hi</b>"`` gives ``["b", "hi", "b"]``.

    Raises
    ------
    ValueError
        If the text has no word, or more than ``max_tokens`` words.

    Examples
    --------
    >>> tokenize("The cat sat, on the mat!")
    ['the', 'cat', 'sat', 'on', 'the', 'mat']
    """
    tokens = [word.lower() for word in _WORD.findall(str(text))]
    if not tokens:
        raise ValueError("Type a sentence with at least one word.")
    if len(tokens) > max_tokens:
        raise ValueError(f"That is {len(tokens)} words; the limit is {max_tokens}.")
    return tokens


def dropped_note(text: str) -> str:
    """One line saying which characters :func:`tokenize` left out of ``text``, or ``""``."""
    dropped = dict.fromkeys(ch for ch in _WORD.sub(" ", text) if not ch.isspace())
    return ("Left out (not letters or digits): " + " ".join(dropped)) if dropped else ""


def word_uniforms(word: str, count: int) -> list[float]:
    """``count`` numbers in [0, 1) that belong to ``word``, the same in Python and JavaScript.

    FNV-1a (32 bits) of the word's UTF-8 bytes seeds a Weyl sequence (step
    ``0x9E3779B9``) whose states are mixed by MurmurHash3's finaliser
    (splitmix32); each 32-bit result ``z`` gives ``z / 2**32``. Only integer
    operations modulo 2**32: JavaScript's ``Math.imul`` and ``>>>`` give the same.
    """
    state = 0x811C9DC5
    for byte in word.encode("utf-8", errors="surrogatepass"):
        state = ((state ^ byte) * 0x01000193) & 0xFFFFFFFF
    out = []
    for _ in range(count):
        state = (state + 0x9E3779B9) & 0xFFFFFFFF
        z = ((state ^ (state >> 16)) * 0x85EBCA6B) & 0xFFFFFFFF
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & 0xFFFFFFFF
        out.append((z ^ (z >> 16)) / 4294967296.0)
    return out


def word_vector(word: str, d_model: int = D_MODEL) -> np.ndarray:
    """The toy embedding of one word (see :func:`embed`); the same bits on every machine."""
    width = d_model - _NAMED
    u = word_uniforms(word, _PER * width + _NAMED)
    on = _FEATURES_OF.get(word)
    if on is None:
        features = [_WEAK * u[_PER * width + f] for f in range(_NAMED)]
    else:
        features = [1.0 if f in on else 0.0 for f in range(_NAMED)]
    # Pure float64 arithmetic in a fixed order (no BLAS, no libm but sqrt): IEEE 754
    # rounds +, -, *, / and sqrt the same way everywhere.
    direction = []
    for i in range(width):
        total = 0.0
        for k in range(_PER):
            total += u[_PER * i + k]  # exact: multiples of 2**-32 below 2**5
        direction.append(total - _PER / 2)
    squares = 0.0
    for value in direction:
        squares += value * value
    norm = math.sqrt(squares)
    if norm == 0.0:
        return np.array(features + [1.0] + [0.0] * (width - 1))
    return np.array(features + [value / norm for value in direction])


def embed(tokens: Sequence[str], d_model: int = D_MODEL) -> np.ndarray:
    """Toy embeddings with readable features, designed for predictable attention.

    A known word (in :data:`LEXICON`) has 1.0 in the features of its category
    ("cat": noun and animate; "it": pronoun); any other word has weak
    features in [0, 0.3). Dimensions 6 and up hold the word's unit direction:
    with ``m = d_model - 6`` and ``u`` the word's first ``12 m + 6`` uniforms
    (:func:`word_uniforms`), coordinate ``i`` is ``u[12 i] + ... + u[12 i + 11] - 6``,
    divided by the length of the whole direction; an unknown word's feature
    ``f`` is ``0.3 u[12 m + f]``.

    Parameters
    ----------
    tokens : sequence of str
        Words, e.g. from :func:`tokenize`.
    d_model : int
        Vector width, at least 8; more widths lengthen the direction.

    Returns
    -------
    ndarray, shape (n, d_model)

    Examples
    --------
    >>> embed(["the", "cat"])[1, :2]  # "cat": noun and animate
    array([1., 1.])
    """
    return np.stack([word_vector(token, d_model) for token in tokens])


def text_rules(d_model: int = D_MODEL) -> dict:
    """What the page needs to embed words as :func:`embed` does (views/core.js ``wordVector``)."""
    return {
        "d_model": d_model,
        "features": _NAMED,
        "per": _PER,
        "weak": _WEAK,
        "lexicon": {word: list(on) for word, on in _FEATURES_OF.items()},
    }


def self_attention_projections(d_model: int = D_MODEL) -> tuple[np.ndarray, ...]:
    """``W_q, W_k, W_v`` designed with :func:`embed` (each ``(d_model, d_model)``).

    Query channel ``c`` and key channel ``c`` link one feature of the query
    word to one of the key word: pronoun -> animate and adjective -> noun at
    strength 3.5, verb -> noun, noun -> adjective and function word -> noun at
    2.0 (channel 5 is unused), and the word directions at 0.5 (a lean towards
    the same word). So "it" scores ``3.5 * 3.5 = 12.25`` against "cat" before
    the scaling. ``W_v`` is the identity: a context vector is an average of
    embeddings, readable in the same named features.

    Examples
    --------
    >>> from attn_core import scaled_dot_product_attention
    >>> tokens = tokenize("the cat sat on the mat because it was tired")
    >>> x = embed(tokens)
    >>> w_q, w_k, w_v = self_attention_projections()
    >>> _, weights = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v)
    >>> tokens[int(weights[tokens.index("it")].argmax())]
    'cat'
    """
    w_q, w_k = np.zeros((d_model, d_model)), np.zeros((d_model, d_model))
    for channel, link in enumerate(_CHANNEL_LINKS):
        if link is not None:
            query_feature, key_feature, strength = link
            w_q[query_feature, channel] = w_k[key_feature, channel] = strength
    own = np.arange(_NAMED, d_model)
    w_q[own, own] = w_k[own, own] = _IDENTITY
    return w_q, w_k, np.eye(d_model)


def narrow_projections(d_model: int = D_MODEL) -> tuple[np.ndarray, ...]:
    """Chapter 3's running example: :func:`self_attention_projections` with d_k, d_v < d_model.

    ``W_q`` and ``W_k`` drop the unused channel 5 (``d_k = d_model - 1``;
    every score is unchanged) and ``W_v`` keeps the six named features
    (``d_v = 6``), so at ``d_model = 8`` the three widths 8, 7, 6 differ.
    """
    w_q, w_k, w_v = self_attention_projections(d_model)
    used = np.flatnonzero(np.any(w_q != 0, axis=0) | np.any(w_k != 0, axis=0))
    return w_q[:, used], w_k[:, used], w_v[:, :_NAMED]


#: The token that fills short sentences up to the batch length.
PAD = "<pad>"


def pad_tokens(sentences: Sequence[Sequence[str]], n: int | None = None) -> list[list[str]]:
    """Fill each token list with :data:`PAD` up to ``n`` (default: the longest).

    Examples
    --------
    >>> pad_tokens([["a", "b"], ["c"]])
    [['a', 'b'], ['c', '<pad>']]
    """
    n = n or max(len(s) for s in sentences)
    return [list(s) + [PAD] * (n - len(s)) for s in sentences]
