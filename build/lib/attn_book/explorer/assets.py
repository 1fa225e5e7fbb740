"""The explorer's JavaScript and CSS, read from the package's real .js and .css files.

The files ship as package data (see pyproject.toml), so any install of the
book's distribution, including ``pip install git+...`` in Colab, carries them;
:func:`asset` reads them with :mod:`importlib.resources` and the explorers
inline them into the page.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def asset(name: str) -> str:
    """The text of one asset file of this package, e.g. ``"explorer.js"``.

    Raises
    ------
    FileNotFoundError
        If the package holds no file of that name.
    """
    return files(__package__).joinpath(name).read_text(encoding="utf-8")
