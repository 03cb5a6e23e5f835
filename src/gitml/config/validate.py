"""``[tool.gitml.validate]``: how ``gitml validate`` judges a candidate against the champion.

Unknown keys and values of the wrong type are errors, as everywhere in ``[tool.gitml]``: a typo in a
gate would otherwise silently keep the default. The traffic is what ``gitml monitor`` reads
(``[tool.gitml.monitor] current``). Example::

    [tool.gitml.validate]
    champion_stage = "prod"       # the model in production; its logged answers are the baseline
    since = "7d"                  # the window of logged traffic replayed (an age or ISO 8601)
    max_requests = 10000          # the newest this many requests of the window are replayed
    min_requests = 50             # fewer replayed requests: the verdict is inconclusive
    min_labelled = 30             # fewer rows with feedback: the regression gate is inconclusive
    min_agreement = 0.95          # share of rows where both predict the same class
    metric = "accuracy"           # the labelled metric the regression gate judges
    max_regression = 0.02         # the interval's worse bound may not be worse than this
    max_p99_ratio = 1.5           # candidate p99 latency / champion p99 latency
    max_new_errors = 0            # requests the champion answered and the candidate did not
    confidence = 0.95             # of the bootstrap interval
    bootstrap = 2000              # resamples
    seed = 0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gitml.config.values import check_keys, number_setting
from gitml.errors import ConfigError

#: Labelled metrics the regression gate may judge (computed per resample; see validate/stats.py).
VALIDATE_METRICS = ("accuracy", "precision", "recall", "f1", "log_loss")
VALIDATE_KEYS = {
    "champion_stage",
    "candidate_stage",
    "since",
    "last",
    "max_requests",
    "min_requests",
    "min_labelled",
    "min_agreement",
    "metric",
    "max_regression",
    "max_p99_ratio",
    "max_new_errors",
    "confidence",
    "bootstrap",
    "seed",
}
#: An age (``24h``, ``7d``) as ``--since`` takes it; an ISO time is checked when it is used.
AGE = re.compile(r"^\d+\s*[smhdw]$")


@dataclass(frozen=True)
class ValidateSettings:
    """Everything under ``[tool.gitml.validate]``, validated, with defaults (None: no gate)."""

    champion_stage: str = "prod"
    #: None: the promote stage (``[tool.gitml.promote] stage``, else the registry's)
    candidate_stage: str | None = None
    since: str | None = None
    last: int | None = None
    max_requests: int = 10_000
    min_requests: int = 50
    min_labelled: int = 30
    min_agreement: float | None = 0.95
    metric: str = "accuracy"
    max_regression: float | None = 0.02
    max_p99_ratio: float | None = 2.0
    max_new_errors: int | None = 0
    confidence: float = 0.95
    bootstrap: int = 2000
    seed: int = 0


def _whole(value: Any, where: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigError(f"{where} must be a whole number >= {least}, got {value!r}")
    return value


def _share(value: Any, where: str, low: float, high: float) -> float:
    number = number_setting(value, where)
    if not low <= number <= high:
        raise ConfigError(f"{where} must be between {low:g} and {high:g}, got {number:g}")
    return number


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _strings(table: dict[str, Any], where: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("champion_stage", "candidate_stage", "since"):
        if key in table:
            value = table[key]
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where} {key} must be a non-empty string, got {value!r}")
            values[key] = value.strip()
    since = values.get("since")
    if since is not None and not (AGE.match(since) or _is_time(since)):
        raise ConfigError(f"{where} since = {since!r}: use an age (24h, 7d) or an ISO 8601 time")
    if "metric" in table:
        if table["metric"] not in VALIDATE_METRICS:
            raise ConfigError(
                f"{where} metric = {table['metric']!r}: use one of {', '.join(VALIDATE_METRICS)}"
            )
        values["metric"] = table["metric"]
    return values


def parse_validate_settings(table: dict[str, Any]) -> ValidateSettings:
    """Validate a ``[tool.gitml.validate]`` table."""
    where = "[tool.gitml.validate]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    check_keys(table, VALIDATE_KEYS, where)
    values = _strings(table, where)
    for key, least in (
        ("last", 1),
        ("max_requests", 1),
        ("min_requests", 1),
        ("min_labelled", 1),
        ("max_new_errors", 0),
        ("bootstrap", 100),
        ("seed", 0),
    ):
        if key in table:
            values[key] = _whole(table[key], f"{where} {key}", least)
    if "min_agreement" in table:
        values["min_agreement"] = _share(table["min_agreement"], f"{where} min_agreement", 0, 1)
    if "confidence" in table:
        values["confidence"] = _share(table["confidence"], f"{where} confidence", 0.5, 0.999)
    if "max_regression" in table:
        values["max_regression"] = _share(
            table["max_regression"], f"{where} max_regression", 0, 1e9
        )
    if "max_p99_ratio" in table:
        ratio = number_setting(table["max_p99_ratio"], f"{where} max_p99_ratio")
        if ratio <= 0:
            raise ConfigError(f"{where} max_p99_ratio must be > 0, got {ratio:g}")
        values["max_p99_ratio"] = ratio
    return ValidateSettings(**values)
