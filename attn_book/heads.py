"""Attention heads built by hand, so a reader can predict their patterns.

:func:`chapter_projections` is the multi-head model of chapters 4 and 5 (and
of the kernel-free explorer): chapter 3's designed ``W_q, W_k, W_v`` cut into
heads, plus one seeded random ``W_o``.

:func:`head_shares` splits a multi-head layer's output into one share per
head, before and after ``W_o``: what chapter 4 and its widget show to say
where ``W_o`` acts and that it mixes the heads.

:func:`designed_heads` returns the inputs and weights of a two-head model
for :func:`attn_core.multi_head_attention`:

- head 1 (index 0), "previous token": each token attends to the token just before it
  (the first token, having none, attends to itself);
- head 2 (index 1), "same word": each token attends to every occurrence of its own
  word, itself included.

A previous-token head must know *where* each token is, which the toy
embeddings of :mod:`attn_book.tokens` do not say. So each token vector gets
three position features ``(1, t, t^2)`` with ``t = position / MAX_POSITIONS``.
They make the score a negative squared distance, which peaks exactly one
position back:

    q_i . k_j = -c (t_i - 1/MAX_POSITIONS - t_j)^2

Layout of each row of ``x`` (``d_model = 16``)::

    0-5    named features of the word (noun, animate, ... as in attn_book.tokens)
    6-12   identity block: a unit direction per word (embed(tokens, 13))
    13-15  position features 1, t, t^2

The identity block is 7 wide, not the 2 of the chapter-3 embeddings: in 2
dimensions two different words can point almost the same way and a
"same word" head could not tell them apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from attn_book.tokens import D_MODEL as TOY_D_MODEL
from attn_book.tokens import MAX_TOKENS, embed, self_attention_projections
from attn_core import multi_head_attention
from attn_core._validation import as_float_array, check_int

#: Longest sentence the position features are scaled for: the book's token limit.
MAX_POSITIONS: int = MAX_TOKENS
#: Seed of the output projection W_o of :func:`chapter_projections`.
W_O_SEED: int = 4
#: Width of the designed model: 13 embedding features + 3 position features.
D_MODEL: int = 16
NUM_HEADS: int = 2
D_HEAD: int = D_MODEL // NUM_HEADS
#: Names of the heads, in head order.
ROLES: tuple[str, ...] = ("previous token", "same word")

_EMBED_WIDTH = 13
_NAMED = slice(0, 6)
_IDENTITY = slice(6, 13)
_ONE, _T, _T2 = 13, 14, 15


@dataclass(frozen=True)
class DesignedModel:
    """Inputs and weights of a hand-built multi-head attention layer.

    Attributes
    ----------
    x : ndarray, shape (n, d_model)
        Token vectors with position features.
    w_q, w_k, w_v, w_o : ndarray, shape (d_model, d_model)
        Projections for :func:`attn_core.multi_head_attention`.
    num_heads : int
        Number of heads.
    roles : tuple of str
        What each head does, in head order.
    """

    x: np.ndarray
    w_q: np.ndarray
    w_k: np.ndarray
    w_v: np.ndarray
    w_o: np.ndarray
    num_heads: int
    roles: tuple[str, ...]

    @property
    def weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(w_q, w_k, w_v, w_o)``, ready to unpack into multi_head_attention."""
        return self.w_q, self.w_k, self.w_v, self.w_o


def position_features(n: int) -> np.ndarray:
    """The ``(n, 3)`` position features ``(1, t, t^2)``, ``t = i / MAX_POSITIONS``.

    Parameters
    ----------
    n : int
        Number of positions, 1 to MAX_POSITIONS.

    Returns
    -------
    ndarray, shape (n, 3), float64

    Raises
    ------
    TypeError
        If ``n`` is not an int.
    ValueError
        If ``n`` is outside 1..MAX_POSITIONS.

    Examples
    --------
    >>> position_features(3) * [1, 64, 64**2]  # (1, i, i^2) in units of positions
    array([[1., 0., 0.],
           [1., 1., 1.],
           [1., 2., 4.]])
    """
    check_int(n, "n", minimum=1, maximum=MAX_POSITIONS)
    t = np.arange(n) / MAX_POSITIONS
    return np.stack([np.ones(n), t, t**2], axis=1)


