"""Tokens and toy embeddings whose attention patterns a reader can predict.

Real embeddings are learned and unreadable. The book needs the opposite:
small vectors whose every number means something, so that a reader can
*predict* where a token will look before running the code. This module gives

- :func:`tokenize`: text -> lowercase words, with reader-facing errors, and
  :func:`dropped_note`: what it left out, in one line for the reader;
- :func:`embed`: words -> ``(n, d_model)`` vectors with named features;
- :func:`self_attention_projections`: ``W_q, W_k, W_v`` designed together
  with :func:`embed` so that, in ``softmax(Q K^T / sqrt(d_k))``,

  * a pronoun ("it", "they") attends to the animate nouns ("cat", "dog");
  * an adjective ("fluffy", "tired") attends to the nouns;
  * a verb attends (more weakly) to the nouns, and a noun to the adjectives;
  * every token leans a little towards itself and its repeats.

The embedding dimensions (see :data:`FEATURE_NAMES`) are::

    0 noun   1 animate   2 pronoun   3 adjective   4 verb   5 function word
    6, 7, ... identity: a word-specific unit direction

Every word, in the toy vocabulary (:data:`LEXICON`) or not, takes its
identity direction (and, outside the vocabulary, its weak features) from
:func:`word_uniforms`, integers hashed from the word, with float64 operations
in a fixed order: the same bits on every CPU, and in the kernel-free explorer's
JavaScript (:func:`browser_tokenizer` gives the page what it needs to tokenize
and embed text as this module does).

The query/key channels are laid out so that, with ``d_model = 8`` split into
:data:`DESIGNED_HEADS` = 4 heads of width 2 (``attn_core.multihead`` layout),
each head carries one readable pattern (heads counted from 1, as the book
shows them; index ``h - 1`` in code). :data:`HEAD_LINKS` says what each head
links and :data:`HEAD_TITLES` names it: head 1 "pronoun -> animate,
adjective -> noun", head 2 "verb -> noun, noun -> adjective", head 3
"function word -> noun", head 4 "same word".
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from attn_core._validation import check_int

#: Width of the toy token vectors. Divisible by 1, 2, 4 and 8 (head counts).
D_MODEL: int = 8

#: The most tokens a sentence may have, everywhere in the book: tokenize's
#: default, the widgets, the kernel-free explorer and the designed heads'
#: position features (attention's cost grows with the square of it).
MAX_TOKENS: int = 64

#: Meaning of each embedding dimension; dimensions 6 and up form the identity block.
FEATURE_NAMES: tuple[str, ...] = (
    "noun",
    "animate",
    "pronoun",
    "adjective",
    "verb",
    "function",
    "id_1",
    "id_2",
)

#: Short name -> sentence. Each shows one predictable pattern (see the module doc).
EXAMPLE_SENTENCES: dict[str, str] = {
    "pronoun": "the cat sat on the mat because it was tired",
    "plural pronoun": "the cat and the dog ate because they were hungry",
    "adjectives": "the fluffy grey cat slept",
    "repeated word": "the dog chased the cat and the cat ran",
}

# Index of each named feature, so the code below reads like the table above.
_NOUN, _ANIMATE, _PRONOUN, _ADJECTIVE, _VERB, _FUNCTION = range(6)
_IDENTITY_START = 6

_ANIMATE_NOUNS = (
    "cat dog bird fox man woman child boy girl teacher student mouse horse "
    "person people cats dogs birds"
).split()
_OBJECT_NOUNS = (
    "mat ball tree house park food book bone garden table chair car road river "
    "day sun fish apple door box"
).split()
_PRONOUNS = "it they he she him her them we you i".split()
_ADJECTIVES = (
    "tired hungry big small fluffy grey gray red brown quick lazy old young happy "
    "sad warm cold friendly little large tall long"
).split()
_VERBS = (
    "sat sits saw sees chased chases ate eats slept sleeps ran runs jumped jumps "
    "was were is are likes liked found finds barked"
).split()
_FUNCTION_WORDS = (
    "the a an on in at of to and or but because over under with by from for that this"
).split()

#: Word -> its category ("animate noun", "noun", "pronoun", "adjective", "verb",
#: "function word"). Words not listed are "unknown" and still get a vector.
LEXICON: dict[str, str] = {
    **{w: "function word" for w in _FUNCTION_WORDS},
    **{w: "verb" for w in _VERBS},
    **{w: "adjective" for w in _ADJECTIVES},
    **{w: "pronoun" for w in _PRONOUNS},
    **{w: "noun" for w in _OBJECT_NOUNS},
    **{w: "animate noun" for w in _ANIMATE_NOUNS},
}

_CATEGORY_FEATURES: dict[str, tuple[int, ...]] = {
    "animate noun": (_NOUN, _ANIMATE),
    "noun": (_NOUN,),
    "pronoun": (_PRONOUN,),
    "adjective": (_ADJECTIVE,),
    "verb": (_VERB,),
    "function word": (_FUNCTION,),
}

# Pattern strengths. The score of a designed pair is strength**2 before the
# 1/sqrt(d_k) scaling: 3.5**2 / sqrt(8) ~ 4.3, so the target gets most of the
# weight in a 10-word sentence (e**4.3 ~ 74 against ~1 per other word).
_STRONG = 3.5
_MEDIUM = 2.0
_IDENTITY = 0.5  # self/repeat bonus 0.25/sqrt(8) ~ 0.09: a lean, not a rule

# The designed query/key channels, channel c at index c: (query feature, key
# feature, strength), or None for a channel that links nothing. The identity
# block follows them (channels 6 and up). The one table behind
# self_attention_projections, HEAD_LINKS and HEAD_TITLES.
_CHANNEL_LINKS: tuple[tuple[int, int, float] | None, ...] = (
    (_PRONOUN, _ANIMATE, _STRONG),
    (_ADJECTIVE, _NOUN, _STRONG),
    (_VERB, _NOUN, _MEDIUM),
    (_NOUN, _ADJECTIVE, _MEDIUM),
    (_FUNCTION, _NOUN, _MEDIUM),
    None,
)
assert len(_CHANNEL_LINKS) == _IDENTITY_START

#: How many heads the designed channels are laid out for: ``D_MODEL = 8`` cut
#: into 4 heads of width 2, the model of chapters 4 and 5.
DESIGNED_HEADS: int = 4
_DESIGNED_HEAD_WIDTH = D_MODEL // DESIGNED_HEADS

#: What each of the :data:`DESIGNED_HEADS` heads links, head 1 first: pairs
#: ``(query feature, key feature)`` of :data:`FEATURE_NAMES`. A query word with
#: the first feature looks for key words with the second. The last head links
#: no feature: it compares the word-specific identity block (same word).
HEAD_LINKS: tuple[tuple[tuple[str, str], ...], ...] = tuple(
    tuple(
        (FEATURE_NAMES[link[0]], FEATURE_NAMES[link[1]])
        for link in _CHANNEL_LINKS[h * _DESIGNED_HEAD_WIDTH : (h + 1) * _DESIGNED_HEAD_WIDTH]
        if link is not None
    )
    for h in range(DESIGNED_HEADS)
)

_TITLE_WORDS = {"function": "function word"}

#: One title per head for figures and menus, head 1 first, made from
#: :data:`HEAD_LINKS`: ``"pronoun -> animate, adjective -> noun"``, ...,
#: ``"same word"`` for the head without feature links.
HEAD_TITLES: tuple[str, ...] = tuple(
    ", ".join(
        f"{_TITLE_WORDS.get(query, query)} -> {_TITLE_WORDS.get(key, key)}" for query, key in links
    )
    or "same word"
    for links in HEAD_LINKS
)
_IDENTITY_RADIUS = 1.0
# An unknown word's named features are weak: uniform in [0, _UNKNOWN_FEATURE).
_UNKNOWN_FEATURE = 0.3
# An unknown word's identity coordinates are sums of this many uniforms, less
# half of it: roughly normal (Irwin-Hall), so the direction has no favourite
# axis, and exact in float64 (each uniform is k / 2**32).
_UNIFORMS_PER_COORDINATE = 12

# A word character: a Unicode letter or digit (Python's \w without "_").
_WORD_CHAR = r"[^\W_]"
_WORD_RE = re.compile(rf"{_WORD_CHAR}+(?:'{_WORD_CHAR}+)*")


def tokenize(text: str, max_tokens: int = MAX_TOKENS) -> list[str]:
    """Split text into lowercase words (letters and digits; "it's" stays one word).

    Punctuation, markup characters and symbols such as emoji are separators,
    never tokens, so ``"<b>hi</b>"`` gives ``["b", "hi", "b"]``: plain words,
    no HTML. :func:`dropped_characters` lists what was left out, and
    :func:`dropped_note` says it in one line for a reader.

    Parameters
    ----------
    text : str
        The sentence to split.
    max_tokens : int, default MAX_TOKENS (64)
        The most words accepted (attention cost grows as the square of it).

    Returns
    -------
    list of str
        The words, lowercased, in order.

    Raises
    ------
    TypeError
        If ``text`` is not a str or ``max_tokens`` is not an int.
    ValueError
        If the text is empty, has no words (only punctuation or spaces), or
        has more than ``max_tokens`` words; the message says what it got.

    Examples
    --------
    >>> tokenize("The cat sat, on the mat!")
    ['the', 'cat', 'sat', 'on', 'the', 'mat']
    >>> tokenize("?!")
    Traceback (most recent call last):
    ...
    ValueError: text has no words, only punctuation or symbols: "?" "!"
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    check_int(max_tokens, "max_tokens", minimum=1)
    if not text.strip():
        raise ValueError("text is empty; type a sentence such as 'the cat sat'")
    tokens = [word.lower() for word in _WORD_RE.findall(text)]
    if not tokens:
        raise ValueError(
            "text has no words, only punctuation or symbols: " + _quoted(dropped_characters(text))
        )
    if len(tokens) > max_tokens:
        raise ValueError(f"text has {len(tokens)} words; the limit is {max_tokens}")
    return tokens


