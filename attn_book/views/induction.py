"""Chapter 6's trained model in a view: a sequence, every head's attention, heads removed.

:func:`induction_outputs` is what the kernel computes with :func:`attn_book.induction.forward`
(a removed head's output times 0, its ``head_mask``), and what the page's ``compute``
(``induction.js``) must equal. The accuracies shown are not computed by the view: they are
measured in Python for every set of heads the reader may remove (``ablation_table``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets as t

from attn_book import induction as ind
from attn_book.views import Live, View, wire


def induction_outputs(
    params: ind.Params,
    tokens: Sequence[int],
    removed: Sequence[Sequence[int]] = (),
    num_heads: int = ind.NUM_HEADS,
) -> dict[str, Any]:
    """What the view shows for one sequence with some heads removed.

    Parameters
    ----------
    params : dict
        A model of :mod:`attn_book.induction`, with ``num_heads`` heads a layer.
    tokens : sequence of int
    removed : sequence of (layer, head)
        The heads removed, counted from 0.

    Returns
    -------
    dict
        ``weights`` (layers * heads, n, n): every head's attention, layer by layer;
        ``probabilities`` (n, vocab) of the next token at each position;
        ``predictions``: the most likely next token at each position.
    """
    gate = ind.head_mask_without([tuple(h) for h in removed], ind.num_layers_of(params), num_heads)
    out = ind.forward(params, [list(tokens)], num_heads=num_heads, head_mask=gate)
    probabilities = ind.next_token_probabilities(out.logits[0])
    return {
        "weights": np.concatenate([w[0] for w in out.weights]),
        "probabilities": probabilities,
        "predictions": probabilities.argmax(axis=-1).tolist(),
    }


def _example(batch: ind.InductionBatch, row: int) -> dict[str, Any]:
    """One evaluation sequence as the view offers it, named by its copies (from 1)."""
    first, second, length = (int(a[row]) for a in (batch.first, batch.second, batch.length))
    return {
        "label": f"copies at {first + 1}-{first + length} and {second + 1}-{second + length}",
        "tokens": batch.tokens[row].tolist(),
        "query": second + length - 2,  # the last position whose next token is predictable
    }


class InductionView(View):
    """The induction view (:func:`induction_view`); read back ``tokens``, ``removed``,
    ``predictions``, ``accuracy`` and ``query`` (the chosen position, from 0)."""

    name = "induction"
    text = t.Unicode().tag(sync=True)
    examples = t.List().tag(sync=True)
    head_names = t.List().tag(sync=True)
    num_heads = t.Int(ind.NUM_HEADS).tag(sync=True)
    vocab_size = t.Int(ind.VOCAB_SIZE).tag(sync=True)
    seq_len = t.Int(ind.SEQ_LEN).tag(sync=True)
    removed = t.List().tag(sync=True)  # [layer, head] pairs, from 0, in head order
    query = t.Int(0).tag(sync=True)
    # Measured in Python: accuracies[k], with the heads of the bits of k removed.
    accuracies = t.List().tag(sync=True)
    eval_size = t.Int().tag(sync=True)
    # Outputs: what the kernel computes (online: induction.js's compute).
    tokens = t.List().tag(sync=True)  # the last good tokens: drawn while the text is bad
    weights = t.Dict().tag(sync=True)
    probabilities = t.Dict().tag(sync=True)
    predictions = t.List().tag(sync=True)

    def __init__(self, params: ind.Params, **state: Any):
        self._params = params
        super().__init__(**state)
        self._update()
        self.observe(lambda _change: self._update(), ["text", "removed"])

    @property
    def accuracy(self) -> float:
        """The accuracy on the repeated part of the evaluation sequences, these heads removed."""
        return self.accuracies[sum(1 << (layer * self.num_heads + h) for layer, h in self.removed)]

    def _update(self) -> None:
        """Recompute; text that is not tokens is reported and the last good tokens drawn, so
        removing heads still recomputes."""
        try:
            tokens = ind.parse_tokens(self.text, vocab_size=self.vocab_size, seq_len=self.seq_len)
            error = ""
        except ValueError as bad_text:  # the reader's text
            tokens, error = self.tokens, str(bad_text)
        out = induction_outputs(self._params, tokens, self.removed, self.num_heads)
        with self.hold_sync():
            self.tokens = tokens
            self.weights = wire(out["weights"])
            self.probabilities = wire(out["probabilities"])
            self.predictions = out["predictions"]
            self.query = min(self.query, len(tokens) - 1)
            self.error = error

    def page_data(self) -> dict[str, Any]:
        return {"params": {name: wire(w, np.float64) for name, w in self._params.items()}}


def induction_view(
    params: ind.Params,
    batch: ind.InductionBatch,
    rows: Sequence[int],
    accuracies: Mapping[tuple[ind.Head, ...], float],
    *,
    num_heads: int = ind.NUM_HEADS,
    title: str = "The trained model: attention, predictions, heads removed",
) -> Live:
    """Chapter 6's view of a trained model, with its controls.

    Parameters
    ----------
    params : dict
        A trained model (:func:`attn_book.induction.train`), ``num_heads`` heads a layer.
    batch : InductionBatch
        The evaluation sequences; its ``rows`` are offered as examples (the first shown).
    accuracies : mapping
        The accuracy on the repeated part of ``batch`` for every set of heads removed:
        :func:`attn_book.induction.ablation_table` with ``max_removed`` all the heads.

    Returns
    -------
    Live
        Its ``view`` (:class:`InductionView`) holds the ``tokens`` shown, the heads
        ``removed``, the ``predictions`` and the ``accuracy``.
    """
    heads = ind.all_heads(ind.num_layers_of(params), num_heads)
    examples = [_example(batch, row) for row in rows]
    subsets = [
        tuple(h for k, h in enumerate(heads) if mask >> k & 1) for mask in range(2 ** len(heads))
    ]
    view = InductionView(
        params,
        title=title,
        text=" ".join(map(str, examples[0]["tokens"])),
        query=examples[0]["query"],
        examples=examples,
        head_names=[ind.head_name(*h) for h in heads],
        num_heads=num_heads,
        vocab_size=len(params["embed"]),
        seq_len=len(params["pos_embed"]),
        accuracies=[float(accuracies[s]) for s in subsets],
        eval_size=len(batch),
    )
    menu = widgets.Dropdown(
        options=[(e["label"], k) for k, e in enumerate(examples)], description="Sequence"
    )

    def choose(change: Any) -> None:
        """An example: its tokens, and its last predictable position chosen."""
        if change["new"] is not None:
            view.text = " ".join(map(str, examples[change["new"]]["tokens"]))
            view.query = examples[change["new"]]["query"]

    menu.observe(choose, "value")
    box = widgets.Text(
        view.text, description="Tokens", continuous_update=False, layout={"width": "26rem"}
    )
    widgets.link((box, "value"), (view, "text"))
    checks = {
        h: widgets.Checkbox(description=f"remove {ind.head_name(*h)}", indent=False) for h in heads
    }

    def remove(_change: Any) -> None:
        """The heads checked are the heads removed."""
        view.removed = [list(h) for h, check in checks.items() if check.value]

    def follow(_change: Any = None) -> None:
        """The controls show the view's state: its example (if the tokens are one), its heads."""
        shown = [k for k, e in enumerate(examples) if e["tokens"] == view.tokens]
        menu.value = shown[0] if shown else None
        wanted = [list(h) in view.removed for h in checks]
        with view.hold_trait_notifications():  # nothing follows a half-updated set of checks
            for check, value in zip(checks.values(), wanted, strict=True):
                check.value = value

    for check in checks.values():
        check.observe(remove, "value")
    follow()
    view.observe(follow, ["tokens", "removed"])
    return Live(view, [menu, box, *checks.values()])
