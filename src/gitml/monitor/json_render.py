"""The monitoring report as JSON, with exactly the top-level keys docs/monitor.md lists."""

from __future__ import annotations

import json
import math
from typing import Any

from gitml.monitor.model import MonitorReport


def _prediction(report: MonitorReport) -> dict[str, Any] | None:
    if report.prediction is None:
        return None
    return {
        "drifted": report.prediction_drifted,
        "tests": [p.to_dict() for p in report.prediction],
    }


def to_data(report: MonitorReport) -> dict[str, Any]:
    """The report as JSON-able data."""
    performance = report.performance.to_dict() if report.performance else None
    return {
        "model": report.model,
        "version": report.version,
        "stage": report.stage,
        "reference": report.reference.to_dict(),
        "current": report.current.to_dict(),
        "rows": {
            "reference": report.reference.rows,
            "current": report.current.rows,
            "labelled": report.labelled_rows,
        },
        "verdict": report.verdict,
        "reason": report.reason,
        "dataset_drift": report.dataset_drift,
        "share_drifted": round(report.share_drifted, 6),
        "features": [f.to_dict() for f in report.features],
        "prediction_drift": _prediction(report),
        "performance": performance,
        "gates": [g.to_dict() for g in report.gates],
        "chunks": None if report.chunks is None else [c.to_dict() for c in report.chunks],
        "errors": list(report.errors),
    }


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinity turned into None: JSON has neither, and a hostile
    log can put one anywhere a number is reported."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def render(report: MonitorReport) -> str:
    return json.dumps(finite(to_data(report)), indent=2, allow_nan=False) + "\n"
