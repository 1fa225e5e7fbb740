"""Chapter 5's fill-value view: how a mask is written into the scores, and when it fails.

One query row of six keys, the last two masked; the reader picks the fill, replace
or add, the precision, the masked keys' scores, every key masked or not, and the
softmax. :func:`fill_outputs` is what the kernel computes (with :mod:`attn_book.fills`),
and what the page's ``compute`` (``fills.js``) must equal, float16 included.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets as t

from attn_book.fills import HOW, PRECISIONS, fill_scores, textbook_softmax
from attn_book.views import Live, View, wire
from attn_core import softmax as attn_core_softmax

#: The query row's scores; the masked keys' own scores (0 here) are the "masked score" control.
SCORES: np.ndarray = np.array([1.2, 0.4, -0.6, 0.9, 0.0, 0.0])
#: Which keys the query may see (the last two are masked, e.g. future tokens).
ALLOWED: np.ndarray = np.array([True, True, True, True, False, False])
#: The fill values offered: label -> value.
FILLS: dict[str, float] = {"-inf": -np.inf, "-1e9": -1e9, "-1e4": -1e4, "-100": -100.0}
#: The menus: attn_core's softmax gives a row of only -inf zeros, the textbook one NaN.
CHOICES: dict[str, list[str]] = {
    "fill": list(FILLS),
    "how": list(HOW),
    "precision": list(PRECISIONS),
    "softmax": ["attn_core", "textbook"],
}
#: The masked score's slider: from, to, step (below float16's largest number, 65504).
SCORE_RANGE: tuple[int, int, int] = (0, 20_000, 500)
#: The controls, in :func:`fill_outputs`' order.
CONTROLS = ("fill", "how", "precision", "masked_score", "every_key_masked", "softmax")


def fill_outputs(
    fill: str, how: str, precision: str, masked_score: int, every_key_masked: bool, softmax: str
) -> dict[str, Any]:
    """The example row for one choice of the controls (``fill`` a key of :data:`FILLS`).

    Returns
    -------
    dict
        ``allowed`` (6 bools); ``filled`` and ``weights`` in ``precision`` (NaN
        possible); ``verdict``: ``"nan"``, ``"zeros"`` or ``"reads"`` (no key
        allowed: all zeros, or weights anyway), ``"exact"``, ``"tiny"`` (below
        1e-6) or ``"leak"`` (what the masked keys get); ``score_ignored``: why the
        masked score changes nothing, ``"replace"``, ``"inf"`` or ``"overflow"``
        (a fill that is -inf in float16), or ``""``.
    """
    allowed = ALLOWED & (not every_key_masked)
    scores = np.where(ALLOWED, SCORES, float(masked_score))
    filled = fill_scores(scores, allowed, FILLS[fill], how=how, precision=precision)
    weights = textbook_softmax(filled) if softmax == "textbook" else attn_core_softmax(filled)
    leaked = float(weights[~allowed].astype(np.float64).sum())
    if np.isnan(weights).any():
        verdict = "nan"
    elif not allowed.any():
        verdict = "zeros" if leaked == 0 else "reads"
    else:
        verdict = "exact" if leaked == 0 else "tiny" if leaked < 1e-6 else "leak"
    fill_value = fill_scores([0.0], [False], FILLS[fill], precision=precision)[0]
    ignored = ""
    if how == "replace":
        ignored = "replace"
    elif np.isneginf(fill_value):
        ignored = "inf" if fill == "-inf" else "overflow"
    return {
        "allowed": allowed.tolist(),
        "filled": filled,
        "weights": weights,
        "verdict": verdict,
        "score_ignored": ignored,
    }


class FillsView(View):
    """The fill-value view (:func:`fills_view`); read back the controls and ``verdict``."""

    name = "fills"
    fill = t.Enum(CHOICES["fill"], "-1e4").tag(sync=True)
    how = t.Enum(CHOICES["how"], "add").tag(sync=True)
    precision = t.Enum(CHOICES["precision"], "float64").tag(sync=True)
    masked_score = t.Int(15_000, min=SCORE_RANGE[0], max=SCORE_RANGE[1]).tag(sync=True)
    every_key_masked = t.Bool(False).tag(sync=True)
    softmax = t.Enum(CHOICES["softmax"], "attn_core").tag(sync=True)
    choices = t.Dict(CHOICES).tag(sync=True)
    score_range = t.List(list(SCORE_RANGE)).tag(sync=True)
    # Outputs: what the kernel computes (online: fills.js's compute).
    allowed = t.List().tag(sync=True)
    filled = t.Dict().tag(sync=True)
    weights = t.Dict().tag(sync=True)
    verdict = t.Unicode().tag(sync=True)
    score_ignored = t.Unicode().tag(sync=True)

    def __init__(self, **state: Any):
        super().__init__(**state)
        self._update()
        self.observe(lambda _change: self._update(), list(CONTROLS))

    def _update(self) -> None:
        """Recompute the row from the controls (float64 on the wire: the view prints them)."""
        out = fill_outputs(*(getattr(self, key) for key in CONTROLS))
        with self.hold_sync():
            for key in ("allowed", "verdict", "score_ignored"):
                setattr(self, key, out[key])
            self.filled = wire(out["filled"], np.float64)
            self.weights = wire(out["weights"], np.float64)

    def page_data(self) -> dict[str, Any]:
        return {
            "scores": wire(SCORES, np.float64),
            "allowed": ALLOWED.tolist(),
            "fills": wire(list(FILLS.values()), np.float64),
        }


def fills_view(**start: Any) -> Live:
    """Chapter 5's fill-value view with its controls.

    ``start`` gives controls a starting value (names as in :func:`fill_outputs`);
    by default an additive fill of -1e4 against masked scores of 15000, where the
    masked keys take the weight (the chapter's case (a)).
    """
    view = FillsView(title="Fill values: one query row of six keys, the last two masked", **start)

    def linked(control: widgets.ValueWidget, key: str) -> widgets.ValueWidget:
        """The control, linked to the view's ``key`` (and starting from its value)."""
        control.value = getattr(view, key)
        widgets.link((control, "value"), (view, key))
        return control

    menus = {
        key: linked(widgets.Dropdown(options=options, description=key), key)
        for key, options in CHOICES.items()
    }
    menus["how"].description = "fill is"
    score = linked(widgets.IntSlider(0, *SCORE_RANGE, description="masked score"), "masked_score")
    score.style.description_width = "initial"
    widgets.dlink((view, "score_ignored"), (score, "disabled"), bool)  # the view says why
    every = linked(widgets.Checkbox(description="mask every key", indent=False), "every_key_masked")
    return Live(
        view, [menus["fill"], menus["how"], menus["precision"], score, every, menus["softmax"]]
    )
