"""Chapter 7's tiling stepper: one block of queries meets the key blocks one at a time.

Each step of the online softmax takes one more key block: each query's running maximum,
running sum, output so far and the factor that rescaled the old sums, until the output
equals the full softmax's. :func:`tiling_view` gives the view and its controls; in a kernel
a reader's own step function can drive it. :func:`tiling_outputs` is what the kernel
computes, and what the page's ``compute`` (``tiling.js``) must equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets as t

from attn_book.scale import online_softmax_output, online_softmax_step
from attn_book.views import Live, View, wire
from attn_core import scaled_dot_product_attention

#: The longest sequence and the largest block the view offers; the widths of q, k and v.
MAX_N, MAX_BLOCK, D_K, D_V = 64, 16, 4, 2

Step = Callable[..., Any]


def example_qkv(seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Queries, keys and values of ``MAX_N`` tokens; the scores spread over a few units."""
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(3, MAX_N, D_K))
    return 1.3 * q, 1.3 * k, v[:, :D_V]


def tiling_outputs(
    qkv: Sequence[np.ndarray], state: Mapping[str, Any], step: Step = online_softmax_step
) -> dict[str, Any]:
    """One query block after ``state["done"]`` key blocks, each taken by ``step``.

    ``state`` holds ``n``, ``block``, ``query_block`` (from 0), ``done`` and ``causal``;
    ``query_block`` and ``done`` are clamped to what ``n`` and ``block`` allow. Under a
    causal mask the key blocks after the query block's first query are skipped.

    Returns
    -------
    dict
        ``good`` (n and block, which the page falls back to on bad input), ``query_block``
        and ``done`` (clamped), ``rows`` (the block's queries),
        ``key_blocks``, ``skipped`` (first key of each), per query ``m``, ``total``,
        ``rescale`` (the factor the last step put on the old sums), ``block_max`` (of the
        last block), ``output`` (so far) and ``full`` (the softmax's), and ``difference``.
    """
    (q, k, v), n, block = qkv, state["n"], state["block"]
    first_keys = list(range(0, n, block))
    query_block = min(max(state["query_block"], 0), len(first_keys) - 1)
    rows = np.arange(query_block * block, min((query_block + 1) * block, n))
    key_blocks = [j for j in first_keys if not state["causal"] or j <= rows[0]]
    done = min(max(state["done"], 0), len(key_blocks))
    allowed = np.arange(n) <= rows[:, None] if state["causal"] else np.ones((len(rows), n), bool)
    scores = np.where(allowed, q[rows] @ k[:n].T / np.sqrt(D_K), -np.inf)
    m, total, acc = np.full(len(rows), -np.inf), np.zeros(len(rows)), np.zeros((len(rows), D_V))
    before, block_max = m, m
    for j in key_blocks[:done]:
        s, values = scores[:, j : j + block], v[j : min(j + block, n)]
        before, block_max = m, s.max(axis=-1)
        m, total, acc = (
            np.asarray(x, float) for x in step(m.copy(), total.copy(), acc.copy(), s, values)
        )
    output = online_softmax_output(total, acc)
    full, _ = scaled_dot_product_attention(q[rows], k[:n], v[:n], allowed)
    return {
        "good": {"n": n, "block": block},
        "query_block": query_block,
        "done": done,
        "rows": rows.tolist(),
        "key_blocks": key_blocks,
        "skipped": [j for j in first_keys if j not in key_blocks],
        "m": m,
        "total": total,
        "rescale": np.exp(before - np.where(np.isneginf(m), 0.0, m)),
        "block_max": block_max,
        "output": output,
        "full": full,
        "difference": float(np.abs(output - full).max()),
    }


INPUTS = ("n", "block", "query_block", "done", "causal")
ARRAYS = ("m", "total", "rescale", "block_max", "output", "full")


