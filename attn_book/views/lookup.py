"""The soft-lookup view of chapter 2: keys on a plane, a query the reader moves, a temperature.

:func:`lookup_view` gives the view with its controls (query x and y, the
temperature, presets); the query also moves on the plane itself (drag, click,
arrow keys). :func:`lookup_outputs` is what the kernel computes with
:mod:`attn_book.lookup`, and what the page's ``compute`` (``lookup.js``) must equal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets as t

from attn_book.lookup import effective_inputs, hard_lookup, soft_lookup
from attn_book.views import Live, View

#: The temperatures the slider offers, coldest first.
TEMPERATURES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
#: The query moves in steps of this size (sliders, clicks, arrow keys).
STEP = 0.05


def lookup_outputs(
    query: Sequence[float], keys: np.ndarray, values: np.ndarray, temperature: float
) -> dict[str, Any]:
    """What the view shows for one query (x, y) and temperature, with attn_book.lookup.

    Returns
    -------
    dict
        ``query``, ``scores``, ``soft_weights``, ``hard_weights``, ``soft_answer``,
        ``hard_answer`` as lists; ``best`` (the hard lookup's key, the first with the
        largest score), ``ties`` (every key with that score) and ``effective``.
    """
    q = np.asarray(query, dtype=float)
    soft_answer, soft = soft_lookup(q, keys, values, temperature)
    hard_answer, hard = hard_lookup(q, keys, values)
    scores = keys @ q
    best = int(np.argmax(hard))
    return {
        "query": q.tolist(),
        "scores": scores.tolist(),
        "soft_weights": soft.tolist(),
        "hard_weights": hard.tolist(),
        "soft_answer": soft_answer.tolist(),
        "hard_answer": hard_answer.tolist(),
        "best": best,
        "ties": np.flatnonzero(scores == scores[best]).tolist(),
        "effective": float(effective_inputs(soft)),
    }


class LookupView(View):
    """The soft-lookup view (:func:`lookup_view`): read back ``query``, ``soft_weights``,
    ``hard_weights``...; move it with :meth:`move` and :meth:`choose`."""

    name = "lookup"
    names = t.List().tag(sync=True)
    key_points = t.List().tag(sync=True)  # the keys ("keys" is a Widget's own trait)
    values = t.List().tag(sync=True)
    extent = t.Float(2.5).tag(sync=True)
    step = t.Float(STEP).tag(sync=True)
    temperatures = t.List(list(TEMPERATURES)).tag(sync=True)
    presets = t.List().tag(sync=True)  # [{"label", "query", "temperature"}]
    # Inputs: what the reader controls.
    query_x = t.Float(0.0).tag(sync=True)
    query_y = t.Float(0.0).tag(sync=True)
    temperature = t.Float(1.0).tag(sync=True)
    # Outputs: what the kernel computes (online: lookup.js's compute).
    query = t.List().tag(sync=True)
    scores = t.List().tag(sync=True)
    soft_weights = t.List().tag(sync=True)
    hard_weights = t.List().tag(sync=True)
    soft_answer = t.List().tag(sync=True)
    hard_answer = t.List().tag(sync=True)
    best = t.Int(0).tag(sync=True)
    ties = t.List().tag(sync=True)
    effective = t.Float(1.0).tag(sync=True)
    preset = t.Unicode().tag(sync=True)

    def __init__(self, **state: Any) -> None:
        super().__init__(**state)
        self._good = (self.query_x, self.query_y, self.temperature)
        self._update()
        self.observe(lambda _change: self._update(), ["query_x", "query_y", "temperature"])

    def move(self, x: float, y: float, temperature: float | None = None) -> None:
        """Move the query to (x, y), and set the temperature if given."""
        with self.hold_trait_notifications():
            self.query_x, self.query_y = x, y
            self.temperature = self.temperature if temperature is None else temperature

    def choose(self, label: str) -> None:
        """Go to the preset ``label``: its query and its temperature."""
        preset = next(p for p in self.presets if p["label"] == label)
        self.move(*preset["query"], preset["temperature"])

    def _update(self) -> None:
        """Recompute; a bad input (set from Python) is reported and its last good value used."""
        inputs = (self.query_x, self.query_y, self.temperature)
        ok = [math.isfinite(v) and (i < 2 or v > 0) for i, v in enumerate(inputs)]
        x, y, tau = (
            v if fine else last for v, fine, last in zip(inputs, ok, self._good, strict=True)
        )
        try:
            out = lookup_outputs([x, y], np.array(self.key_points), np.array(self.values), tau)
        except ValueError:  # 1 / τ or the scores too large
            self.error = "No lookup: the scores are too large at that temperature."
            return
        with self.hold_sync():
            for key, value in out.items():
                setattr(self, key, value)
            self._good = (x, y, tau)
            here = [
                p["label"] for p in self.presets if p["query"] == [x, y] and p["temperature"] == tau
            ]
            self.preset = here[0] if here else ""
            self.error = "" if all(ok) else "The query must be finite, the temperature positive."


def lookup_view(
    names: Sequence[str],
    keys: Any,
    values: Any,
    *,
    query: Sequence[float] = (0.0, 0.0),
    temperature: float = 1.0,
    presets: Mapping[str, tuple[Sequence[float], float]] | None = None,
    extent: float = 2.5,
    title: str = "Soft lookup explorer",
) -> Live:
    """The soft lookup of a query among 2-D keys, with its controls.

    Parameters
    ----------
    names : sequence of str
        One name per key.
    keys, values : array_like, shapes (n, 2) and (n, d_v)
        The keys (points of the plane) and the value stored under each.
    query : (x, y)
        Where the query starts (multiples of :data:`STEP`).
    temperature : float
        The temperature shown first, one of :data:`TEMPERATURES`.
    presets : mapping of label -> ((x, y), temperature), optional
        A button for each: it moves the query there and sets the temperature.
    extent : float
        The plane shows ``[-extent, extent]`` on both axes.

    Returns
    -------
    Live
        Its ``view`` (:class:`LookupView`) holds the query and the weights.
    """
    view = LookupView(
        title=title,
        names=list(names),
        key_points=np.asarray(keys, dtype=float).tolist(),
        values=np.asarray(values, dtype=float).tolist(),
        extent=extent,
        presets=[
            {"label": label, "query": [float(c) for c in q], "temperature": float(tau)}
            for label, (q, tau) in (presets or {}).items()
        ],
        query_x=query[0],
        query_y=query[1],
        temperature=temperature,
    )
    wide = {"description_width": "initial"}  # the whole label, not cut
    controls: list[widgets.Widget] = []
    for name in ("query_x", "query_y"):
        slider = widgets.FloatSlider(min=-extent, max=extent, step=STEP, style=wide)
        slider.description = name.replace("_", " ")
        widgets.link((view, name), (slider, "value"))
        controls.append(slider)
    tau = widgets.SelectionSlider(
        options=[(f"{v:g}", v) for v in TEMPERATURES], description="temperature τ", style=wide
    )
    tau.observe(lambda change: setattr(view, "temperature", change["new"]), "value")
    go = widgets.ToggleButtons(options=[p["label"] for p in view.presets], description="Go to")
    go.observe(lambda change: change["new"] and view.choose(change["new"]), "value")

    def follow(_change: Any = None) -> None:
        """The controls show the view's temperature (if the slider has it) and preset."""
        tau.value = view.temperature if view.temperature in TEMPERATURES else tau.value
        go.value = view.preset or None

    follow()
    view.observe(follow, ["temperature", "preset"])
    return Live(view, controls + [tau] + ([go] if view.presets else []))
