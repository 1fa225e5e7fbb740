"""A kernel-free attention explorer: HTML, CSS and JS written into a notebook's output.

The rendered book has no kernel behind it, so an ipywidgets slider there is
dead. :func:`attention_explorer` instead writes one self-contained HTML
fragment: the token vectors, the weight matrices, the mask rules, the
colour ramp and the tokenizer's rules as JSON, and a JavaScript engine
(written in seven parts that :mod:`attn_book.explorer.assets` joins, after
the part every component shares, into one script) that recomputes
multi-head attention in the browser (the same maths as
:func:`attn_core.multi_head_attention`) whenever the reader picks a
sentence or types one (tokenized and embedded as :mod:`attn_book.tokens`
does it), switches a token off, changes the number of heads, the head or the
mask, or clicks a query token. Nothing is loaded from a CDN or a server, so
the fragment works in the static book, offline, and in JupyterLab (where
trusted output runs its script). Where scripts do not run, a static table
of the first view stands in.

Safety: the data goes in as JSON with ``<``, ``>`` and ``&`` escaped
(:func:`attn_book.explorer.fragment.json_for_script`), so a
token such as ``"</script>"`` cannot end the script early; the script inserts
every token with ``textContent``, never as HTML; the static fallback table
escapes every token with :func:`html.escape`.

Masks are the choices of :mod:`attn_book.choices` (True = may attend, as
everywhere in attn_core), with the book's one padding convention:

- ``"none"``: the switched-on tokens attend to each other; switched-off
  tokens are left out of the sequence.
- ``"causal"``: as ``"none"`` plus the causal mask: a query sees itself and
  the keys before it.
- ``"padding"``: the sequence keeps every token of the sentence and the
  switched-off tokens become *padding* positions. No query may attend to a
  padding key. A padding query row still attends to the real tokens (as
  with PyTorch's ``key_padding_mask``); the explorer marks it "(pad)" and
  says its output is discarded. The real rows equal the ``"none"`` weights
  of the switched-on tokens alone: padding changes nothing for the real tokens.
- ``"causal + padding"``: both masks combined with a logical and.

Heads are counted from 1 in the page (code counts from 0), the weights are
coloured with :mod:`attn_book.colors`, and the head counts offered are
:func:`attn_book.choices.head_choices`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from attn_book.choices import (
    MASK_CHOICES,
    MASK_RULES,
    check_mask_choice,
    head_choices,
    head_label,
    mask_for_choice,
)
from attn_book.colors import browser_ramp
from attn_book.explorer.fragment import Fragment, check_title, weight_cell
from attn_book.heads import chapter_projections
from attn_book.tokens import D_MODEL, MAX_TOKENS, browser_tokenizer, embed, tokenize
from attn_core import multi_head_attention
from attn_core._validation import check_int

#: Up to this many positions the heatmap is a table that writes each weight
#: (in the page and in the static fallback); above it, a canvas of colours.
TABLE_MAX = 16


def _as_tokens(sentence: Any, where: str) -> list[str]:
    """A str is tokenized with attn_book.tokens.tokenize; a list of str is used as given."""
    if isinstance(sentence, str):
        try:
            return tokenize(sentence, max_tokens=MAX_TOKENS)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    if isinstance(sentence, Sequence) and not isinstance(sentence, (bytes, bytearray)):
        tokens = list(sentence)
        if not tokens:
            raise ValueError(f"{where} is an empty token list")
        if len(tokens) > MAX_TOKENS:
            raise ValueError(f"{where} has {len(tokens)} tokens; at most {MAX_TOKENS} are allowed")
        for token in tokens:
            if not isinstance(token, str) or not token:
                raise TypeError(f"{where} must contain non-empty str tokens, got {token!r}")
        return tokens
    raise TypeError(
        f"{where} must be a str sentence or a list of str tokens, got {type(sentence).__name__}"
    )


def _check_weights(weights: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(weights, (tuple, list)) or len(weights) != 4:
        raise TypeError("weights must be a tuple (w_q, w_k, w_v, w_o)")
    arrays = []
    for name, w in zip(("w_q", "w_k", "w_v", "w_o"), weights, strict=True):
        w = np.asarray(w, dtype=np.float64)
        if w.ndim != 2 or w.shape[0] != w.shape[1]:
            raise ValueError(f"weights: {name} must be square (d_model, d_model), got {w.shape}")
        if not np.isfinite(w).all():
            raise ValueError(f"weights: {name} contains NaN or inf")
        arrays.append(w)
    d_model = arrays[0].shape[0]
    for name, w in zip(("w_k", "w_v", "w_o"), arrays[1:], strict=True):
        if w.shape != (d_model, d_model):
            raise ValueError(
                f"weights: {name} has shape {w.shape} but w_q has ({d_model}, {d_model})"
            )
    return arrays[0], arrays[1], arrays[2], arrays[3]


def default_weights(d_model: int = D_MODEL) -> tuple[np.ndarray, ...]:
    """The explorer's default (w_q, w_k, w_v, w_o): the chapters' one model.

    This is :func:`attn_book.heads.chapter_projections`: chapter 3's designed
    ``W_q, W_k, W_v`` (each head shows a readable pattern) and its seeded
    ``W_o``, which acts after the heads are merged and so never changes the
    attention weights the explorer shows.
    """
    return tuple(np.asarray(w, dtype=np.float64) for w in chapter_projections(d_model))


class AttentionExplorer(Fragment):
    """A self-contained HTML attention explorer (see :func:`attention_explorer`).

    Attributes
    ----------
    data : dict
        What the page's script receives: sentences (label, tokens, embedded
        rows ``x``), the weight matrices, head options, masks and defaults.
    element_id : str
        The root element's id, derived from a hash of the content.
    """

    component = "explorer"

    def weights_for(
        self,
        sentence: int,
        active: Sequence[bool] | None = None,
        heads: int | None = None,
        head: int = 0,
        mask: str = "none",
    ) -> tuple[list[int], np.ndarray]:
        """The weights the explorer shows for one state, computed by attn_core.

        Parameters
        ----------
        sentence : int
            Index of the sentence.
        active : sequence of bool, optional
            Which tokens are switched on (default: all).
        heads : int, optional
            Number of heads (default: the explorer's default); one of its
            ``head_options``.
        head : int
            Which head to show, from 0 (the page calls it head ``head + 1``).
        mask : str
            One of :data:`attn_book.choices.MASK_CHOICES`.

        Returns
        -------
        positions : list of int
            The token positions shown as rows and columns (with a padding
            mask, every position: switched-off ones are padding).
        weights : ndarray, shape (n, n)
            That head's attention weights, with the mask of
            :func:`attn_book.choices.mask_for_choice`.

        Raises
        ------
        TypeError, ValueError
            For an index out of range, a head count not offered, an unknown
            mask, or ``active`` of the wrong length or with no True.
        """
        sentences = self.data["sentences"]
        sentence = check_int(sentence, "sentence", minimum=0, maximum=len(sentences) - 1)
        sent = sentences[sentence]
        n_all = len(sent["tokens"])
        active = [True] * n_all if active is None else [bool(a) for a in active]
        if len(active) != n_all or not any(active):
            raise ValueError(f"active must have {n_all} entries with at least one True")
        heads = self.data["defaults"]["heads"] if heads is None else heads
        if check_int(heads, "heads") not in self.data["head_options"]:
            raise ValueError(f"heads must be one of {self.data['head_options']}, got {heads}")
        head = check_int(head, "head", minimum=0, maximum=heads - 1)
        if MASK_RULES[check_mask_choice(mask)]["padding"]:
            positions = list(range(n_all))
            real = active
        else:
            positions = [i for i in range(n_all) if active[i]]
            real = [True] * len(positions)
        x = np.asarray(sent["x"], dtype=np.float64)[positions]
        w = self.data["weights"]
        _, weights = multi_head_attention(
            x,
            np.asarray(w["w_q"]),
            np.asarray(w["w_k"]),
            np.asarray(w["w_v"]),
            np.asarray(w["w_o"]),
            heads,
            mask_for_choice(mask, real),
        )
        return positions, weights[head]

    def _static(self) -> str:
        """The default state as a plain HTML table, shown where scripts do not run."""
        defaults = self.data["defaults"]
        tokens = self.data["sentences"][defaults["sentence"]]["tokens"]
        positions, weights = self.weights_for(
            defaults["sentence"], heads=defaults["heads"], head=0, mask=defaults["mask"]
        )
        labels = [html.escape(tokens[p]) for p in positions]
        annotate = len(positions) <= TABLE_MAX
        rows = ["<tr><th>query \\ key</th>" + "".join(f"<th>{t}</th>" for t in labels) + "</tr>"]
        for i, label in enumerate(labels):
            cells = "".join(
                weight_cell(w, f"{float(w):.2f}" if annotate else "") for w in weights[i]
            )
            rows.append(f"<tr><th>{label}</th>{cells}</tr>")
        return (
            '<table class="ae-static-table">'
            + "".join(rows)
            + '</table><p class="ae-static-note">Attention weights of '
            f"{head_label(0, defaults['heads'])}, mask {html.escape(defaults['mask'])}. "
            "The interactive explorer needs JavaScript.</p>"
        )

    def __repr__(self) -> str:
        labels = [s["label"] for s in self.data["sentences"]]
        return f"AttentionExplorer({self.data['title']!r}, sentences={labels!r})"


def attention_explorer(
    sentences: Sequence[str | Sequence[str]] | Mapping[str, str | Sequence[str]],
    *,
    weights: tuple[Any, Any, Any, Any] | None = None,
    head_options: Sequence[int] | None = None,
    masks: Sequence[str] = ("none", "causal", "padding"),
    default_heads: int = 1,
    default_mask: str = "none",
    title: str = "Attention explorer",
    editable: bool = True,
) -> AttentionExplorer:
    """Build a kernel-free explorer of multi-head self-attention weights.

    In the page the reader can pick a sentence or type one, switch tokens on
    and off, choose the number of heads and a head, toggle the mask, and
    hover or click a token to read its weights. The script recomputes the weights
    exactly as :func:`attn_core.multi_head_attention` does (head
    ``i`` uses features ``i*d_head:(i+1)*d_head``, scale ``1/sqrt(d_head)``,
    masked scores ``-inf`` before the softmax, fully masked rows zero).

    Parameters
    ----------
    sentences : sequence or mapping
        Sentences as text (split by :func:`attn_book.tokens.tokenize`) or as
        lists of tokens (used as given, e.g. to show a token with markup);
        a mapping gives each one a label for the menu.
    weights : tuple (w_q, w_k, w_v, w_o), optional
        Square (d_model, d_model) matrices. Default: :func:`default_weights`.
    head_options : sequence of int, optional
        Head counts offered, from :func:`attn_book.choices.head_choices`
        (the divisors of d_model). Default: all of them.
    masks : sequence of str
        Mask choices offered, from :data:`attn_book.choices.MASK_CHOICES`.
    default_heads : int
        Heads shown first; must be in ``head_options``.
    default_mask : str
        Mask shown first; must be in ``masks``.
    title : str
        Heading shown above the explorer (as text).
    editable : bool, default True
        Offer a box where the reader types a sentence of their own. The page
        splits it with :func:`attn_book.tokens.tokenize`'s rules and embeds it
        with :func:`attn_book.tokens.embed`'s (words outside the toy vocabulary
        included), in JavaScript, with the same numbers as Python; text
        ``tokenize`` refuses gets its message and the last view stays.

    Returns
    -------
    AttentionExplorer
        Displays as the explorer in a notebook or the rendered book.

    Raises
    ------
    TypeError
        A sentence that is neither text nor a list of str, or weights that are
        not a 4-tuple.
    ValueError
        No sentences, a sentence without words, weights of the wrong shape or
        with NaN/inf, a head count not dividing d_model, an unknown mask, or
        defaults that are not among the options.

    Examples
    --------
    >>> explorer = attention_explorer(["the cat sat", "it was tired"], default_heads=2)
    >>> explorer.element_id.startswith("attn-explorer-")
    True
    >>> positions, w = explorer.weights_for(0, heads=2, head=1)
    >>> w.shape
    (3, 3)
    """
    if isinstance(sentences, Mapping):
        items = [(str(label), value) for label, value in sentences.items()]
    elif isinstance(sentences, str):
        raise TypeError("sentences must be a list or a mapping of sentences, got one str")
    elif isinstance(sentences, Sequence):
        items = [(None, value) for value in sentences]
    else:
        raise TypeError(
            f"sentences must be a sequence or a mapping, got {type(sentences).__name__}"
        )
    if not items:
        raise ValueError("sentences is empty; give at least one sentence")
    w_q, w_k, w_v, w_o = default_weights(D_MODEL) if weights is None else _check_weights(weights)
    d_model = w_q.shape[0]
    valid_heads = head_choices(d_model)
    if head_options is None:
        head_options = valid_heads
    head_options = [check_int(h, "head_options entry") for h in head_options]
    if not head_options or any(h not in valid_heads for h in head_options):
        raise ValueError(
            f"head_options must be divisors of d_model={d_model} ({valid_heads}), "
            f"got {head_options}"
        )
    check_int(default_heads, "default_heads")
    if default_heads not in head_options:
        raise ValueError(f"default_heads={default_heads} is not in head_options {head_options}")
    masks = [check_mask_choice(m, "each of masks") for m in masks]
    if not masks:
        raise ValueError(f"masks is empty; choose from {list(MASK_CHOICES)}")
    if default_mask not in masks:
        raise ValueError(f"default_mask={default_mask!r} is not in masks {masks}")
    check_title(title)
    if not isinstance(editable, bool):
        raise TypeError(f"editable must be True or False, got {type(editable).__name__}")

    entries = []
    for index, (label, value) in enumerate(items):
        tokens = _as_tokens(value, f"sentence {index}")
        x = embed(tokens, d_model)
        entries.append(
            {
                "label": label if label is not None else " ".join(tokens),
                # What the sentence box shows when the menu picks this sentence.
                "text": value if isinstance(value, str) else " ".join(tokens),
                "tokens": tokens,
                "x": np.asarray(x, dtype=np.float64).tolist(),
            }
        )
    data = {
        "title": title,
        "d_model": d_model,
        "sentences": entries,
        "weights": {
            "w_q": w_q.tolist(),
            "w_k": w_k.tolist(),
            "w_v": w_v.tolist(),
            "w_o": w_o.tolist(),
        },
        "head_options": head_options,
        "masks": masks,
        # Which masks each choice combines (attn_book.choices.mask_for_choice's rules).
        "mask_rules": {m: MASK_RULES[m] for m in masks},
        # The weight ramp of attn_book.colors: the page carries no colours of its own.
        "colours": browser_ramp(),
        "table_max": TABLE_MAX,
        # attn_book.tokens' rules for the sentence the reader types (None: no box).
        "tokenizer": browser_tokenizer(d_model) if editable else None,
        "defaults": {
            "sentence": 0,
            "heads": int(default_heads),
            "head": 0,
            "mask": default_mask,
            "query": 0,
        },
    }
    return AttentionExplorer(data)