def dropped_characters(text: str) -> list[str]:
    """The characters :func:`tokenize` leaves out of ``text``, each once, in order.

    Spaces are not listed (they only separate words); everything else that is
    not part of a word is: punctuation, markup such as ``<`` and ``/``,
    symbols and emoji.

    Parameters
    ----------
    text : str
        The text as typed.

    Returns
    -------
    list of str
        One entry per distinct character left out, in order of appearance.

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> dropped_characters("<b>hi</b>, you")
    ['<', '>', '/', ',']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    left_out = _WORD_RE.sub(" ", text)
    return list(dict.fromkeys(ch for ch in left_out if not ch.isspace()))


def dropped_note(text: str) -> str:
    """One line for a reader saying what :func:`tokenize` left out, or ``""``.

    Parameters
    ----------
    text : str
        The text as typed.

    Returns
    -------
    str
        Empty when nothing but spaces was left out.

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> print(dropped_note("<b>hi</b>"))
    Not letters or digits, left out: "<" ">" "/" (the words are: b hi b)
    >>> dropped_note("the cat")
    ''
    """
    dropped = dropped_characters(text)
    if not dropped:
        return ""
    note = "Not letters or digits, left out: " + _quoted(dropped)
    try:
        words = tokenize(text, max_tokens=len(text))
    except ValueError:  # no words at all: tokenize's own message says so
        return note
    shown = " ".join(words)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{note} (the words are: {shown})"


def _quoted(characters: Sequence[str]) -> str:
    return " ".join(f'"{ch}"' for ch in characters)


_MASK32 = 0xFFFFFFFF


def word_hash(word: str) -> int:
    """FNV-1a (32 bits) of the word's UTF-8 bytes: the seed of :func:`word_uniforms`.

    Parameters
    ----------
    word : str

    Returns
    -------
    int
        From 0 to ``2**32 - 1``; the same on every machine and in the browser.

    Raises
    ------
    TypeError
        If ``word`` is not a str.

    Examples
    --------
    >>> word_hash(""), word_hash("a")
    (2166136261, 3826002220)
    """
    if not isinstance(word, str):
        raise TypeError(f"word must be a str, got {type(word).__name__}")
    h = 0x811C9DC5
    for byte in word.encode("utf-8", errors="surrogatepass"):
        h = ((h ^ byte) * 0x01000193) & _MASK32
    return h


def word_uniforms(word: str, count: int) -> list[float]:
    """``count`` numbers in [0, 1) that belong to ``word``, the same in Python and in JavaScript.

    The generator is a 32-bit Weyl sequence (step ``0x9E3779B9``) seeded by
    :func:`word_hash`, each state mixed by MurmurHash3's 32-bit finaliser
    (the "splitmix32" construction); the 32-bit result ``z`` gives
    ``z / 2**32``, which float64 holds exactly. Only integer operations modulo
    ``2**32`` happen, so the page's JavaScript (``Math.imul``, ``>>>``) gives
    the same bits.

    Parameters
    ----------
    word : str
    count : int
        How many numbers, at least 0.

    Returns
    -------
    list of float

    Raises
    ------
    TypeError, ValueError
        For a non-str word or a bad ``count``.

    Examples
    --------
    >>> [round(u, 6) for u in word_uniforms("zyzzyva", 3)]
    [0.286268, 0.510808, 0.989758]
    """
    state = word_hash(word)
    count = check_int(count, "count", minimum=0)
    out = []
    for _ in range(count):
        state = (state + 0x9E3779B9) & _MASK32
        z = state
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & _MASK32
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & _MASK32
        z ^= z >> 16
        out.append(z / 4294967296.0)
    return out


def _hash_direction(u: list[float], width: int) -> list[float]:
    """A unit direction of ``width`` coordinates from a word's uniforms, in pure float64
    arithmetic that IEEE 754 rounds the same way everywhere (+, -, *, /, sqrt), in a
    fixed order: no BLAS or libm, so every CPU and the browser give the same bits."""
    per = _UNIFORMS_PER_COORDINATE
    direction = []
    for i in range(width):
        total = 0.0
        for k in range(per):
            total += u[per * i + k]  # exact: sums of multiples of 2**-32 below 2**5
        direction.append(total - per / 2)
    squares = 0.0
    for value in direction:
        squares += value * value
    norm = math.sqrt(squares)
    if norm == 0.0:  # every coordinate exactly 0: practically never, but defined
        direction, norm = [1.0] + [0.0] * (width - 1), 1.0
    return [_IDENTITY_RADIUS * value / norm for value in direction]


def _word_vector_values(word: str, d_model: int) -> list[float]:
    """The vector of any word, known or not, from :func:`word_uniforms`: the named features
    (1.0 for a known word's category, weak uniforms for any other word), then the direction
    of :func:`_hash_direction`. attn_book/explorer/tokens.js computes the same bits."""
    width = d_model - _IDENTITY_START
    u = word_uniforms(word, _UNIFORMS_PER_COORDINATE * width + _IDENTITY_START)
    category = LEXICON.get(word)
    if category is None:
        start = _UNIFORMS_PER_COORDINATE * width
        features = [_UNKNOWN_FEATURE * u[start + f] for f in range(_IDENTITY_START)]
    else:
        on = _CATEGORY_FEATURES[category]
        features = [1.0 if f in on else 0.0 for f in range(_IDENTITY_START)]
    return features + _hash_direction(u, width)


def _check_d_model(d_model: int) -> int:
    if check_int(d_model, "d_model") < len(FEATURE_NAMES):
        raise ValueError(
            f"d_model must be at least {len(FEATURE_NAMES)} (6 named features and "
            f"2 identity dimensions), got {d_model}"
        )
    return int(d_model)


def word_vector(word: str, d_model: int = D_MODEL) -> np.ndarray:
    """The toy embedding of one word (see :func:`embed`).

    Parameters
    ----------
    word : str
        A token; looked up in lowercase.
    d_model : int, default D_MODEL
        Vector width, at least 8.

    Returns
    -------
    ndarray, shape (d_model,), float64

    Raises
    ------
    TypeError, ValueError
        For a non-str word or a bad ``d_model``.
    """
    if not isinstance(word, str):
        raise TypeError(f"word must be a str, got {type(word).__name__}")
    d_model = _check_d_model(d_model)
    return np.array(_word_vector_values(word.lower(), d_model))


def embed(tokens: Sequence[str], d_model: int = D_MODEL) -> np.ndarray:
    """Toy embeddings with readable features, designed for predictable attention.

    Each known word (in :data:`LEXICON`) has 1.0 in the dimensions of its
    category (an animate noun such as "cat" has ``noun = animate = 1``; "it"
    has ``pronoun = 1``); any other word gets weak features in ``[0, 0.3)``.
    In dimensions 6 and up every word has a unit direction from
    :func:`word_uniforms` (numbers that belong to the word): with
    ``m = d_model - 6`` and ``u`` its first ``12 m + 6`` numbers, coordinate
    ``i`` of the direction is ``u[12 i] + ... + u[12 i + 11] - 6`` (roughly
    normal), divided by the length of the whole direction, and an unknown
    word's feature ``f`` is ``0.3 * u[12 m + f]``. The kernel-free explorer computes the same
    numbers in the browser, so a sentence the reader types there gets these
    vectors. The same word always gets the same vector, on every machine.

    Parameters
    ----------
    tokens : sequence of str
        Words, e.g. from :func:`tokenize`.
    d_model : int, default D_MODEL
        Vector width, at least 8. Dimensions beyond 8 extend the identity block.

    Returns
    -------
    ndarray, shape (n, d_model), float64
        One row per token; equal tokens give equal rows.

    Raises
    ------
    TypeError
        If ``tokens`` is a str (pass ``tokenize(text)``) or holds a non-str,
        or ``d_model`` is not an int.
    ValueError
        If ``tokens`` is empty or ``d_model < 8``.

    Examples
    --------
    >>> x = embed(["the", "cat"])
    >>> x.shape
    (2, 8)
    >>> x[1, :2]  # "cat": noun and animate
    array([1., 1.])
    """
    if isinstance(tokens, str):
        raise TypeError("tokens must be a list of words such as tokenize(text), got a str")
    tokens = list(tokens)
    if not tokens:
        raise ValueError("tokens is empty; give at least one word")
    for token in tokens:
        if not isinstance(token, str):
            raise TypeError(f"every token must be a str, got {type(token).__name__}")
    d_model = _check_d_model(d_model)
    return np.stack([word_vector(token, d_model) for token in tokens])


def self_attention_projections(
    d_model: int = D_MODEL,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weight matrices ``W_q, W_k, W_v`` designed with :func:`embed`.

    A score is ``q_i . k_j = sum_c (x_i W_q)[c] (x_j W_k)[c]``: channel ``c``
    of the queries pairs with channel ``c`` of the keys. Each channel links
    one feature of the query word to one feature of the key word:

    ====  ======================  ====================  ========
    chan  query reads             key reads             strength
    ====  ======================  ====================  ========
    0     pronoun                 animate               3.5
    1     adjective               noun                  3.5
    2     verb                    noun                  2.0
    3     noun                    adjective             2.0
    4     function word           noun                  2.0
    5     (unused)                (unused)              0
    6+    identity block          identity block        0.5
    ====  ======================  ====================  ========

    So "it" scores ``3.5 * 3.5 = 12.25`` against "cat" (before dividing by
    ``sqrt(d_k)``) and about 0 against "mat". ``W_v`` is the identity, so a
    context vector is a weighted average of the embeddings and stays
    readable in the same named features ("it" takes on "cat"'s
    ``animate = 1``).

    Parameters
    ----------
    d_model : int, default D_MODEL
        Width of the embeddings, at least 8; ``d_k = d_v = d_model``.

    Returns
    -------
    w_q, w_k, w_v : ndarray, shape (d_model, d_model), float64 each

    Raises
    ------
    TypeError, ValueError
        For a ``d_model`` that is not an int of at least 8.

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
    d_model = _check_d_model(d_model)
    w_q = np.zeros((d_model, d_model))
    w_k = np.zeros((d_model, d_model))
    for channel, link in enumerate(_CHANNEL_LINKS):
        if link is None:
            continue
        query_feature, key_feature, strength = link
        w_q[query_feature, channel] = strength
        w_k[key_feature, channel] = strength
    identity = np.arange(_IDENTITY_START, d_model)
    w_q[identity, identity] = _IDENTITY
    w_k[identity, identity] = _IDENTITY
    return w_q, w_k, np.eye(d_model)


def narrow_projections(
    d_model: int = D_MODEL,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chapter 3's running example: :func:`self_attention_projections` with d_k, d_v < d_model.

    The same designed patterns, without the columns that carry nothing:

    - ``W_q`` and ``W_k`` drop the query/key channels that no link uses
      (channel 5 of the table in :func:`self_attention_projections`), so
      ``d_k = d_model - 1``. Every score ``q_i . k_j`` is unchanged; only the
      scale ``1 / sqrt(d_k)`` grows a little.
    - ``W_v`` keeps the six named features (noun ... function word) and
      drops the word-specific identity block, so ``d_v = 6`` and each
      column of a context vector still has a name (:data:`FEATURE_NAMES`).

    With the default ``d_model = 8`` the three widths differ (8, 7, 6), so
    a reader can tell from a shape which one it is.

    Parameters
    ----------
    d_model : int, default D_MODEL
        Width of the embeddings, at least 8.

    Returns
    -------
    w_q, w_k : ndarray, shape (d_model, d_model - 1), float64
    w_v : ndarray, shape (d_model, 6), float64

    Raises
    ------
    TypeError, ValueError
        For a ``d_model`` that is not an int of at least 8.

    Examples
    --------
    >>> w_q, w_k, w_v = narrow_projections()
    >>> w_q.shape, w_k.shape, w_v.shape
    ((8, 7), (8, 7), (8, 6))
    """
    w_q, w_k, w_v = self_attention_projections(d_model)
    used = np.flatnonzero(np.any(w_q != 0, axis=0) | np.any(w_k != 0, axis=0))
    return w_q[:, used], w_k[:, used], w_v[:, :_IDENTITY_START]


@cache
def _word_ranges() -> str:
    # The runs of word characters among all code points, found with the regex
    # tokenize uses (so Python's Unicode version decides, in the page too).
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    parts, previous = [], 0
    for match in re.finditer(f"{_WORD_CHAR}+", everything):
        first, last = (ord(everything[i]) for i in (match.start(), match.end() - 1))
        gap = format(first - previous, "x")
        parts.append(gap if first == last else f"{gap}-{last - first:x}")
        previous = last
    return ",".join(parts)


@cache
def _space_code_points() -> tuple[int, ...]:
    return tuple(c for c in range(0x110000) if chr(c).isspace())


def browser_tokenizer(d_model: int = D_MODEL) -> dict[str, Any]:
    """What the kernel-free explorer needs to tokenize and embed text as this module does.

    JavaScript's ``\\p{L}`` follows the browser's Unicode version and its
    ``\\s`` is not Python's ``str.isspace``, so the page receives Python's own
    sets; the vectors of known words go as a table, and the page computes
    unknown words with the rule of :func:`embed` (see
    ``attn_book/explorer/tokens.js``, tested against this module in the browser).

    Parameters
    ----------
    d_model : int, default D_MODEL
        Width of the vectors, at least 8.

    Returns
    -------
    dict
        ``"word_ranges"``: the word characters (:func:`tokenize`: letters and
        digits) as comma-separated runs ``"gap-length"`` in hexadecimal, each
        gap counted from the last code point of the run before; ``"spaces"``:
        the code points for which ``str.isspace`` is true; ``"max_tokens"``;
        ``"known"``: every word of :data:`LEXICON` and its vector;
        ``"identity_start"``, ``"unknown_feature"``, ``"identity_radius"``,
        ``"uniforms_per_coordinate"``: the constants of the rule for other words.

    Raises
    ------
    TypeError, ValueError
        For a bad ``d_model``.
    """
    d_model = _check_d_model(d_model)
    return {
        "word_ranges": _word_ranges(),
        "spaces": list(_space_code_points()),
        "max_tokens": MAX_TOKENS,
        "known": {word: word_vector(word, d_model).tolist() for word in LEXICON},
        "identity_start": _IDENTITY_START,
        "unknown_feature": _UNKNOWN_FEATURE,
        "identity_radius": _IDENTITY_RADIUS,
        "uniforms_per_coordinate": _UNIFORMS_PER_COORDINATE,
    }


#: The token used to fill short sentences up to the batch length.
PAD = "<pad>"


def pad_tokens(sentences: Sequence[Sequence[str]], n: int | None = None) -> list[list[str]]:
    """Fill each token list with :data:`PAD` up to a common length.

    Parameters
    ----------
    sentences : sequence of sequences of str
        Tokenized sentences, each non-empty.
    n : int, optional
        Target length; defaults to the longest sentence.

    Returns
    -------
    list of list of str
        Every list has length ``n``.

    Raises
    ------
    TypeError, ValueError
        If a sentence is a plain str or empty, or ``n`` is too short.

    Examples
    --------
    >>> pad_tokens([["a", "b"], ["c"]])
    [['a', 'b'], ['c', '<pad>']]
    """
    if isinstance(sentences, str) or any(isinstance(s, str) for s in sentences):
        raise TypeError("sentences must be a list of token lists, e.g. [tokenize(text), ...]")
    sentences = [list(s) for s in sentences]
    if not sentences or not all(sentences):
        raise ValueError("sentences must hold at least one sentence, and no empty one")
    longest = max(len(s) for s in sentences)
    n = longest if n is None else n
    if n < longest:
        raise ValueError(f"n={n} is shorter than the longest sentence ({longest} tokens)")
    return [s + [PAD] * (n - len(s)) for s in sentences]
