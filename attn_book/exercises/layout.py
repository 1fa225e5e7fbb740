"""How verdicts are laid out: plain text wrapped to fit a notebook's output area.

The built book shows printed output in a box that does not wrap long lines
(it scrolls), so every line is wrapped here to :data:`WIDTH` columns, the
same in JupyterLab, Colab and the book.
"""

from __future__ import annotations

import textwrap

#: Columns of printed verdict text.
WIDTH = 78


def wrap(line: str, indent: str = "   ") -> str:
    """Wrap one line of a verdict; continuation lines start with ``indent``.

    The line's own leading spaces are kept on its first line.

    Examples
    --------
    >>> print(wrap("Hint: " + "word " * 20, indent="      "))
    Hint: word word word word word word word word word word word word word word
          word word word word word word
    """
    lead = line[: len(line) - len(line.lstrip(" "))]
    return textwrap.fill(
        line.strip(),
        width=WIDTH,
        initial_indent=lead,
        subsequent_indent=lead + indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
