"""Sinusoidal positional encodings (Vaswani et al., 2017, section 3.5).

Self-attention sees a set: shuffle the tokens and the outputs shuffle the
same way. Adding a vector that depends on the position breaks that symmetry:

    PE[pos, 2i]   = sin(pos / base ** (2i / d_model))
    PE[pos, 2i+1] = cos(pos / base ** (2i / d_model)),   base = 10000
"""

import numpy as np

from attn_core import _checks as check


def sinusoidal_encoding(n: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """The (n, d_model) sinusoidal position encodings of Vaswani et al. (2017).

    Parameters
    ----------
    n : int
        Number of positions 0 .. n-1, at least 0.
    d_model : int
        Width of each encoding, a positive even number (sine/cosine pairs).
    base : float, default 10000.0
        The wavelength scale of the paper; greater than 1.

    Returns
    -------
    ndarray, shape (n, d_model), float64
        Even columns are sines, odd columns cosines.

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> sinusoidal_encoding(3, 4)[0]  # position 0: sin 0 = 0, cos 0 = 1
    array([0., 1., 0., 1.])
    """
    n, d_model = check.integer(n, "n"), check.integer(d_model, "d_model", minimum=2)
    if d_model % 2:
        raise ValueError(f"d_model must be a positive even number, got {d_model}")
    if not check.real(base, "base") > 1:
        raise ValueError(f"base must be greater than 1, got {base}")
    # One frequency per sine/cosine pair: base ** (-2i / d_model), i = 0 .. d_model/2 - 1.
    angles = np.arange(n)[:, None] * base ** (-np.arange(0, d_model, 2) / d_model)
    encoding = np.empty((n, d_model))
    encoding[:, 0::2] = np.sin(angles)
    encoding[:, 1::2] = np.cos(angles)
    return encoding
