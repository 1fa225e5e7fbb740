"""What every kernel-free fragment needs: data safe inside ``<script>``, and an id from its content.

The explorers and questions of :mod:`attn_book.explorer` write one HTML
fragment each into a notebook's output. Their data goes in as JSON inside a
``<script type="application/json">`` element, and their root element gets an
id derived from a hash of what the fragment holds, so two runs of a notebook
give the same output (and two different fragments on one page never share an id).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``</``, ``<!--`` or ``]]>`` can appear.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where the escapes
    ``\\u003c`` etc. decode to the same characters; so do the line separators
    U+2028 and U+2029, which older JavaScript parsers reject in strings.

    Parameters
    ----------
    data : object
        Anything :func:`json.dumps` accepts (no NaN or infinity).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``data`` holds NaN or infinity.
    TypeError
        If ``data`` holds something JSON cannot represent.

    Examples
    --------
    >>> json_for_script({"token": "</script>"})
    '{"token":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def content_id(prefix: str, *parts: str) -> str:
    """An element id: ``prefix`` and 12 hex digits of a SHA-256 hash of ``parts``.

    Parameters
    ----------
    prefix : str
        What the element is, e.g. ``"attn-question"``.
    *parts : str
        Everything the fragment holds (data, script, style).

    Returns
    -------
    str

    Examples
    --------
    >>> content_id("attn-demo", "a", "b") == content_id("attn-demo", "a", "b")
    True
    >>> content_id("attn-demo", "ab") != content_id("attn-demo", "a", "b")
    True
    """
    digest = hashlib.sha256()
    for part in parts:
        # Length-prefixed, so ("ab",) and ("a", "b") differ.
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return f"{prefix}-{digest.hexdigest()[:12]}"
