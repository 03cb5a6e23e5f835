"""The report as JSON data (``gitml report --json``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from gitml.report.model import Report


def to_dict(report: Report) -> dict[str, Any]:
    """The documented JSON shape, plus data changes, plots and pipeline stages."""
    return {
        "base": report.base,
        "head": report.head,
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
            }
            for row in report.metrics
        ],
        "params": [
            {"file": row.file, "name": row.name, "base": row.base, "head": row.head}
            for row in report.params
        ],
        "gates": [
            {"metric": g.metric, "rule": g.rule, "passed": g.passed, "detail": g.detail}
            for g in report.gates
        ],
        "data": [asdict(change) for change in report.data],
        "plots": [{"id": p.id, "title": p.title, "template": p.template} for p in report.plots],
        "pipeline": [asdict(stage) for stage in report.pipeline],
        "errors": [error.to_dict() for error in report.errors],
    }


def render(report: Report) -> str:
    """``to_dict`` as indented JSON text."""
    return json.dumps(to_dict(report), indent=2, default=str) + "\n"
