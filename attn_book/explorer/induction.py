"""A kernel-free explorer of chapter 6's trained model: its forward pass runs in the page.

:func:`induction_explorer` writes one self-contained HTML fragment: the
trained parameters of :mod:`attn_book.induction` (rounded to 9 significant
digits), a few example sequences, the head names and the colour ramp as
JSON, the stylesheet ``induction.css`` and the script ``induction.js``. In
the static book, offline, with no kernel, the reader picks an example or
types a token sequence, removes heads, and sees every head's attention and
the predicted next token at every position, recomputed in JavaScript by the
same forward pass as :func:`attn_book.induction.forward`. The browser tests
compare the page with :meth:`InductionExplorer.predict` to 1e-6.

Typed tokens follow :func:`attn_book.induction.parse_tokens` (the script
gives the same messages); bad input leaves the last sequence shown. Safety,
as in every fragment of the book: the data goes in through
:func:`attn_book.explorer.fragment.json_for_script`, every text (the
reader's input included) is inserted with ``textContent``, and the static
table shown without JavaScript is escaped. Heads are named from 1
(:func:`attn_book.induction.head_name`); the weights and probabilities take
the colours of :mod:`attn_book.colors`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from attn_book import induction as ind
from attn_book.plots import browser_ramp
from attn_book.explorer.fragment import Fragment, check_title, weight_cell
from attn_core._validation import check_int

#: Significant digits of the exported weights (the page stays small; the
#: predictions move by far less than the tests' 1e-6).
DIGITS = 9


def rounded(array: Any, digits: int = DIGITS) -> np.ndarray:
    """``array`` rounded to ``digits`` significant digits, as the page receives it.

    Examples
    --------
    >>> rounded(np.array([1.23456789012, -0.000123456789012])).tolist()
    [1.23456789, -0.000123456789]
    """
    array = np.asarray(array, dtype=np.float64)
    flat = [float(f"{value:.{digits}g}") for value in array.ravel().tolist()]
    return np.array(flat, dtype=np.float64).reshape(array.shape)


class InductionExplorer(Fragment):
    """The kernel-free induction explorer (see :func:`induction_explorer`).

    Attributes
    ----------
    data : dict
        What the page's script receives.
    params : dict of str to ndarray
        The parameters as exported (rounded), which the page computes with.
    element_id : str
        The root element's id, from a hash of the content.
    """

    component = "induction"

    def __init__(self, data: dict[str, Any], params: ind.Params) -> None:
        super().__init__(data)
        self.params = params

    def predict(
        self, tokens: Sequence[int], removed: Iterable[int] = ()
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """What the page shows for one state, computed by :func:`attn_book.induction.forward`.

        Parameters
        ----------
        tokens : sequence of int
            One sequence.
        removed : iterable of int
            Heads removed, numbered as the page's checkboxes:
            ``layer * num_heads + head`` (from 0).

        Returns
        -------
        weights : list of ndarray, shape (num_heads, n, n)
            Each layer's attention weights.
        probs : ndarray, shape (n, vocab)
            Probability of each next token at each position.
        """
        num_heads = self.data["num_heads"]
        num_layers = self.data["num_layers"]
        last = num_layers * num_heads - 1
        pairs = [divmod(check_int(i, "removed head", 0, last), num_heads) for i in removed]
        gate = ind.head_mask_without(pairs, num_layers, num_heads)
        out = ind.forward(self.params, [list(tokens)], num_heads=num_heads, head_mask=gate)
        return [w[0] for w in out.weights], ind.next_token_probabilities(out.logits[0])

    def _static(self) -> str:
        """The first example's predictions as a plain table, for pages without JavaScript."""
        example = self.data["examples"][self.data["defaults"]["example"]]
        tokens = example["tokens"]
        _, probs = self.predict(tokens)
        best = probs.argmax(axis=1)
        confidence = probs[np.arange(len(tokens)), best]
        cells = [
            weight_cell(p, f"{int(b)} ({p:.2f})") for b, p in zip(best, confidence, strict=True)
        ]
        return (
            '<table class="ai-static-table"><tr><th>position</th>'
            + "".join(f"<td>{i}</td>" for i in range(len(tokens)))
            + "</tr><tr><th>token</th>"
            + "".join(f"<td>{int(t)}</td>" for t in tokens)
            + "</tr><tr><th>predicts (probability)</th>"
            + "".join(cells)
            + '</tr></table><p class="ai-note">'
            + html.escape(example["label"])
            + ": the trained model's prediction of the next token at each position. "
            "The interactive explorer needs JavaScript.</p>"
        )

    def __repr__(self) -> str:
        labels = [e["label"] for e in self.data["examples"]]
        return f"InductionExplorer({self.data['title']!r}, examples={labels!r})"


