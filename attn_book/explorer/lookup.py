"""A kernel-free soft-lookup explorer: keys on a plane, a query the reader moves, a temperature.

Chapter 2 calls attention a soft dictionary lookup. :func:`lookup_explorer`
writes one self-contained HTML fragment (inline CSS, data and script, from
``lookup.css`` and ``lookup.js``) that shows it in the page, with no kernel:

- the keys as points on a plane, each with its name and its value;
- the query as a point the reader moves: drag it or click the plane, or use
  the two sliders (keyboard: arrow keys, Page Up/Down, Home/End), or jump to
  one of the chapter's examples (one where the query aligns with one key, one
  where it aligns with several);
- a temperature slider (the temperature is τ);
- for every key its score ``q . k``, its soft weight
  ``softmax(scores / τ)`` (a bar in the book's weight colours) and its hard
  weight (1 for the best key, 0 for the others), and both answers: the
  weighted mix of the values and the best key's value, with the effective
  number of keys ``1 / sum(w**2)``.

The page computes exactly what :func:`attn_book.lookup.soft_lookup`,
:func:`~attn_book.lookup.hard_lookup` and
:func:`~attn_book.lookup.effective_inputs` compute (a softmax with the
maximum subtracted; the first key wins a tie); :meth:`LookupExplorer.state_for`
gives Python's numbers for any state, and the browser tests compare the two
to 1e-6. The query moves on a grid of :data:`STEP` and the temperature takes
the values of :data:`TEMPERATURES`, so every state the page can show is one
Python can name.

Safety, as for the other explorers: the data goes in as JSON made safe for a
``<script>`` (:func:`attn_book.explorer.fragment.json_for_script`), the script
inserts names and labels with ``textContent``, and the static table shown
where scripts do not run escapes them with :func:`html.escape`.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from attn_book.colors import browser_ramp
from attn_book.explorer.fragment import Fragment, check_title, weight_cell
from attn_book.lookup import effective_inputs, hard_lookup, soft_lookup

#: The temperatures the slider offers, coldest first.
TEMPERATURES: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
#: The grid the query moves on (both coordinates are multiples of it).
STEP = 0.05
#: At most this many keys (the table and the plane stay readable on a phone).
MAX_KEYS = 8
#: At most this many numbers in a value.
MAX_VALUE_WIDTH = 4
#: At most this many characters in a key's name.
MAX_NAME = 32


def _on_grid(value: float) -> bool:
    return abs(value / STEP - round(value / STEP)) < 1e-9


def _point(value: Any, name: str, extent: float | None = None) -> list[float]:
    """A 2-D point on the query grid, as two floats."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be two numbers (x, y), got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be two numbers (x, y), got {value!r}") from None
    if arr.shape != (2,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be two finite numbers (x, y), got {value!r}")
    if not all(_on_grid(float(c)) for c in arr):
        raise ValueError(
            f"{name} must have coordinates that are multiples of {STEP} "
            f"(the grid the query moves on), got {arr.tolist()}"
        )
    if extent is not None and np.any(np.abs(arr) > extent + 1e-9):
        raise ValueError(f"{name} {arr.tolist()} lies outside the plane [-{extent}, {extent}]")
    # The same numbers the page uses: the nearest float to a multiple of STEP.
    return [round(round(float(c) / STEP) * STEP, 10) for c in arr]


def _temperature(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"temperature must be a number, got {value!r}")
    matches = [t for t in TEMPERATURES if math.isclose(float(value), t)]
    if not matches:
        raise ValueError(f"temperature must be one of the slider's {TEMPERATURES}, got {value!r}")
    return matches[0]


class LookupExplorer(Fragment):
    """A self-contained HTML soft-lookup explorer (see :func:`lookup_explorer`).

    Attributes
    ----------
    data : dict
        What the page's script receives: names, keys, values, the
        temperatures, the query grid, the examples, the defaults and the colour ramp.
    element_id : str
        The root element's id, derived from a hash of the content.
    """

    component = "lookup"

    def state_for(self, query: Any, temperature: float) -> dict[str, Any]:
        """What the explorer shows for one query and temperature, computed by attn_book.lookup.

        Parameters
        ----------
        query : array_like, shape (2,)
            The query (any point; the page's points lie on the grid).
        temperature : float
            Any temperature > 0.

        Returns
        -------
        dict
            ``scores`` (n,), ``soft`` (n,) and ``hard`` (n,) weights,
            ``soft_answer`` and ``hard_answer`` (d_v,), ``best`` (index of the
            best key) and ``effective`` (the effective number of keys), as arrays
            and numbers.
        """
        keys = np.asarray(self.data["keys"], dtype=float)
        values = np.asarray(self.data["values"], dtype=float)
        query = np.asarray(query, dtype=float)
        soft_answer, soft = soft_lookup(query, keys, values, temperature)
        hard_answer, hard = hard_lookup(query, keys, values)
        return {
            "scores": keys @ query,
            "soft": soft,
            "hard": hard,
            "soft_answer": soft_answer,
            "hard_answer": hard_answer,
            "best": int(np.argmax(hard)),
            "effective": effective_inputs(soft),
        }

    def _static(self) -> str:
        """The first state as a plain HTML table, shown where scripts do not run."""
        d = self.data["defaults"]
        state = self.state_for(d["query"], d["temperature"])
        rows = [
            "<tr><th>key</th><th>value</th><th>score q·k</th>"
            "<th>soft weight</th><th>hard weight</th></tr>"
        ]
        for j, name in enumerate(self.data["names"]):
            value = ", ".join(f"{v:g}" for v in self.data["values"][j])
            soft = state["soft"][j]
            rows.append(
                f"<tr><th>{html.escape(name)}</th><td>({value})</td>"
                f"<td>{state['scores'][j]:.2f}</td>{weight_cell(soft, f'{soft:.3f}')}"
                f"<td>{state['hard'][j]:.0f}</td></tr>"
            )
        q = ", ".join(f"{c:g}" for c in d["query"])
        return (
            f'<table class="al-static-table">{"".join(rows)}</table>'
            f'<p class="al-static-note">Query ({q}), temperature {d["temperature"]:g}. '
            "The interactive explorer needs JavaScript.</p>"
        )

    def __repr__(self) -> str:
        return f"LookupExplorer({self.data['title']!r}, keys={self.data['names']!r})"


def lookup_explorer(
    names: Sequence[str],
    keys: Any,
    values: Any,
    *,
    query: Any = (0.0, 0.0),
    temperature: float = 1.0,
    examples: Mapping[str, Any] | None = None,
    extent: float | None = None,
    title: str = "Soft lookup explorer",
) -> LookupExplorer:
    """Build a kernel-free explorer of a soft lookup with 2-D keys.

    Parameters
    ----------
    names : sequence of str
        One name per key (2 to :data:`MAX_KEYS`, distinct, at most
        :data:`MAX_NAME` characters), shown as text.
    keys : array_like, shape (n, 2)
        The keys, points of the plane.
    values : array_like, shape (n, d_v)
        The value stored under each key (``1 <= d_v <=`` :data:`MAX_VALUE_WIDTH`).
    query : array_like, shape (2,)
        Where the query starts; coordinates on the :data:`STEP` grid.
    temperature : float
        The temperature shown first, one of :data:`TEMPERATURES`.
    examples : mapping, optional
        Label -> query position: a button for each moves the query there
        (e.g. one position that aligns with one key and one that aligns with
        several). Positions on the grid, inside the plane.
    extent : float, optional
        The plane shows ``[-extent, extent]`` on both axes. Default: the
        smallest multiple of 0.5 that holds every key, the query and the
        examples with a margin.
    title : str
        Heading shown above the explorer (as text).

    Returns
    -------
    LookupExplorer
        Displays as the explorer in a notebook or the rendered book.

    Raises
    ------
    TypeError
        Names that are not str, arrays that are not numeric, a temperature,
        query, example or title of the wrong type.
    ValueError
        Too few or too many keys, names that repeat or are empty or too long,
        keys not of shape (n, 2), values with another number of rows or too
        wide, NaN or inf, a temperature not offered, a query or example off
        the grid or outside the plane, or a non-positive extent.

    Examples
    --------
    >>> explorer = lookup_explorer(
    ...     ["cat", "dog"], [[1.0, 0.0], [0.0, 1.0]], [[10.0], [20.0]], query=[1.0, 1.0]
    ... )
    >>> explorer.state_for([1.0, 1.0], 1.0)["soft"]
    array([0.5, 0.5])
    """
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"names must be a list of str, got {names!r}")
    names = list(names)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"each name must be a str, got {name!r}")
        if not name.strip() or len(name) > MAX_NAME:
            raise ValueError(f"each name must have 1 to {MAX_NAME} characters, got {name!r}")
    if not 2 <= len(names) <= MAX_KEYS:
        raise ValueError(f"give 2 to {MAX_KEYS} keys, got {len(names)} names")
    if len(set(names)) != len(names):
        raise ValueError(f"names must be distinct, got {names}")
    keys_arr = np.asarray(keys)
    values_arr = np.asarray(values)
    for label, arr in (("keys", keys_arr), ("values", values_arr)):
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"{label} must be numeric, got dtype {arr.dtype}")
    keys_arr = keys_arr.astype(float)
    values_arr = values_arr.astype(float)
    if keys_arr.shape != (len(names), 2):
        raise ValueError(
            f"keys must have shape ({len(names)}, 2): one 2-D key per name, got {keys_arr.shape}"
        )
    if (
        values_arr.ndim != 2
        or values_arr.shape[0] != len(names)
        or not 1 <= values_arr.shape[1] <= MAX_VALUE_WIDTH
    ):
        raise ValueError(
            f"values must have shape ({len(names)}, d_v) with 1 <= d_v <= {MAX_VALUE_WIDTH}, "
            f"got {values_arr.shape}"
        )
    if not (np.all(np.isfinite(keys_arr)) and np.all(np.isfinite(values_arr))):
        raise ValueError("keys and values must be finite (no NaN or inf)")
    temperature = _temperature(temperature)
    check_title(title)
    examples = {} if examples is None else examples
    if not isinstance(examples, Mapping):
        raise TypeError(f"examples must be a mapping of label -> (x, y), got {examples!r}")
    start = _point(query, "query")
    points = {}
    for label, position in examples.items():
        if not isinstance(label, str) or not label.strip():
            raise TypeError(f"each example label must be a non-empty str, got {label!r}")
        points[label] = _point(position, f"example {label!r}")
    if extent is None:
        reach = max(
            [float(np.abs(keys_arr).max()), *map(abs, start)]
            + [abs(c) for p in points.values() for c in p]
        )
        extent = max(1.0, math.ceil(1.2 * reach / 0.5) * 0.5)
    if isinstance(extent, bool) or not isinstance(extent, numbers.Real):
        raise TypeError(f"extent must be a number, got {extent!r}")
    if not math.isfinite(extent) or extent <= 0 or not _on_grid(float(extent)):
        raise ValueError(f"extent must be a positive multiple of {STEP}, got {extent!r}")
    extent = float(extent)
    _point(start, "query", extent)
    for label, position in points.items():
        _point(position, f"example {label!r}", extent)
    data = {
        "title": title,
        "names": names,
        "keys": keys_arr.tolist(),
        "values": values_arr.tolist(),
        "temperatures": list(TEMPERATURES),
        "step": STEP,
        "extent": extent,
        "examples": [{"label": label, "query": p} for label, p in points.items()],
        "defaults": {"query": start, "temperature": temperature},
        # The weight ramp of attn_book.colors: the page carries no colours of its own.
        "colours": browser_ramp(),
    }
    return LookupExplorer(data)
