"""What every settings table shares: the TOML reader, gates and their rules, strict values."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

from gitml.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["DIRECTIONS", "GATE_RULES", "Gate", "check_keys", "number_setting", "tomllib"]

DIRECTIONS = ("higher", "lower")
GATE_RULES = ("min", "max", "max_regression")


@dataclass(frozen=True)
class Gate:
    """A quality gate on one metric (``name`` or ``file:name``)."""

    metric: str
    min: float | None = None
    max: float | None = None
    #: Allowed worsening against the base, in the metric's own units and direction.
    max_regression: float | None = None


def number_setting(value: Any, where: str) -> float:
    """A finite number from a settings table; anything else is a ``ConfigError`` naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, got {value!r}; fix it in pyproject.toml")
    try:
        number = float(value)
    except OverflowError:  # an integer longer than any float
        number = math.inf
    if not math.isfinite(number):
        raise ConfigError(
            f"{where} must be a finite number, got {value!r}; fix it in pyproject.toml"
        )
    return number


def check_keys(table: dict, allowed: set[str], where: str) -> None:
    """Refuse keys of a settings table outside ``allowed``: a typo must not pass silently."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in {where}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )
