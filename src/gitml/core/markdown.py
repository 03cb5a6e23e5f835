"""GitHub-flavoured Markdown pieces every rendering shares: table cells, code spans, tables.

Two kinds of cell text exist. Values that come from a project (metric names, file names, DVC's
messages, a param's value) are data: :func:`cell` makes every character literal. Text gitml wrote
as Markdown (a command's help, a workflow input's description, a summary written for a PR) keeps
its formatting: :func:`markdown_cell` only keeps it on one line and inside its cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_NEWLINES = re.compile(r"\r\n|\r|\n")
_MARKDOWN_SPECIALS = re.compile(r"([\\*_\[\]~#!])")


def cell(value: Any) -> str:
    """Data as literal text inside a GitHub Markdown table cell.

    Pipes would split the cell, ``<`` could open HTML, backticks code spans, ``@`` would mention
    users, and a newline would end the table row; each is escaped or replaced.
    """
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = text.replace("|", "\\|").replace("`", "&#96;").replace("@", "&#64;")
    return _NEWLINES.sub("<br>", text)


def markdown_cell(value: Any) -> str:
    """Markdown gitml wrote, fit for one table cell: one line (runs of white space become one
    space), pipes escaped, everything else kept as Markdown."""
    return " ".join(str(value).split()).replace("|", "\\|")


def code(value: Any) -> str:
    """A code span for a revision or path: inside it Markdown and HTML are inert, so only
    backticks and newlines (which would end it) are replaced."""
    return "`" + " ".join(str(value).replace("`", "'").split()) + "`"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table's lines; headers and cells must already be escaped. An empty header (the
    column of status marks) is written ``| |``."""
    header = "|" + "".join(f" {name} |" if name else " |" for name in headers)
    lines = [header, "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]
