"""The validation report as JSON, with exactly the top-level keys docs/validate.md lists."""

from __future__ import annotations

import json
from typing import Any

from gitml.validate.model import ValidationReport
from gitml.validate.stats import PairedMetric


def _metric(paired: PairedMetric) -> dict[str, Any]:
    return {
        "name": paired.name,
        "champion": paired.champion,
        "candidate": paired.candidate,
        "difference": paired.difference,
        "low": paired.low,
        "high": paired.high,
        "confidence": paired.confidence,
        "better": "lower" if paired.lower_is_better else "higher",
    }


def to_data(report: ValidationReport) -> dict[str, Any]:
    """The report as JSON-able data."""
    mcnemar = report.mcnemar
    return {
        "artifact": report.artifact,
        "verdict": report.verdict,
        "candidate": report.candidate.to_dict(),
        "champion": report.champion.to_dict() if report.champion else None,
        "traffic": report.traffic.to_dict(),
        "agreement": report.agreement,
        "rows_compared": report.rows_compared,
        "flips": [
            {"champion": a, "candidate": b, "rows": n} for (a, b), n in sorted(report.flips.items())
        ],
        "prediction_drift": [d.to_dict() for d in report.prediction_drift],
        "new_errors": report.new_errors,
        "failed_requests": [f.to_dict() for f in report.failed_requests],
        "latency": {side: value.to_dict() for side, value in report.latency.items()},
        "replay_fidelity": report.replay_fidelity,
        "metrics": [_metric(m) for m in report.metrics],
        "gate_metric": report.gate_metric,
        "mcnemar": None
        if mcnemar is None
        else {
            "champion_only": mcnemar.champion_only,
            "candidate_only": mcnemar.candidate_only,
            "p_value": mcnemar.p_value,
        },
        "gates": [g.to_dict() for g in report.gates],
        "smoke_test": report.smoke_test,
        "notes": list(report.notes),
        "errors": list(report.errors),
    }


def render(report: ValidationReport) -> str:
    return json.dumps(to_data(report), indent=2, allow_nan=False) + "\n"
