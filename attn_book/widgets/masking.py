"""Chapter 5's local widget: which fill value masks a score, and when a mask fails.

The kernel-free explorer of the chapter shows *which* keys a mask hides
(causal, padding, both). This widget serves the other idea of the chapter,
section 5.3: *how* the mask is written into the scores. One query row of six
keys, the last two masked; the reader picks the fill value, whether it
replaces the masked scores or is added to them, the precision, how large the
masked scores are, whether every key is masked, and which softmax runs, and
sees every key's filled score and weight, and a one-line verdict: masked
keys get exactly 0, a tiny weight, a leak, or NaN.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from attn_book.fills import HOW, PRECISIONS, fill_scores, textbook_softmax
from attn_book.heatmap_png import Panel, heatmaps_png
from attn_book.widgets.view import WidgetWithFallback, fit_to_content, guarded_view
from attn_core import softmax as attn_core_softmax
from attn_core._validation import check_int

#: The example query row: the scores of its six keys. The masked keys' own
#: scores (0 here) are replaced by the "masked score" control.
SCORES: np.ndarray = np.array([1.2, 0.4, -0.6, 0.9, 0.0, 0.0])
#: Which keys the query may see (the last two are masked, e.g. future tokens).
ALLOWED: np.ndarray = np.array([True, True, True, True, False, False])
#: The fill values offered: label -> value.
FILLS: dict[str, float] = {"-inf": -np.inf, "-1e9": -1e9, "-1e4": -1e4, "-100": -100.0}
#: The softmaxes offered: attn_core's (an all -inf row gives zeros) or the textbook one.
SOFTMAXES: tuple[str, ...] = ("attn_core", "textbook")
#: Largest masked score the slider offers (below float16's maximum, 65504).
MAX_MASKED_SCORE: int = 20_000


def fill_value_row(
    fill: str,
    how: str,
    precision: str,
    masked_score: float,
    every_key_masked: bool,
    softmax: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The example row's filled scores and weights for one choice of the controls.

    Parameters
    ----------
    fill : str
        A key of :data:`FILLS`.
    how : {"replace", "add"}
        See :func:`attn_book.fills.fill_scores`.
    precision : {"float64", "float16"}
    masked_score : float
        The score of each masked key before the fill, ``0 <= masked_score <=``
        :data:`MAX_MASKED_SCORE`.
    every_key_masked : bool
        Mask all six keys (a row with no allowed key).
    softmax : {"attn_core", "textbook"}

    Returns
    -------
    allowed : ndarray of bool, shape (6,)
    filled : ndarray, shape (6,)
        The scores after the fill, in ``precision``.
    weights : ndarray, shape (6,)
        May hold NaN (the textbook softmax of an all ``-inf`` row).

    Raises
    ------
    ValueError
        For an unknown choice or a masked score out of range.

    Examples
    --------
    >>> row = fill_value_row("-inf", "replace", "float64", 0, False, "attn_core")
    >>> allowed, filled, weights = row
    >>> float(weights[~allowed].sum())
    0.0
    """
    if fill not in FILLS:
        raise ValueError(f"fill must be one of {list(FILLS)}, got {fill!r}")
    if softmax not in SOFTMAXES:
        raise ValueError(f"softmax must be one of {list(SOFTMAXES)}, got {softmax!r}")
    if not 0 <= masked_score <= MAX_MASKED_SCORE:
        raise ValueError(
            f"masked score must be between 0 and {MAX_MASKED_SCORE}, got {masked_score}"
        )
    allowed = np.zeros_like(ALLOWED) if every_key_masked else ALLOWED.copy()
    scores = np.where(ALLOWED, SCORES, float(masked_score))
    filled = fill_scores(scores, allowed, FILLS[fill], how=how, precision=precision)
    weights = textbook_softmax(filled) if softmax == "textbook" else attn_core_softmax(filled)
    return allowed, filled, weights


