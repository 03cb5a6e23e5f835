"""Safe, stable text for Markdown tables: escaping and number formatting."""

from __future__ import annotations

import re
from typing import Any

_NEWLINES = re.compile(r"\r\n|\r|\n")
_MARKDOWN_SPECIALS = re.compile(r"([\\*_\[\]~#!])")


def cell(value: Any) -> str:
    """Text safe inside a GitHub Markdown table cell.

    Pipes would split the cell, ``<`` could open HTML, backticks code spans, ``@`` would mention
    users, and a newline would end the table row; each is escaped or replaced.
    """
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = text.replace("|", "\\|").replace("`", "&#96;").replace("@", "&#64;")
    return _NEWLINES.sub("<br>", text)


def code(value: Any) -> str:
    """A code span for a revision or path: inside it Markdown and HTML are inert, so only
    backticks and newlines (which would end it) are replaced."""
    return "`" + " ".join(str(value).replace("`", "'").split()) + "`"


def number(value: float | None) -> str:
    """A metric value: integers as integers, floats with 6 significant digits, None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, int) or (
        isinstance(value, float) and value.is_integer() and abs(value) < 1e15
    ):
        return str(int(value))
    return f"{value:.6g}"


def signed(value: float | None) -> str:
    """A change with its sign (``+0.0123``, ``-2``); a dash when there is none."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    return ("+" if value > 0 else "-") + number(abs(value))


def percent(value: float | None) -> str:
    """A relative change as a signed percentage."""
    if value is None:
        return "—"
    return f"{value * 100:+.2f}%"


def size(value: int | None) -> str:
    """A file size in human units."""
    if value is None:
        return "—"
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{int(amount)} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} TiB"  # pragma: no cover


def param(value: Any) -> str:
    """A param value as it reads in YAML; absent values as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
