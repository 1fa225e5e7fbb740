"""A kernel-free attention explorer: HTML, CSS and JS written into a notebook's output.

The rendered book has no kernel behind it, so an ipywidgets slider there is
dead. :func:`attention_explorer` instead writes one self-contained HTML
fragment: the token vectors and weight matrices as JSON, and a small script
that recomputes multi-head attention in the browser (the same maths as
:func:`attn_core.multi_head_attention`) whenever the reader picks a
sentence, switches a token off, changes the number of heads, the head or the
mask, or clicks a query token. Nothing is loaded from a CDN or a server, so
the fragment works in the static book, offline, and in JupyterLab (where
trusted output runs its script).

Safety: the data goes in as JSON with ``<``, ``>`` and ``&`` escaped, so a
token such as ``"</script>"`` cannot end the script early; the script inserts
every token with ``textContent``, never as HTML; the static fallback table
escapes every token with :func:`html.escape`.

Masks (True = may attend, as everywhere in attn_core):

- ``"none"``: the switched-on tokens attend to each other; switched-off
  tokens are left out of the sequence.
- ``"causal"``: as ``"none"`` plus the causal mask, query i sees keys 0..i.
- ``"padding"``: the sequence keeps every token of the sentence and the
  switched-off tokens become *padding* positions. No query may attend to a
  padding key, and a padding query row is fully masked, so its weights are
  zeros (attn_core's rule for a fully masked row). The other rows equal the
  ``"none"`` weights of the switched-on tokens alone: padding changes nothing
  for the real tokens.
- ``"causal+padding"``: both masks combined with a logical and.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from attn_book.explorer.assets import asset
from attn_book.tokens import D_MODEL, embed, self_attention_projections, tokenize
from attn_core import causal_mask, multi_head_attention

#: Every mask mode the explorer understands (see the module docstring).
MASK_MODES: tuple[str, ...] = ("none", "causal", "padding", "causal+padding")

#: Seed of the default output projection W_o (it does not change any weight shown).
DEFAULT_W_O_SEED = 0

# The static fallback table shows numbers only for small sentences.
_ANNOTATE_MAX = 16


def _as_tokens(sentence: Any, where: str) -> list[str]:
    """A str is tokenized with attn_book.tokens.tokenize; a list of str is used as given."""
    if isinstance(sentence, str):
        try:
            return tokenize(sentence)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    if isinstance(sentence, Sequence) and not isinstance(sentence, (bytes, bytearray)):
        tokens = list(sentence)
        if not tokens:
            raise ValueError(f"{where} is an empty token list")
        if len(tokens) > 64:
            raise ValueError(f"{where} has {len(tokens)} tokens; at most 64 are allowed")
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
    """The explorer's default (w_q, w_k, w_v, w_o).

    ``w_q, w_k, w_v`` are :func:`attn_book.tokens.self_attention_projections`
    (designed so each head shows a readable pattern); ``w_o`` is a seeded
    normal matrix scaled by ``1/sqrt(d_model)`` (seed
    :data:`DEFAULT_W_O_SEED`). ``w_o`` acts after the heads are merged, so it
    never changes the attention weights the explorer shows.
    """
    w_q, w_k, w_v = self_attention_projections(d_model)
    rng = np.random.default_rng(DEFAULT_W_O_SEED)
    w_o = rng.normal(size=(d_model, d_model)) / np.sqrt(d_model)
    return (np.asarray(w_q, float), np.asarray(w_k, float), np.asarray(w_v, float), w_o)


def explorer_mask(n: int, active: Sequence[bool], mask: str) -> np.ndarray | None:
    """The boolean mask the explorer applies, for the positions it shows.

    Parameters
    ----------
    n : int
        Number of positions shown (switched-on tokens, or every token in a
        padding mode).
    active : sequence of bool, length n
        Which shown positions are real tokens (False = padding).
    mask : str
        One of :data:`MASK_MODES`.

    Returns
    -------
    ndarray of bool, shape (n, n), or None for ``"none"``
        True = may attend.
    """
    if mask not in MASK_MODES:
        raise ValueError(f"mask must be one of {MASK_MODES}, got {mask!r}")
    allowed = np.ones((n, n), dtype=bool)
    if "causal" in mask:
        allowed &= causal_mask(n)
    if "padding" in mask:
        valid = np.asarray(active, dtype=bool)
        # Keys: nobody attends to padding. Queries: a padding row is fully masked.
        allowed &= valid[:, None] & valid[None, :]
    return None if mask == "none" else allowed


class AttentionExplorer:
    """A self-contained HTML attention explorer (see :func:`attention_explorer`).

    Attributes
    ----------
    data : dict
        What the page's script receives: sentences (label, tokens, embedded
        rows ``x``), the weight matrices, head options, masks and defaults.
    element_id : str
        The root element's id, derived from a hash of the content.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._payload = _json_for_html(data)
        digest = hashlib.sha256(
            (self._payload + asset("explorer.js") + asset("explorer.css")).encode()
        )
        self.element_id = "attn-explorer-" + digest.hexdigest()[:12]

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
            Number of heads (default: the explorer's default).
        head : int
            Which head to show.
        mask : str
            One of :data:`MASK_MODES`.

        Returns
        -------
        positions : list of int
            The token positions shown as rows and columns.
        weights : ndarray, shape (n, n)
            That head's attention weights.
        """
        sent = self.data["sentences"][sentence]
        n_all = len(sent["tokens"])
        active = [True] * n_all if active is None else [bool(a) for a in active]
        if len(active) != n_all or not any(active):
            raise ValueError(f"active must have {n_all} entries with at least one True")
        heads = self.data["defaults"]["heads"] if heads is None else heads
        if "padding" in mask:
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
            explorer_mask(len(positions), real, mask),
        )
        return positions, weights[head]

    def _static_table(self) -> str:
        """The default state as a plain HTML table, shown where scripts do not run."""
        defaults = self.data["defaults"]
        tokens = self.data["sentences"][defaults["sentence"]]["tokens"]
        positions, weights = self.weights_for(
            defaults["sentence"], heads=defaults["heads"], head=0, mask=defaults["mask"]
        )
        labels = [html.escape(tokens[p]) for p in positions]
        annotate = len(positions) <= _ANNOTATE_MAX
        rows = ["<tr><th>query \\ key</th>" + "".join(f"<th>{t}</th>" for t in labels) + "</tr>"]
        for i, label in enumerate(labels):
            cells = []
            for j in range(len(labels)):
                value = float(weights[i, j])
                # Light-to-dark blue; readable without the stylesheet too.
                shade = int(round(255 - 175 * value))
                colour = "#fff" if value > 0.55 else "#000"
                text = f"{value:.2f}" if annotate else ""
                cells.append(
                    f'<td style="background:rgb({shade},{shade},255);color:{colour}">{text}</td>'
                )
            rows.append(f"<tr><th>{label}</th>{''.join(cells)}</tr>")
        return (
            '<table class="ae-static-table">'
            + "".join(rows)
            + '</table><p class="ae-static-note">Attention weights of head 1 '
            f"(of {defaults['heads']}), mask {html.escape(defaults['mask'])}. "
            "The interactive explorer needs JavaScript.</p>"
        )

    def to_html(self) -> str:
        """One self-contained HTML fragment (root element, inline style, data and script)."""
        title = html.escape(self.data["title"])
        return (
            # tex2jax_ignore / mathjax_ignore: MathJax must not typeset token text.
            '<div class="attn-explorer tex2jax_ignore mathjax_ignore" '
            f'id="{self.element_id}" role="group" aria-label="{title}">\n'
            f"<style>{asset('explorer.css')}</style>\n"
            f'<div class="ae-title">{title}</div>\n'
            f'<script type="application/json" class="ae-data">{self._payload}</script>\n'
            f'<div class="ae-static">{self._static_table()}</div>\n'
            '<div class="ae-app"></div>\n'
            f"<script>{asset('explorer.js')}</script>\n"
            "</div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        labels = [s["label"] for s in self.data["sentences"]]
        return f"AttentionExplorer({self.data['title']!r}, sentences={labels!r})"


def _json_for_html(data: Any) -> str:
    """JSON safe inside a <script> element: no "</", "<!--" or "]]>" can appear.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where the escapes
    ``\\u003c`` etc. decode to the same characters.
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def attention_explorer(
    sentences: Sequence[str | Sequence[str]] | Mapping[str, str | Sequence[str]],
    *,
    weights: tuple[Any, Any, Any, Any] | None = None,
    head_options: Sequence[int] | None = None,
    masks: Sequence[str] = ("none", "causal", "padding"),
    default_heads: int = 1,
    default_mask: str = "none",
    title: str = "Attention explorer",
) -> AttentionExplorer:
    """Build a kernel-free explorer of multi-head self-attention weights.

    In the page the reader can pick a sentence, switch tokens on and off,
    choose the number of heads and a head, toggle the mask, and hover or
    click a token to read its weights. The script recomputes the weights
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
        Head counts offered; each must divide d_model. Default: every
        divisor of d_model.
    masks : sequence of str
        Mask modes offered, from :data:`MASK_MODES`.
    default_heads : int
        Heads shown first; must be in ``head_options``.
    default_mask : str
        Mask shown first; must be in ``masks``.
    title : str
        Heading shown above the explorer (as text).

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
    divisors = [h for h in range(1, d_model + 1) if d_model % h == 0]
    if head_options is None:
        head_options = divisors
    head_options = [int(h) for h in head_options]
    if not head_options or any(h not in divisors for h in head_options):
        raise ValueError(f"head_options must be divisors of d_model={d_model}, got {head_options}")
    if default_heads not in head_options:
        raise ValueError(f"default_heads={default_heads} is not in head_options {head_options}")
    masks = list(masks)
    if not masks or any(m not in MASK_MODES for m in masks):
        raise ValueError(f"masks must be chosen from {MASK_MODES}, got {masks}")
    if default_mask not in masks:
        raise ValueError(f"default_mask={default_mask!r} is not in masks {masks}")
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")

    entries = []
    for index, (label, value) in enumerate(items):
        tokens = _as_tokens(value, f"sentence {index}")
        x = embed(tokens, d_model)
        entries.append(
            {
                "label": label if label is not None else " ".join(tokens),
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
        "defaults": {
            "sentence": 0,
            "heads": int(default_heads),
            "head": 0,
            "mask": default_mask,
            "query": 0,
        },
    }
    return AttentionExplorer(data)
