"""The monitoring summary a retraining pull request carries (``--summary FILE``).

A JSON file is read as ``gitml monitor --json``'s report (verdict, drifted features with their
test, statistic and threshold, and performance on the labelled rows); only the fields shown are
read, and a field that is absent or of another shape is left out rather than refused, so a newer
monitor report still works. Any other file (the monitor's Markdown report, or a note written by
hand) is shown as it is, cut to ``MAX_MARKDOWN`` characters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml.errors import DataError

MAX_MARKDOWN = 20_000
#: names a performance entry may use for the labelled rows' value and the registered one
VALUE_KEYS = ("current", "value", "new", "head")
REGISTERED_KEYS = ("registered", "reference", "baseline", "old", "base")


@dataclass(frozen=True)
class DriftedFeature:
    name: str
    test: str | None
    statistic: float | None
    threshold: float | None


@dataclass(frozen=True)
class Performance:
    metric: str
    value: float | None
    registered: float | None


@dataclass(frozen=True)
class MonitoringSummary:
    source: str
    verdict: str | None = None
    model: str | None = None
    version: str | None = None
    stage: str | None = None
    rows: int | None = None
    share_drifted: float | None = None
    dataset_drift: bool | None = None
    drifted: tuple[DriftedFeature, ...] = ()
    features_checked: int = 0
    performance: tuple[Performance, ...] = ()
    labelled_rows: int | None = None
    #: a summary that is not monitor JSON, shown as written
    markdown: str | None = None
    notes: list[str] = field(default_factory=list)


def read_summary(path: Path) -> MonitoringSummary:
    """Read ``path`` (monitor JSON, else Markdown); an unreadable file is a ``DataError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"cannot read the monitoring summary {path}: {error}") from None
    if path.suffix.lower() != ".json":
        cut = text if len(text) <= MAX_MARKDOWN else text[:MAX_MARKDOWN] + "\n\n… (cut)"
        return MonitoringSummary(source=path.name, markdown=cut.strip())
    try:
        report = json.loads(text)
    except ValueError as error:
        raise DataError(
            f"the monitoring summary {path} is not valid JSON ({error}); pass the file "
            "`gitml monitor --json` wrote"
        ) from None
    if not isinstance(report, dict):
        raise DataError(f"the monitoring summary {path} must be a JSON object (gitml monitor's)")
    return from_report(report, path.name)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, (str, int, float)) and value != "" else None


def from_report(report: dict[str, Any], source: str) -> MonitoringSummary:
    """The parts of a ``gitml monitor`` JSON report a reviewer of the retraining needs."""
    features = [f for f in report.get("features") or [] if isinstance(f, dict)]
    drifted = tuple(
        DriftedFeature(
            name=str(f.get("name")),
            test=_text(f.get("test")),
            statistic=_number(f.get("statistic")),
            threshold=_number(f.get("threshold")),
        )
        for f in features
        if f.get("drifted") is True
    )
    performance, labelled = _performance(report.get("performance"))
    rows = report.get("rows")
    return MonitoringSummary(
        source=source,
        verdict=_text(report.get("verdict")),
        model=_text(report.get("model")),
        version=_text(report.get("version")),
        stage=_text(report.get("stage")),
        rows=None if (counted := _number(rows)) is None else int(counted),
        share_drifted=_number(report.get("share_drifted")),
        dataset_drift=report.get("dataset_drift")
        if isinstance(report.get("dataset_drift"), bool)
        else None,
        drifted=drifted,
        features_checked=len(features),
        performance=performance,
        labelled_rows=labelled,
    )


def _performance(raw: Any) -> tuple[tuple[Performance, ...], int | None]:
    """Performance entries from the shapes a report may use: ``{metric: number}``,
    ``{metric: {"current": x, "registered": y}}``, a list of ``{"metric", ...}``, any of them
    under ``"metrics"`` next to ``"rows"``."""
    if not isinstance(raw, (dict, list)):
        return (), None
    labelled = None
    if isinstance(raw, dict) and isinstance(raw.get("metrics"), (dict, list)):
        labelled = int(raw["rows"]) if _number(raw.get("rows")) is not None else None
        raw = raw["metrics"]
    if isinstance(raw, dict):
        items = list(raw.items())
    else:
        items = [(e.get("metric") or e.get("name"), e) for e in raw if isinstance(e, dict)]
    found = []
    for name, value in items:
        if not isinstance(name, str) or name in ("rows", "labelled_rows"):
            if name in ("rows", "labelled_rows") and _number(value) is not None:
                labelled = int(value)
            continue
        if isinstance(value, dict):
            current = next((_number(value[k]) for k in VALUE_KEYS if k in value), None)
            registered = next((_number(value[k]) for k in REGISTERED_KEYS if k in value), None)
        else:
            current, registered = _number(value), None
        if current is not None or registered is not None:
            found.append(Performance(name, current, registered))
    return tuple(found), labelled