class TilingView(View):
    """The tiling stepper (:func:`tiling_view`); set its :data:`INPUTS`, read the outputs."""

    name = "tiling"
    max_n = t.Int(MAX_N).tag(sync=True)
    max_block = t.Int(MAX_BLOCK).tag(sync=True)
    # Inputs: what the reader controls (query_block counts from 0).
    n = t.Int(16, min=2, max=MAX_N).tag(sync=True)
    block = t.Int(4, min=1, max=MAX_BLOCK).tag(sync=True)
    query_block = t.Int(0).tag(sync=True)
    done = t.Int(0).tag(sync=True)
    causal = t.Bool(False).tag(sync=True)
    good = t.Dict({"n": 16, "block": 4}).tag(sync=True)
    # Outputs: what the kernel computes (online: tiling.js's compute).
    rows = t.List().tag(sync=True)
    key_blocks = t.List().tag(sync=True)
    skipped = t.List().tag(sync=True)
    m = t.Dict().tag(sync=True)
    total = t.Dict().tag(sync=True)
    rescale = t.Dict().tag(sync=True)
    block_max = t.Dict().tag(sync=True)
    output = t.Dict().tag(sync=True)
    full = t.Dict().tag(sync=True)
    difference = t.Float().tag(sync=True)

    def __init__(self, **state: Any) -> None:
        self._qkv, self._step = example_qkv(), online_softmax_step
        super().__init__(**state)
        self._update()
        self.observe(lambda _change: self._update(), list(INPUTS))

    def use(self, step: Step | None) -> None:
        """Drive the view with another step function (the reader's own; None: the book's)."""
        self._step = step or online_softmax_step
        self._update()

    def _update(self) -> None:
        """Recompute; a reader's step that fails or returns what is not a state is reported,
        and the last good view kept."""
        try:
            out = tiling_outputs(self._qkv, {key: getattr(self, key) for key in INPUTS}, self._step)
            shapes = [out[key].shape for key in ARRAYS]
            rows = len(out["rows"])
            if shapes != [(rows,)] * 4 + [(rows, D_V)] * 2 or not np.isfinite(out["output"]).all():
                want = f"({rows},), ({rows},), ({rows}, {D_V})"
                raise ValueError(f"m, total, acc should be finite, of shapes {want}")
        except Exception as failure:  # the reader's step function
            self.error = f"The step function failed ({type(failure).__name__}: {failure})."
            return
        with self.hold_sync():
            for key, value in out.items():
                setattr(self, key, wire(value, np.float64) if key in ARRAYS else value)
            self.error = ""

    def page_data(self) -> dict[str, Any]:
        return {name: wire(a, np.float64) for name, a in zip("qkv", self._qkv, strict=True)}


def tiling_view(step: Step | None = None, **start: Any) -> Live:
    """The tiling stepper with its controls.

    Parameters
    ----------
    step : callable, optional
        The reader's ``step(m, total, acc, scores, values) -> (m, total, acc)``
        (as :func:`attn_book.scale.online_softmax_step`); the book's by default.
    **start
        Starting values: ``n``, ``block``, ``query_block`` (from 0), ``done``, ``causal``.
    """
    view = TilingView(title="Tiling: one block of queries, the key blocks one at a time", **start)
    view.use(step)
    wide = {"description_width": "initial"}
    n = widgets.IntSlider(view.n, min=2, max=MAX_N, description="n (tokens)", style=wide)
    block = widgets.IntSlider(
        view.block, min=1, max=MAX_BLOCK, description="block size", style=wide
    )
    query = widgets.IntSlider(1, min=1, description="query block", style=wide)
    causal = widgets.Checkbox(view.causal, description="causal", indent=False)
    done = widgets.IntSlider(0, min=0, description="key blocks done", style=wide)
    for control, key in [(n, "n"), (block, "block"), (causal, "causal")]:
        widgets.link((control, "value"), (view, key))
    query.observe(lambda change: setattr(view, "query_block", change["new"] - 1), "value")
    done.observe(lambda change: setattr(view, "done", change["new"]), "value")

    def follow(_change: Any = None) -> None:
        """The sliders' ranges and values follow the view (queries from 1 on screen)."""
        query.max = -(-view.n // view.block)
        query.value = view.query_block + 1
        done.max = len(view.key_blocks)
        done.value = view.done

    follow()
    view.observe(follow, ["query_block", "done", "key_blocks"])
    return Live(view, [n, block, query, causal, done])
