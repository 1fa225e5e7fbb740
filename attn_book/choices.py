"""What a reader can choose in the widgets and the explorer, defined once.

- :data:`MASK_CHOICES` and :func:`mask_for_choice`: the mask menu (one
  spelling of each name) and the boolean mask each choice means, for the
  kernel-free explorer's Python reference (``AttentionExplorer.weights_for``)
  and, as the rules it is sent in its data and tested against, the
  explorer's JavaScript;
- :func:`head_choices`: the numbers of heads a model width allows;
- :func:`head_label`: how a head is named to a reader, counting from 1 (code
  counts from 0).

The book's padding convention (PyTorch's ``key_padding_mask``): a padding
mask masks **keys** only. No query attends to a padding key; a padding query
row still attends to the real keys, and its output is discarded. Only a row
with no allowed key at all (e.g. the first position, if it is padding, under
the causal mask) gets zero weights, by attn_core's rule for fully masked rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from attn_core import causal_mask, combine_masks
from attn_core._validation import check_int

#: Mask choice -> which masks it combines (logical and).
MASK_RULES: dict[str, dict[str, bool]] = {
    "none": {"causal": False, "padding": False},
    "causal": {"causal": True, "padding": False},
    "padding": {"causal": False, "padding": True},
    "causal + padding": {"causal": True, "padding": True},
}
#: The mask choices offered to a reader, in menu order.
MASK_CHOICES: tuple[str, ...] = tuple(MASK_RULES)


def check_mask_choice(choice: Any, name: str = "mask") -> str:
    """Return ``choice`` if it is one of :data:`MASK_CHOICES`, else raise naming ``name``.

    Raises
    ------
    ValueError
        For anything else (the message lists the choices).
    """
    if not isinstance(choice, str) or choice not in MASK_RULES:
        raise ValueError(f"{name} must be one of {list(MASK_CHOICES)}, got {choice!r}")
    return choice


def mask_for_choice(choice: str, real: Sequence[bool]) -> np.ndarray:
    """The boolean attention mask a mask choice means, for one sequence.

    Built from :func:`attn_core.causal_mask` and a key padding mask, combined
    with :func:`attn_core.combine_masks`. The key padding mask is ``real`` as
    one row, shape ``(1, n)``: the same as
    ``attn_core.key_padding_mask([length], n)[0]`` when the padding is at the
    end, and it also allows padding anywhere (e.g. on the left).

    Parameters
    ----------
    choice : str
        One of :data:`MASK_CHOICES`.
    real : sequence of bool, length n
        Which positions hold real tokens (False = padding). Used only by the
        padding choices.

    Returns
    -------
    ndarray of bool, shape (n, n)
        True = this query may attend to this key. Padding choices mask the
        padding *keys* (columns) only; a padding query row keeps the real keys
        (its output is discarded).

    Raises
    ------
    ValueError
        For an unknown choice, or ``real`` empty or not 1-D.
    TypeError
        If ``real`` is not boolean.

    Examples
    --------
    >>> mask_for_choice("causal + padding", [True, True, False]).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 0]])
    """
    rule = MASK_RULES[check_mask_choice(choice)]
    real = np.asarray(real)
    if real.ndim != 1 or real.size == 0:
        raise ValueError(f"real must be a non-empty 1-D sequence of bool, got shape {real.shape}")
    if real.dtype != bool:
        raise TypeError(f"real must hold bool (True = real token), got dtype {real.dtype}")
    n = real.size
    masks = [np.ones((n, n), dtype=bool)]
    if rule["causal"]:
        masks.append(causal_mask(n))
    if rule["padding"]:
        masks.append(real[None, :])  # keys only: every query row, padding or not
    return combine_masks(*masks)


def head_choices(d_model: int) -> list[int]:
    """The numbers of heads that divide ``d_model`` (the only valid choices).

    Parameters
    ----------
    d_model : int
        Model width, at least 1.

    Returns
    -------
    list of int
        Ascending.

    Raises
    ------
    TypeError, ValueError
        For a ``d_model`` that is not an int of at least 1.

    Examples
    --------
    >>> head_choices(8)
    [1, 2, 4, 8]
    """
    d_model = check_int(d_model, "d_model", minimum=1)
    return [h for h in range(1, d_model + 1) if d_model % h == 0]


def head_label(head: int, num_heads: int) -> str:
    """A head's name for a reader: counted from 1, e.g. ``"head 1 of 4"`` for index 0.

    Parameters
    ----------
    head : int
        Index of the head, ``0 <= head < num_heads`` (code counts from 0).
    num_heads : int
        Number of heads, at least 1.

    Returns
    -------
    str

    Raises
    ------
    TypeError, ValueError
        For non-int arguments or a head index out of range.

    Examples
    --------
    >>> head_label(0, 4)
    'head 1 of 4'
    """
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    head = check_int(head, "head", minimum=0, maximum=num_heads - 1)
    return f"head {head + 1} of {num_heads}"
