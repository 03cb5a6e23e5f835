"""The window of logged traffic: ``since`` as an age (``24h``, ``7d``) or an ISO 8601 time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from gitml.errors import UsageError
from gitml.monitor.reading import parse_time

AGE = re.compile(r"^(\d+)\s*([smhdw])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def since_time(text: str, now: datetime | None = None) -> datetime:
    """The moment ``text`` names: ``now`` minus an age, or an ISO 8601 time (UTC unless it says
    otherwise); anything else is a ``UsageError``."""
    found = AGE.match(text.strip())
    if found:
        now = now or datetime.now(timezone.utc)
        return now - timedelta(**{UNITS[found[2]]: int(found[1])})
    moment = parse_time(text)
    if moment is None:
        raise UsageError(
            f"since {text!r} is not a time: use ISO 8601 (2026-11-29T08:00:00Z) or an age (7d)"
        )
    return moment