def row_verdict(allowed: np.ndarray, weights: np.ndarray) -> str:
    """One line on what the mask did to the row, for the widget's title.

    Examples
    --------
    >>> row_verdict(np.array([True, False]), np.array([1.0, 0.0]))
    'masked keys get exactly 0: the mask works'
    """
    if np.isnan(weights).any():
        return "NaN: the row is lost, and NaN spreads to every later layer"
    leaked = float(weights[~allowed].astype(np.float64).sum())
    if not allowed.any():
        if leaked == 0.0:
            return "no key allowed: all zeros (attn_core's rule), no NaN"
        return f"no key allowed, yet the weights sum to {leaked:.3g}: it reads keys it must not"
    if leaked == 0.0:
        return "masked keys get exactly 0: the mask works"
    if leaked < 1e-6:
        return f"masked keys get {leaked:.1e}: in effect 0, not exactly"
    return f"masked keys get {leaked:.1%} of the weight: the mask leaks"


def _number(x: float) -> str:
    return "-inf" if np.isneginf(x) else f"{float(x):g}"


def _fill_png(
    fill: str, how: str, precision: str, masked_score: float, every_key_masked: bool, softmax: str
) -> bytes:
    """The row's weights as one row of cells (value written in each), with the
    masked keys' scores before and after the fill and the verdict in the title."""
    allowed, filled, weights = fill_value_row(
        fill, how, precision, masked_score, every_key_masked, softmax
    )
    after = np.unique(filled[~allowed])
    span = _number(after[0]) if after.size == 1 else f"{_number(after[0])} to {_number(after[-1])}"
    title = (
        f"fill {fill}, {how}, {precision}, {softmax} softmax\n"
        f"masked scores after the fill: {span}\n"
        f"{row_verdict(allowed, weights)}"
    )
    keys = [f"key {j}" + ("" if ok else " (masked)") for j, ok in enumerate(allowed)]
    return heatmaps_png(
        [
            Panel(
                weights.astype(np.float64)[None, :],
                ["weight"],
                keys,
                title=title,
                annotate_all=True,
            )
        ]
    )


def fill_value_widget(
    fill: str = "-1e4",
    how: str = "add",
    precision: str = "float64",
    masked_score: int = 15_000,
    every_key_masked: bool = False,
    softmax: str = "attn_core",
) -> WidgetWithFallback:
    """Chapter 5's widget: fill value, add or replace, precision -> one row's weights.

    Parameters
    ----------
    fill : str
        Starting fill, a key of :data:`FILLS`.
    how : {"replace", "add"}
    precision : {"float64", "float16"}
    masked_score : int
        Starting score of the masked keys, 0 to :data:`MAX_MASKED_SCORE`.
    every_key_masked : bool
    softmax : {"attn_core", "textbook"}

    Returns
    -------
    WidgetWithFallback
        Controls ``fill``, ``how``, ``precision``, ``masked_score``,
        ``every_key_masked`` and ``softmax``; the static book shows the
        starting state (by default the additive fill of ``-1e4`` failing
        against masked scores of 15000).

    Raises
    ------
    TypeError, ValueError
        If a starting value is invalid.
    """
    masked_score = check_int(masked_score, "masked_score", minimum=0, maximum=MAX_MASKED_SCORE)
    if not isinstance(every_key_masked, bool):
        raise TypeError(f"every_key_masked must be a bool, got {every_key_masked!r}")
    fill_value_row(fill, how, precision, masked_score, every_key_masked, softmax)  # checks

    def menu(options: list[str], value: str, description: str) -> widgets.Dropdown:
        return fit_to_content(
            widgets.Dropdown(options=options, value=value, description=description)
        )

    controls = {
        "fill": menu(list(FILLS), fill, "fill"),
        "how": menu(list(HOW), how, "fill is"),
        "precision": menu(list(PRECISIONS), precision, "precision"),
        "masked_score": widgets.IntSlider(
            value=masked_score,
            min=0,
            max=MAX_MASKED_SCORE,
            step=500,
            description="masked score",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="18rem"),
        ),
        "every_key_masked": widgets.Checkbox(
            value=every_key_masked, description="mask every key", indent=False
        ),
        "softmax": menu(list(SOFTMAXES), softmax, "softmax"),
    }
    return guarded_view(
        controls,
        _fill_png,
        alt=(
            f"Weights of one query row with fill {fill} ({how}, {precision}), masked "
            f"scores {masked_score}, {softmax} softmax"
        ),
        layout="beside",
    )
