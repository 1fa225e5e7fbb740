"""Writing a kernel-free element into a page safely: data for its script and its id.

Every explorer and question of the book is one HTML fragment that carries its
own data, style and script (the assets are read by
:mod:`attn_book.explorer.assets`). Two things they all need:

- :func:`json_for_script`: the data as JSON that can sit inside a
  ``<script>`` element: ``<``, ``>`` and ``&`` are escaped, so a token such as
  ``"</script>"`` cannot end the script early;
- :func:`content_id`: an element id made from a hash of the content, so two
  runs of a notebook give the same page.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``</``, ``<!--`` or ``]]>`` can appear.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where the escapes
    ``\\u003c`` etc. decode to the same characters; so do the line and
    paragraph separators U+2028 and U+2029.

    Raises
    ------
    TypeError
        If ``data`` holds something JSON cannot encode.
    ValueError
        If it holds NaN or an infinity (not valid JSON).

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
    """An element id from a hash of the content: ``prefix`` + 12 hex digits.

    Parameters
    ----------
    prefix : str
        The start of the id, e.g. ``"attn-explorer-"``.
    *parts : str
        Everything that makes the element what it is (its data, script and style).

    Examples
    --------
    >>> content_id("attn-x-", "data", "script") == content_id("attn-x-", "data", "script")
    True
    >>> len(content_id("attn-x-", "a"))
    19
    """
    return prefix + hashlib.sha256("".join(parts).encode()).hexdigest()[:12]
