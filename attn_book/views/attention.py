"""The attention view of chapters 3 to 5: type a sentence, see where each token looks.

:func:`attention_view` gives the view with its controls: the sentence, the
number of heads and the head, the mask, the scaling by sqrt(d_k). A click on a
row (or the query menu) chooses the query, whose weights show as bars; with
``toggles`` the tokens can be switched off (with a padding mask a switched-off
token becomes padding: no query attends to it, and its own row, marked
"(pad)", still attends to the real tokens and is discarded, as PyTorch's
``key_padding_mask``). :func:`attention_outputs` is what the kernel computes,
and what the page's ``compute`` (``attention.js``) must equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets as t

from attn_book.heads import head_label
from attn_book.plots import SIGNED_CMAP, browser_ramp
from attn_book.tokens import MAX_TOKENS, dropped_note, embed, text_rules, tokenize
from attn_book.views import Live, View, wire
from attn_core import causal_mask, scaled_dot_product_attention, split_heads

#: The mask choices, and which masks each combines (logical and).
MASKS: dict[str, tuple[bool, bool]] = {  # (causal, padding)
    "none": (False, False),
    "causal": (True, False),
    "padding": (False, True),
    "causal + padding": (True, True),
}

Attention = Callable[..., tuple[Any, Any]]


def attention_outputs(
    text: str,
    weights: Sequence[np.ndarray],
    *,
    heads: int = 1,
    head: int = 0,
    mask: str = "none",
    scaled: bool = True,
    active: Sequence[bool] | None = None,
    panels: Sequence[str] = (),
    value_names: Sequence[str] = (),
    attention: Attention = scaled_dot_product_attention,
) -> dict[str, Any]:
    """What the view shows for one state (``tokenize`` raises ValueError on text without words).

    Parameters
    ----------
    text : str
        The sentence as typed.
    weights : (w_q, w_k, w_v) or (w_q, w_k, w_v, w_o)
        Projections applied as ``x @ w``; head ``h`` uses columns
        ``h*d_k/H:(h+1)*d_k/H`` of each (attn_core's layout).
    heads, head : int
        The number of heads, and the head the panels show (from 0).
    mask : str
        A key of :data:`MASKS`.
    scaled : bool
        Divide the scores by sqrt(d_k) of one head, or not.
    active : sequence of bool, optional
        Which tokens are switched on (switched off: padding, or left out).
    panels : sequence of str
        ``"context"`` (the head's context vectors) and/or ``"share"`` (its part
        of concat(heads) before and after ``W_o``).
    attention : callable
        ``attention(q, k, v, mask, scale=...) -> (context, weights)`` for one
        head, ``q (n, d_k)``; attn_core's by default, or the reader's own.

    Returns
    -------
    dict
        ``tokens`` (all of the text's), ``active``, ``positions`` (the ones
        shown), ``padding`` (per shown position), ``weights`` (H, n, n),
        ``panel_values`` (title, column names, values), ``note``.
    """
    tokens = tokenize(text, MAX_TOKENS)
    if active is None or len(active) != len(tokens) or not any(active):
        active = [True] * len(tokens)
    causal, padding = MASKS[mask]
    positions = [i for i in range(len(tokens)) if padding or active[i]]
    real = np.array([active[i] for i in positions])
    x = embed([tokens[i] for i in positions])
    w_q, w_k, w_v = weights[:3]
    # (n, d) -> (H, n, d / H): one slice of columns per head
    q, k, v = (split_heads(x @ w, heads) for w in (w_q, w_k, w_v))
    scale = 1 / np.sqrt(q.shape[-1]) if scaled else 1.0
    allowed = np.broadcast_to(real[None, :], (len(positions),) * 2)
    if causal:
        allowed = allowed & causal_mask(len(positions))
    results = [attention(q[h], k[h], v[h], allowed, scale=scale) for h in range(heads)]
    context = np.stack([np.asarray(c, dtype=float) for c, _ in results])
    shown = []
    head = min(head, heads - 1)
    for kind in panels:
        if kind == "context":
            shown.append(("context vectors C = A V", list(value_names), context[head]))
        elif kind == "share":
            part = np.zeros((len(positions), heads * context.shape[-1]))
            part[:, head * context.shape[-1] : (head + 1) * context.shape[-1]] = context[head]
            cols = [str(c + 1) for c in range(part.shape[1])]
            shown.append(("its part of concat(heads)", cols, part))
            shown.append(("its share of the output, after W_o", cols, part @ weights[3]))
    return {
        "tokens": tokens,
        "active": list(active),
        "positions": positions,
        "padding": [not r for r in real],
        "weights": np.stack([np.asarray(w, dtype=float) for _, w in results]),
        "panel_values": shown,
        "note": dropped_note(text),
    }


class AttentionView(View):
    """The attention view (:func:`attention_view`); read back ``query``, ``head``, ``tokens``."""

    name = "attention"
    text = t.Unicode().tag(sync=True)
    good_text = t.Unicode().tag(sync=True)  # the last text with words: drawn while text has none
    sentences = t.List().tag(sync=True)
    heads = t.Int(1).tag(sync=True)
    head = t.Int(0).tag(sync=True)
    head_options = t.List([1]).tag(sync=True)
    mask = t.Unicode("none").tag(sync=True)
    masks = t.List(["none"]).tag(sync=True)
    scaled = t.Bool(True).tag(sync=True)
    scale_toggle = t.Bool(False).tag(sync=True)
    query = t.Int(0).tag(sync=True)
    active = t.List().tag(sync=True)
    toggles = t.Bool(False).tag(sync=True)
    grid = t.Bool(False).tag(sync=True)
    panels = t.List().tag(sync=True)
    signed_ramp = t.Dict(browser_ramp(SIGNED_CMAP)).tag(sync=True)
    # Outputs: what the kernel computes (online: attention.js's compute).
    tokens = t.List().tag(sync=True)
    positions = t.List().tag(sync=True)
    padding = t.List().tag(sync=True)
    weights = t.Dict().tag(sync=True)
    panel_values = t.List().tag(sync=True)

    def __init__(self, projections: Sequence[np.ndarray], value_names: Sequence[str], **state: Any):
        self._projections = [np.asarray(w, dtype=float) for w in projections]
        self._value_names = list(value_names)
        self._attention: Attention = scaled_dot_product_attention
        super().__init__(**state)
        self._update()
        self.observe(
            lambda _change: self._update(), ["text", "heads", "head", "mask", "scaled", "active"]
        )

    def use(self, attention: Attention) -> None:
        """Compute with another attention function (the reader's own), and redraw."""
        self._attention = attention
        self._update()

    def _update(self) -> None:
        """Recompute from the controls; text without words is reported, and the last good
        text drawn, so the other controls keep working."""
        try:
            tokenize(self.text, MAX_TOKENS)
            error, text = "", self.text
        except ValueError as bad_text:  # the reader's text
            error, text = str(bad_text), self.good_text
        try:
            out = attention_outputs(
                text,
                self._projections,
                heads=self.heads,
                head=self.head,
                mask=self.mask,
                scaled=self.scaled,
                active=self.active if tokenize(text, MAX_TOKENS) == self.tokens else None,
                panels=self.panels,
                value_names=self._value_names,
                attention=self._attention,
            )
            n = len(out["positions"])
            if out["weights"].shape != (self.heads, n, n) or not np.isfinite(out["weights"]).all():
                raise ValueError(
                    f"weights of shape {out['weights'].shape[1:]}, not finite ({n}, {n})"
                )
        except Exception as failure:  # the reader's attention function
            self.error = f"The attention function failed ({type(failure).__name__}: {failure})."
            return
        with self.hold_sync():
            for key in ("tokens", "active", "positions", "padding", "note"):
                setattr(self, key, out[key])
            self.weights = wire(out["weights"])
            self.panel_values = [
                {"title": title, "cols": cols, "values": wire(values)}
                for title, cols, values in out["panel_values"]
            ]
            self.query = min(self.query, n - 1)
            self.good_text = text
            self.error = error

    def page_data(self) -> dict[str, Any]:
        names = ("w_q", "w_k", "w_v", "w_o")
        return {
            **{
                name: wire(w, np.float64) for name, w in zip(names, self._projections, strict=False)
            },
            "text": text_rules(self._projections[0].shape[0]),
            "max_tokens": MAX_TOKENS,
            "value_names": self._value_names,
        }


def attention_view(
    sentences: Sequence[str] | Mapping[str, str],
    projections: Sequence[np.ndarray],
    *,
    title: str = "Attention explorer",
    head_options: Sequence[int] = (1,),
    masks: Sequence[str] = ("none",),
    scale_toggle: bool = False,
    toggles: bool = False,
    grid: bool = False,
    panels: Sequence[str] = (),
    value_names: Sequence[str] = (),
    attention: Attention | None = None,
    heads: int | None = None,
    mask: str | None = None,
    query: int = 0,
) -> Live:
    """The attention view of a sentence, with its controls.

    Parameters
    ----------
    sentences : sequence of str, or mapping of label -> str
        The sentences offered (the first is shown); the reader may type others.
    projections : (w_q, w_k, w_v) or (w_q, w_k, w_v, w_o)
        The model's weights; ``w_o`` is needed for the ``"share"`` panel.
    head_options, masks : sequence
        The head counts and mask choices (:data:`MASKS`) offered; the first is shown.
    scale_toggle, toggles, grid : bool
        Offer the sqrt(d_k) switch; switchable tokens; every head at a glance.
    panels : sequence of str
        What attention makes of the values: ``"context"``, ``"share"``.
    value_names : sequence of str
        Names of the value features (columns of the ``"context"`` panel).
    attention : callable, optional
        The reader's own ``attention(q, k, v, mask, scale=...) -> (context, weights)``.
    heads, mask : optional
        The head count and mask shown first (default: the first offered).
    query : int, default 0
        The query shown first (from 0): choose one whose row makes the point.

    Returns
    -------
    Live
        Its ``view`` holds what the reader chose (``query``, ``head``, ``tokens``...).
    """
    items = (
        list(sentences.items()) if isinstance(sentences, Mapping) else [(s, s) for s in sentences]
    )
    view = AttentionView(
        projections,
        value_names,
        title=title,
        text=items[0][1],
        good_text=items[0][1],
        sentences=[list(item) for item in items],
        heads=head_options[0] if heads is None else heads,
        head_options=list(head_options),
        mask=masks[0] if mask is None else mask,
        query=query,
        masks=list(masks),
        scale_toggle=scale_toggle,
        toggles=toggles,
        grid=grid,
        panels=list(panels),
    )
    if attention is not None:
        view.use(attention)
    controls: list[widgets.Widget] = []
    if len(items) > 1:
        menu = widgets.Dropdown(
            options=[(label, text) for label, text in items], description="Sentence"
        )
        menu.observe(lambda change: setattr(view, "text", change["new"]), "value")
        controls.append(menu)
    text_box = widgets.Text(view.text, description="Text", continuous_update=False)
    widgets.link((text_box, "value"), (view, "text"))
    controls.append(text_box)
    if len(head_options) > 1:
        heads = widgets.Dropdown(options=list(head_options), value=view.heads, description="Heads")
        widgets.link((heads, "value"), (view, "heads"))
        head = widgets.Dropdown(description="Head")

        def head_choices(_change: Any = None) -> None:
            """Offer heads 1..H of the current count (the picture says "head h of H")."""
            head.options = [(head_label(h, view.heads), h) for h in range(view.heads)]
            head.value = min(view.head, view.heads - 1)

        head_choices()
        view.observe(head_choices, "heads")
        widgets.link((head, "value"), (view, "head"))
        controls += [heads, head]
    if len(masks) > 1:
        menu = widgets.Dropdown(options=list(masks), value=view.mask, description="Mask")
        widgets.link((menu, "value"), (view, "mask"))
        controls.append(menu)
    if scale_toggle:
        box = widgets.Checkbox(view.scaled, description="divide by √d_k", indent=False)
        widgets.link((box, "value"), (view, "scaled"))
        controls.append(box)
    return Live(view, controls)