def designed_heads(
    tokens: Sequence[str], *, sharpness: float = 6.0, same_word_strength: float = 40.0
) -> DesignedModel:
    """A two-head model whose heads are "previous token" and "same word".

    Parameters
    ----------
    tokens : sequence of str
        The sentence, e.g. from :func:`attn_book.tokens.tokenize`; at most
        MAX_POSITIONS tokens.
    sharpness : float, default 6.0
        Score penalty per squared step of distance in the previous-token head
        (after the ``1/sqrt(d_head)`` scaling): a key one step off the target
        scores ``sharpness`` lower.
    same_word_strength : float, default 40.0
        Scaled score of a key with the same word in the same-word head; a
        different word scores ``same_word_strength * cos(angle)`` between the
        two words' identity directions.

    Returns
    -------
    DesignedModel
        ``x`` of shape (n, 16) and ``w_q, w_k, w_v, w_o`` of shape (16, 16);
        ``num_heads = 2``. ``W_v`` copies the six named features of the
        attended word into each head's first six value channels, and ``W_o``
        is the identity, so output columns 0-5 hold the previous word's
        features and columns 8-13 the word's own.

    Raises
    ------
    TypeError, ValueError
        For bad tokens (as :func:`attn_book.tokens.embed`), more than
        MAX_POSITIONS tokens, or a strength that is not a positive number.

    Examples
    --------
    >>> from attn_core import multi_head_attention
    >>> model = designed_heads(["the", "cat", "saw", "the", "dog"])
    >>> _, weights = multi_head_attention(model.x, *model.weights, model.num_heads)
    >>> weights[0].argmax(axis=-1).tolist()  # previous token (token 0: itself)
    [0, 0, 1, 2, 3]
    >>> weights[1, 3].round(2).tolist()  # the second "the" looks at both "the"s
    [0.5, 0.0, 0.0, 0.5, 0.0]
    """
    for name, value in (("sharpness", sharpness), ("same_word_strength", same_word_strength)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    vectors = embed(tokens, d_model=_EMBED_WIDTH)
    n = len(vectors)
    if n > MAX_POSITIONS:
        raise ValueError(f"tokens has {n} tokens; designed heads handle at most {MAX_POSITIONS}")
    x = np.concatenate([vectors, position_features(n)], axis=1)

    w_q = np.zeros((D_MODEL, D_MODEL))
    w_k = np.zeros((D_MODEL, D_MODEL))
    w_v = np.zeros((D_MODEL, D_MODEL))
    root = np.sqrt(D_HEAD)  # undo the 1/sqrt(d_head) scaling of the scores

    # Head 0 (channels 0-2): key k_j = (1, t_j, t_j^2); query
    # q_i = a * (-(t_i - step)^2, 2 (t_i - step), -1), so that
    # q_i . k_j = -a (t_i - step - t_j)^2. Each entry of q_i is linear in (1, t_i, t_i^2).
    step = 1.0 / MAX_POSITIONS
    a = sharpness * MAX_POSITIONS**2 * root
    w_k[_ONE, 0], w_k[_T, 1], w_k[_T2, 2] = 1.0, 1.0, 1.0
    # -(t - step)^2 = -t^2 + 2 step t - step^2
    w_q[_T2, 0], w_q[_T, 0], w_q[_ONE, 0] = -a, 2 * step * a, -(step**2) * a
    # 2 (t - step) = 2 t - 2 step
    w_q[_T, 1], w_q[_ONE, 1] = 2 * a, -2 * step * a
    w_q[_ONE, 2] = -a

    # Head 1 (channels 8-14): identity directions, q = k = b * identity, so
    # q_i . k_j / sqrt(d_head) = same_word_strength * cos(angle between words).
    b = np.sqrt(same_word_strength * root)
    identity_rows = np.arange(_IDENTITY.start, _IDENTITY.stop)
    channels = D_HEAD + np.arange(len(identity_rows))
    w_q[identity_rows, channels] = b
    w_k[identity_rows, channels] = b

    # Values: each head copies the six named features of the word it attends to.
    named_rows = np.arange(_NAMED.start, _NAMED.stop)
    for head in range(NUM_HEADS):
        w_v[named_rows, head * D_HEAD + named_rows] = 1.0
    return DesignedModel(x, w_q, w_k, w_v, np.eye(D_MODEL), NUM_HEADS, ROLES)


def random_projections(
    d_model: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded random ``W_q, W_k, W_v, W_o`` of shape (d_model, d_model).

    Entries are normal with standard deviation ``1/sqrt(d_model)`` (the usual
    initialisation scale), so scores stay of order 1 like an untrained layer.

    Parameters
    ----------
    d_model : int
        Width, at least 1.
    seed : int, default 0
        Seed of ``np.random.default_rng``.

    Returns
    -------
    w_q, w_k, w_v, w_o : ndarray, shape (d_model, d_model)

    Raises
    ------
    TypeError
        If ``d_model`` is not an int.
    ValueError
        If ``d_model < 1``.

    Examples
    --------
    >>> [w.shape for w in random_projections(4)]
    [(4, 4), (4, 4), (4, 4), (4, 4)]
    """
    check_int(d_model, "d_model", minimum=1)
    rng = np.random.default_rng(seed)
    w_q, w_k, w_v, w_o = rng.normal(scale=1 / np.sqrt(d_model), size=(4, d_model, d_model))
    return w_q, w_k, w_v, w_o


def chapter_projections(
    d_model: int = TOY_D_MODEL,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The multi-head model of chapters 4 and 5: ``W_q, W_k, W_v, W_o``.

    ``W_q, W_k, W_v`` are chapter 3's designed projections
    (:func:`attn_book.tokens.self_attention_projections`); ``W_o`` is the
    output projection of :func:`random_projections` with seed
    :data:`W_O_SEED`, standing in for a learned one. The chapters, their
    widgets and the kernel-free explorer all use this one model. ``W_o`` acts
    after the heads are merged, so it never changes an attention weight.

    Parameters
    ----------
    d_model : int, default attn_book.tokens.D_MODEL (8)
        Width of the toy embeddings, at least 8.

    Returns
    -------
    w_q, w_k, w_v, w_o : ndarray, shape (d_model, d_model), float64

    Raises
    ------
    TypeError, ValueError
        For a ``d_model`` that is not an int of at least 8.

    Examples
    --------
    >>> [w.shape for w in chapter_projections()]
    [(8, 8), (8, 8), (8, 8), (8, 8)]
    """
    w_q, w_k, w_v = self_attention_projections(d_model)
    return w_q, w_k, w_v, random_projections(d_model, W_O_SEED)[3]


class HeadShares(NamedTuple):
    """Each head's part of a multi-head layer's output (see :func:`head_shares`).

    Attributes
    ----------
    before : ndarray, shape (..., H, n, d_model)
        ``before[..., i, :, :]`` is ``concat(heads)`` with every head but
        head ``i`` (index from 0) set to zero: head ``i``'s context vectors
        in its own ``d_head`` features, zeros elsewhere.
    after : ndarray, shape (..., H, n, d_model)
        ``before @ w_o``: head ``i``'s share of the output. The shares add
        up to the layer's output.
    weights : ndarray, shape (..., H, n, n)
        Each head's attention weights.
    """

    before: np.ndarray
    after: np.ndarray
    weights: np.ndarray


def head_shares(
    x: Any, w_q: Any, w_k: Any, w_v: Any, w_o: Any, num_heads: int, mask: Any = None
) -> HeadShares:
    """Split multi-head attention's output into one share per head, before and after ``W_o``.

    ``concat(heads) W_o`` is a sum over heads: head ``i``'s features
    ``i*d_head:(i+1)*d_head`` of ``concat(heads)`` meet only the same rows
    of ``W_o``, so ``output = sum_i head_i @ W_o[i*d_head:(i+1)*d_head]``.
    Before ``W_o`` a head fills only its own features; after it, its share
    reaches every output feature.

    The heads come from :func:`attn_core.multi_head_attention` with ``W_o``
    replaced by the identity (which returns ``concat(heads)``), so there is
    one implementation of the heads.

    Parameters
    ----------
    x, w_q, w_k, w_v, w_o, num_heads, mask
        As for :func:`attn_core.multi_head_attention`.

    Returns
    -------
    HeadShares
        ``before`` and ``after`` of shape (..., H, n, d_model) and
        ``weights`` of shape (..., H, n, n); ``after.sum(axis=-3)`` equals
        the output of :func:`attn_core.multi_head_attention`.

    Raises
    ------
    TypeError, ValueError
        For bad input, as :func:`attn_core.multi_head_attention`.

    Examples
    --------
    >>> x = embed(["the", "cat", "sat"])
    >>> w = chapter_projections()
    >>> shares = head_shares(x, *w, num_heads=4)
    >>> shares.before.shape, shares.after.shape
    ((4, 3, 8), (4, 3, 8))
    >>> out, _ = multi_head_attention(x, *w, num_heads=4)
    >>> bool(np.allclose(shares.after.sum(axis=0), out))
    True
    """
    x = as_float_array(x, "x", min_ndim=2)
    d_model = x.shape[-1]
    w_o = as_float_array(w_o, "w_o", min_ndim=2)
    if w_o.shape != (d_model, d_model):
        raise ValueError(
            f"w_o must have shape (d_model, d_model) = ({d_model}, {d_model}) "
            f"to match x {x.shape}, got {w_o.shape}"
        )
    identity = np.eye(d_model, dtype=x.dtype)
    concat, weights = multi_head_attention(x, w_q, w_k, w_v, identity, num_heads, mask)
    d_head = d_model // num_heads
    # keep[i, f]: feature f belongs to head i
    keep = np.arange(d_model) // d_head == np.arange(num_heads)[:, None]
    before = np.where(keep[:, None, :], concat[..., None, :, :], 0.0).astype(concat.dtype)
    return HeadShares(before, before @ w_o.astype(concat.dtype), weights)