def example_label(batch: ind.InductionBatch, row: int) -> str:
    """How the explorer names one sequence of a batch: where its two copies are.

    Examples
    --------
    >>> batch = ind.make_batch(0, 1)
    >>> example_label(batch, 0)
    'copies at 10-14 and 15-19'
    """
    first, second = int(batch.first[row]), int(batch.second[row])
    last = int(batch.length[row]) - 1
    return f"copies at {first}-{first + last} and {second}-{second + last}"


def induction_explorer(
    params: ind.Params,
    batch: ind.InductionBatch,
    rows: Sequence[int],
    *,
    title: str = "Induction explorer",
    num_heads: int = ind.NUM_HEADS,
) -> InductionExplorer:
    """Build a kernel-free explorer of a trained model of :mod:`attn_book.induction`.

    Parameters
    ----------
    params : dict
        Trained parameters (:func:`attn_book.induction.train`); exported
        rounded to :data:`DIGITS` significant digits.
    batch : InductionBatch
        Where the example sequences come from.
    rows : sequence of int
        The rows of ``batch`` offered as examples (the first is shown first).
        Each starts with the position before the last token of its second
        copy selected.
    title : str
        Heading shown above the explorer (as text).
    num_heads : int
        Heads per layer of ``params``.

    Returns
    -------
    InductionExplorer

    Raises
    ------
    TypeError, ValueError
        For no rows, a row outside the batch, or a title that is not a str.

    Examples
    --------
    >>> explorer = induction_explorer(ind.init_params(0), ind.make_batch(0, 3), [2, 0])
    >>> explorer.element_id.startswith("attn-induction-")
    True
    >>> [len(w) for w in explorer.predict([1, 2, 3])[0]]
    [2, 2]
    """
    check_title(title)
    rows = [check_int(r, "each of rows", minimum=0, maximum=len(batch) - 1) for r in rows]
    if not rows:
        raise ValueError("rows is empty; give at least one example sequence")
    exported = {name: rounded(value) for name, value in params.items()}
    num_layers = ind.num_layers_of(exported)
    examples = []
    for row in rows:
        tokens = [int(t) for t in batch.tokens[row]]
        query = int(batch.second[row] + batch.length[row] - 2)
        examples.append({"label": example_label(batch, row), "tokens": tokens, "query": query})
    data = {
        "title": title,
        "vocab_size": len(exported["embed"]),
        "seq_len": len(exported["pos_embed"]),
        "d_model": exported["embed"].shape[1],
        "num_heads": int(num_heads),
        "num_layers": num_layers,
        "head_names": [
            ind.head_name(layer, head) for layer, head in ind.all_heads(num_layers, num_heads)
        ],
        "params": {
            "embed": exported["embed"].tolist(),
            "pos_embed": exported["pos_embed"].tolist(),
            "layers": [
                {name: exported[f"layer{layer}.{name}"].tolist() for name in ind.LAYER_WEIGHTS}
                for layer in range(1, num_layers + 1)
            ],
            "unembed": exported["unembed"].tolist(),
        },
        "examples": examples,
        # The weight ramp of attn_book.colors: the page carries no colours of its own.
        "colours": browser_ramp(),
        "defaults": {"example": 0},
    }
    return InductionExplorer(data, exported)
