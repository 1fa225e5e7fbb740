"""Sinusoidal positional encodings (Vaswani et al., 2017, section 3.5).

Self-attention sees a set of vectors, not a sequence: shuffle the tokens
and the outputs shuffle the same way. Adding a position-dependent vector to
each token breaks that symmetry. The Transformer's choice is

    PE[pos, 2i]   = sin(pos / 10000 ** (2i / d_model))
    PE[pos, 2i+1] = cos(pos / 10000 ** (2i / d_model))

one sine/cosine pair per frequency, from one cycle every 2*pi positions
(i = 0) down to one every 10000 * 2*pi positions.
"""

from __future__ import annotations

import numpy as np

from attn_core._validation import check_int


def sinusoidal_encoding(n: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """The (n, d_model) sinusoidal position encodings of Vaswani et al. (2017).

    Parameters
    ----------
    n : int
        Number of positions (0 .. n-1), at least 1.
    d_model : int
        Width of each encoding; a positive even number (sine/cosine pairs).
    base : float, default 10000.0
        The wavelength scale of the paper; must be > 1.

    Returns
    -------
    ndarray, shape (n, d_model), float64
        Row ``pos`` is the encoding added to the token at position ``pos``;
        even columns are sines, odd columns cosines, every entry in [-1, 1].

    Raises
    ------
    TypeError
        If ``n`` or ``d_model`` is not an int.
    ValueError
        If ``n < 1``, ``d_model`` is not a positive even number, or ``base <= 1``.

    Examples
    --------
    >>> pe = sinusoidal_encoding(3, 4)
    >>> pe.shape
    (3, 4)
    >>> pe[0]  # position 0: sin 0 = 0, cos 0 = 1
    array([0., 1., 0., 1.])
    """
    n = check_int(n, "n", minimum=1)
    if check_int(d_model, "d_model") < 2 or d_model % 2:
        raise ValueError(f"d_model must be a positive even number, got {d_model}")
    if not base > 1:
        raise ValueError(f"base must be greater than 1, got {base}")
    positions = np.arange(n)[:, None]  # (n, 1)
    # One frequency per sine/cosine pair: 1 / base**(2i / d_model), i = 0 .. d_model/2 - 1.
    frequencies = base ** (-np.arange(0, d_model, 2) / d_model)  # (d_model/2,)
    angles = positions * frequencies  # (n, d_model/2)
    encoding = np.empty((n, d_model))
    encoding[:, 0::2] = np.sin(angles)
    encoding[:, 1::2] = np.cos(angles)
    return encoding
