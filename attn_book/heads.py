"""The multi-head models of chapters 4 and 5, and heads built by hand.

- :func:`chapter_projections`: chapter 3's designed ``W_q, W_k, W_v`` cut
  into heads, plus one seeded random ``W_o`` (chapters 4 and 5, the explorer);
- :func:`designed_heads`: a two-head layer whose heads are "previous token"
  and "same word" (chapter 4, and beside the learned heads in chapter 6).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from attn_book.tokens import D_MODEL as TOY_D_MODEL
from attn_book.tokens import MAX_TOKENS, embed, self_attention_projections

#: Seed of the output projection W_o of :func:`chapter_projections`.
W_O_SEED: int = 4
#: The same-word head's scaled score for the same word: 64 (1 - 0.925) = 4.8 above the
#: closest two different words of the book's sentences ("and", "because"; chapter 4).
SAME_WORD_STRENGTH: float = 64.0

# The designed layer's features: 6 named + 7 identity (embed(tokens, 13)), then (1, t, t^2).
_EMBED_WIDTH = 13
_D_MODEL = 16
_D_HEAD = _D_MODEL // 2
_ONE, _T, _T2 = 13, 14, 15


def random_projections(
    d_model: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded random ``W_q, W_k, W_v, W_o``, entries normal with std ``1/sqrt(d_model)``.

    Parameters
    ----------
    d_model : int
        Width.
    seed : int, default 0
        Seed of ``np.random.default_rng``.

    Returns
    -------
    w_q, w_k, w_v, w_o : ndarray, shape (d_model, d_model)
    """
    rng = np.random.default_rng(seed)
    w_q, w_k, w_v, w_o = rng.normal(scale=1 / np.sqrt(d_model), size=(4, d_model, d_model))
    return w_q, w_k, w_v, w_o


def chapter_projections(
    d_model: int = TOY_D_MODEL,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The multi-head layer of chapters 4 and 5: chapter 3's ``W_q, W_k, W_v`` and a seeded ``W_o``.

    ``W_o`` is :func:`random_projections`' with seed :data:`W_O_SEED`,
    standing in for a learned one.

    Parameters
    ----------
    d_model : int, default attn_book.tokens.D_MODEL (8)
        Width of the toy embeddings.

    Returns
    -------
    w_q, w_k, w_v, w_o : ndarray, shape (d_model, d_model)
    """
    w_q, w_k, w_v = self_attention_projections(d_model)
    return w_q, w_k, w_v, random_projections(d_model, W_O_SEED)[3]


class DesignedModel(NamedTuple):
    """Inputs ``x`` (n, 16) and weights (16, 16) of the hand-built two-head layer."""

    x: np.ndarray
    w_q: np.ndarray
    w_k: np.ndarray
    w_v: np.ndarray
    w_o: np.ndarray
    num_heads: int = 2
    roles: tuple[str, ...] = ("previous token", "same word")

    @property
    def weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(w_q, w_k, w_v, w_o)``, to unpack into multi_head_attention."""
        return self.w_q, self.w_k, self.w_v, self.w_o


def designed_heads(
    tokens: Sequence[str], *, sharpness: float = 6.0, same_word_strength: float = SAME_WORD_STRENGTH
) -> DesignedModel:
    """A two-head layer built by hand: head 1 "previous token", head 2 "same word".

    Each row of ``x`` is the word's 13 features (``embed(tokens, 13)``: 6
    named, 7 of identity) and three position features ``(1, t, t^2)`` with
    ``t = position / MAX_TOKENS``. Head 1 scores ``-a (t_i - 1/MAX_TOKENS -
    t_j)^2``, largest one position back (the first token takes itself).
    Head 2 scores ``same_word_strength * cos`` of the two words' identity
    directions. ``W_v`` copies the six named features of the attended word
    into each head's first six features and ``W_o`` is the identity, so
    output features 0-5 hold the previous word's and 8-13 the word's own.

    Parameters
    ----------
    tokens : sequence of str
        At most ``MAX_TOKENS`` words.
    sharpness : float, default 6.0
        Head 1's scaled-score penalty for a key one step off the target.
    same_word_strength : float, default SAME_WORD_STRENGTH
        Head 2's scaled score of a key with the same word.

    Returns
    -------
    DesignedModel

    Examples
    --------
    >>> from attn_core import multi_head_attention
    >>> model = designed_heads(["the", "cat", "saw", "the", "dog"])
    >>> _, weights = multi_head_attention(model.x, *model.weights, model.num_heads)
    >>> weights[0].argmax(axis=-1).tolist()
    [0, 0, 1, 2, 3]
    """
    n = len(tokens)
    t = np.arange(n) / MAX_TOKENS
    x = np.column_stack([embed(tokens, d_model=_EMBED_WIDTH), np.ones(n), t, t**2])
    w_q, w_k, w_v = np.zeros((3, _D_MODEL, _D_MODEL))
    root = np.sqrt(_D_HEAD)  # undoes the 1/sqrt(d_head) scaling of the scores

    # Head 1 (features 0-2): k_j = (1, t_j, t_j^2) and q_i = a (-(t_i - s)^2, 2 (t_i - s), -1),
    # each entry linear in (1, t_i, t_i^2), so q_i . k_j = -a (t_i - s - t_j)^2.
    s = 1.0 / MAX_TOKENS
    a = sharpness * MAX_TOKENS**2 * root
    w_k[[_ONE, _T, _T2], [0, 1, 2]] = 1.0
    w_q[[_T2, _T, _ONE], 0] = -a, 2 * s * a, -(s**2) * a
    w_q[[_T, _ONE], 1] = 2 * a, -2 * s * a
    w_q[_ONE, 2] = -a

    # Head 2 (features 8-14): q = k = b * identity, so the scaled score is strength * cos.
    identity = np.arange(6, _EMBED_WIDTH)
    b = np.sqrt(same_word_strength * root)
    w_q[identity, _D_HEAD + identity - 6] = b
    w_k[identity, _D_HEAD + identity - 6] = b

    named = np.arange(6)
    w_v[named, named] = w_v[named, _D_HEAD + named] = 1.0
    return DesignedModel(x, w_q, w_k, w_v, np.eye(_D_MODEL))


def head_label(head: int, num_heads: int) -> str:
    """A head as a reader sees it, counted from 1 (code counts from 0).

    Examples
    --------
    >>> head_label(0, 4)
    'head 1 of 4'
    """
    return f"head {head + 1} of {num_heads}"


def head_choices(d_model: int) -> list[int]:
    """The numbers of heads that divide ``d_model``: the only ones multi-head attention takes."""
    return [h for h in range(1, d_model + 1) if d_model % h == 0]
