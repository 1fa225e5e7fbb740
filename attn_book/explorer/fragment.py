"""What every kernel-free fragment needs: JSON safe in a ``<script>`` and an id from its content.

Each interactive fragment of the book (the attention explorer, the
"predict, then check" questions, the induction explorer) writes its data into
the page as JSON inside a ``<script type="application/json">`` element and
takes its element id from a hash of what it contains, so two runs of a
notebook give the same output. These two rules are written once, here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element: no "</", "<!--" or "]]>" can appear.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where the escapes
    ``\\u003c`` etc. decode to the same characters; so do the line and
    paragraph separators U+2028 and U+2029.

    Parameters
    ----------
    data : object
        Anything :func:`json.dumps` accepts; NaN and infinity are refused.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For NaN or infinity in ``data``.

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
    """An element id derived from the content: ``prefix`` and 12 hex digits of its SHA-256.

    Examples
    --------
    >>> content_id("attn-question-", "data", "script")
    'attn-question-371413c0739e'
    """
    return prefix + hashlib.sha256("".join(parts).encode()).hexdigest()[:12]
