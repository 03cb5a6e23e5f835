"""Stable text for values in every rendering: numbers, changes, sizes, params, data changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

#: Integers longer than this many digits are shown like floats (``1.23457e+399``).
MAX_INTEGER_DIGITS = 15


def number(value: float | None) -> str:
    """A metric value: integers as integers, floats with 6 significant digits, infinities as
    ``inf``/``-inf``, None as a dash. Integers too long to read (or for a float to hold) are
    shown with 6 significant digits, computed exactly."""
    if value is None:
        return "—"
    if isinstance(value, int):
        if abs(value) < 10**MAX_INTEGER_DIGITS:
            return str(int(value))  # int(): a bool reads 1 or 0, as DVC compares it
        mantissa, exponent = f"{Decimal(value):.5e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent):+03d}"
    if value.is_integer() and abs(value) < 10**MAX_INTEGER_DIGITS:
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


#: How a data change reads in the reports.
DATA_CHANGES = {"not pulled": "not in the workspace (not pulled)"}


def data_change(kind: str, in_workspace: bool = True) -> str:
    """A data change's kind as a reader should see it; an output the workspace does not hold
    but whose dvc.lock hash changed says both."""
    if not in_workspace and kind == "modified":
        return "modified (not pulled; hash in dvc.lock changed)"
    if not in_workspace and kind == "added":
        return "added (not pulled; in dvc.lock)"
    return DATA_CHANGES.get(kind, kind)


def data_size(value: int | None, files: int | None = None) -> str:
    """A file's size, or a directory's size and file count (``1.2 KiB, 3 files``)."""
    if files is None:
        return size(value)
    counted = f"{files} file{'s' if files != 1 else ''}"
    return counted if value is None else f"{size(value)}, {counted}"


def param(value: Any) -> str:
    """A param value as it reads in YAML; absent values as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
