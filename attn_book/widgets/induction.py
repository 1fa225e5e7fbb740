"""Chapter 6's local widget: type a token sequence, pick a head, remove heads.

It shows the chosen head's attention on the sequence and the model's
next-token probabilities at every position, and says how accurate the model
is on the repeated part of the evaluation sequences with those heads removed
(:func:`attn_book.induction.ablation_table`, measured once, when the widget
is built, or passed in: a change of the menu then only redraws). Built with
:func:`attn_book.widgets.view.guarded_view` and drawn with Pillow
(:func:`attn_book.heatmap_png.heatmaps_png`) in the book's colour ramp;
grey cells are masked (the future). Typed tokens follow
:func:`attn_book.induction.parse_tokens`; bad input shows a short message
and the last figure stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

import ipywidgets as widgets

from attn_book import induction as ind
from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.widgets.view import WidgetWithFallback, fit_to_content, guarded_view
from attn_core import causal_mask
from attn_core._validation import check_int

#: Pixels per heatmap cell: a 24-token sequence and its 16 next-token
#: probabilities fit side by side in a notebook's width.
_CELL = 18


def removal_options(
    num_layers: int = 2, num_heads: int = ind.NUM_HEADS
) -> list[tuple[str, tuple[ind.Head, ...]]]:
    """The "remove" menu: no head, each head, each pair (as the chapter's ablation table).

    Examples
    --------
    >>> [label for label, _ in removal_options()][:3]
    ['none', 'layer 1 head 1', 'layer 1 head 2']
    >>> len(removal_options())
    11
    """
    heads = ind.all_heads(num_layers, num_heads)
    options = []
    for size in (0, 1, 2):
        for removed in combinations(heads, size):
            label = " + ".join(ind.head_name(*h) for h in removed) or "none"
            options.append((label, removed))
    return options


def induction_widget(
    params: ind.Params,
    batch: ind.InductionBatch,
    *,
    row: int = 0,
    head: ind.Head = (1, 0),
    num_heads: int = ind.NUM_HEADS,
    accuracies: Mapping[tuple[ind.Head, ...], float] | None = None,
) -> WidgetWithFallback:
    """Chapter 6's widget: tokens, head, heads removed -> attention, predictions, accuracy.

    Parameters
    ----------
    params : dict
        A trained model (:func:`attn_book.induction.train`).
    batch : InductionBatch
        Evaluation sequences: the accuracy is measured on them, and row
        ``row`` is the sequence shown first.
    row : int
        The starting sequence, a row of ``batch``.
    head : (int, int)
        The starting head, ``(layer, head)`` from 0 (the menu says
        "layer 2 head 1" for ``(1, 0)``).
    num_heads : int
        Heads per layer of ``params``.
    accuracies : mapping, optional
        The accuracy on the repeated part of ``batch`` for every choice of
        the remove menu, keyed by the removed heads, as
        :func:`attn_book.induction.ablation_table` returns it (a chapter that
        has printed that table passes it). By default the widget measures it
        when it is built: one forward pass over ``batch`` per choice (about
        0.4 s for 500 sequences), so that no change of the menu waits for one.

    Returns
    -------
    WidgetWithFallback
        Controls ``tokens`` (a text box), ``head`` (a menu of the heads) and
        ``remove`` (a menu: none, one head or two).

    Raises
    ------
    TypeError, ValueError
        For a row outside the batch, a head outside the model, or
        ``accuracies`` without an entry for a choice of the remove menu.
    """
    row = check_int(row, "row", minimum=0, maximum=len(batch) - 1)
    num_layers = ind.num_layers_of(params)
    heads = ind.all_heads(num_layers, num_heads)
    if tuple(head) not in heads:
        raise ValueError(f"head must be one of {heads} (layer, head from 0), got {head!r}")
    vocab_size, seq_len = len(params["embed"]), len(params["pos_embed"])
    choices = [removed for _, removed in removal_options(num_layers, num_heads)]
    if accuracies is None:
        accuracies = ind.ablation_table(params, batch, num_heads=num_heads)
    missing = [removed for removed in choices if removed not in accuracies]
    if missing:
        raise ValueError(
            "accuracies must have an entry for every choice of the remove menu (as "
            f"ablation_table returns), got none for {missing[:3]}"
        )

    def accuracy_without(removed: tuple[ind.Head, ...]) -> float:
        return float(accuracies[removed])

    tokens_box = widgets.Text(
        value=" ".join(str(t) for t in batch.tokens[row]),
        description="tokens",
        continuous_update=False,
        layout=widgets.Layout(width="360px"),
    )
    head_menu = fit_to_content(
        widgets.Dropdown(
            options=[(ind.head_name(*h), h) for h in heads], value=tuple(head), description="head"
        )
    )
    remove_menu = fit_to_content(
        widgets.Dropdown(
            options=removal_options(num_layers, num_heads), value=(), description="remove"
        )
    )

    def render(tokens: str, head: ind.Head, remove: tuple[ind.Head, ...]) -> bytes:
        sequence = ind.parse_tokens(tokens, vocab_size=vocab_size, seq_len=seq_len)
        gate = ind.head_mask_without(remove, num_layers, num_heads)
        out = ind.forward(params, [sequence], num_heads=num_heads, head_mask=gate)
        probs = ind.next_token_probabilities(out.logits[0])
        labels = [str(t) for t in sequence]
        layer, index = head
        removed_text = " + ".join(ind.head_name(*h) for h in remove) or "none"
        status = " (removed)" if tuple(head) in remove else ""
        return heatmaps_png(
            [
                Panel(
                    out.weights[layer][0, index],
                    labels,
                    labels,
                    title=f"{ind.head_name(layer, index)}{status}: attention\n"
                    f"heads removed: {removed_text}",
                    xlabel="key token",
                    ylabel="query token",
                    annotate_row=False,
                    masked=~causal_mask(len(sequence)),
                ),
                Panel(
                    probs,
                    labels,
                    [str(t) for t in range(vocab_size)],
                    title="next-token probabilities\n"
                    f"accuracy on the repeated part: {accuracy_without(tuple(remove)):.3f}",
                    xlabel="next token",
                    annotate_row=False,
                ),
            ],
            cell=_CELL,
        )

    def note(tokens: str, head: ind.Head, remove: tuple[ind.Head, ...]) -> str:
        intact = accuracy_without(())
        chance = 1 / vocab_size
        if not remove:
            return (
                f"Accuracy on the repeated part of {len(batch)} evaluation sequences: "
                f"{intact:.3f} (chance {chance:.3f})."
            )
        removed_text = " + ".join(ind.head_name(*h) for h in remove)
        return (
            f"Accuracy on the repeated part of {len(batch)} evaluation sequences without "
            f"{removed_text}: {accuracy_without(tuple(remove)):.3f} (intact model {intact:.3f}, "
            f"chance {chance:.3f})."
        )

    return guarded_view(
        {"tokens": tokens_box, "head": head_menu, "remove": remove_menu},
        render,
        alt=f"Attention of {ind.head_name(*head)} and next-token probabilities of the trained "
        "model on one sequence",
        note=note,
    )
