"""The report as JSON data (``gitml report --json``).

JSON has no infinities nor NaN, and Python's ``json`` would write bare ``Infinity``, which
``JSON.parse`` and most other parsers reject. Every non-finite float (a metric, a change, a param)
is written as the string ``"Infinity"``, ``"-Infinity"`` or ``"NaN"`` instead, spelled as
JavaScript's ``String()`` and Python's ``float()`` read them. Integers stay JSON numbers with all
their digits (exact in Python; JavaScript rounds beyond 2**53 and reads beyond ~1.8e308 as
Infinity).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from gitml.report.model import Report


def to_dict(report: Report) -> dict[str, Any]:
    """The documented JSON shape, plus data changes, plots and pipeline stages."""
    return {
        "base": report.base,
        "head": report.head,
        "sides": {"base": report.base_named.to_dict(), "head": report.head_named.to_dict()},
        "verdict": report.verdict,
        "metrics": [
            {
                "file": row.file,
                "name": row.name,
                "base": row.base,
                "head": row.head,
                "delta": row.delta,
                "rel_delta": row.rel_delta,
                "direction": row.direction,
                "status": row.status,
                "not_loaded_at": list(row.not_loaded_at),
            }
            for row in report.metrics
        ],
        "params": [
            {"file": row.file, "name": row.name, "base": row.base, "head": row.head}
            for row in report.params
        ],
        "gates": [gate.to_dict() for gate in report.gates],
        "data": [asdict(change) for change in report.data],
        "plots": [{"id": p.id, "title": p.title, "template": p.template} for p in report.plots],
        "pipeline": [asdict(stage) for stage in report.pipeline],
        "errors": [error.to_dict() for error in report.errors],
    }


NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float, however deeply nested, replaced by its string."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else NON_FINITE[value]
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def render(report: Report) -> str:
    """``to_dict`` as indented, strictly valid JSON text (no bare ``Infinity`` or ``NaN``)."""
    return json.dumps(json_safe(to_dict(report)), indent=2, default=str, allow_nan=False) + "\n"
