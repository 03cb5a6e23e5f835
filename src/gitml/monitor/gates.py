"""Monitoring gates (``[[tool.gitml.monitor.gates]]``) on drift and performance.

``min`` and ``max`` bound a value; ``max_regression`` bounds how much worse than the metrics the
version was registered with a measured metric may be (``estimated_accuracy`` is held against the
registered accuracy). A gate whose value does not exist yet (no feedback, no registered metrics)
is not evaluated: it neither passes nor fails, and the report says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitml.config import Gate
from gitml.monitor.performance import LOWER_IS_BETTER, Performance

EPSILON = 1e-12


@dataclass(frozen=True)
class GateOutcome:
    metric: str
    rule: str
    #: None: not evaluated (the value or the registered value is missing)
    passed: bool | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "rule": self.rule,
            "passed": self.passed,
            "detail": self.detail,
        }


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _rules(gate: Gate) -> list[tuple[str, float]]:
    return [
        (r, getattr(gate, r))
        for r in ("min", "max", "max_regression")
        if getattr(gate, r) is not None
    ]


def _check(metric: str, rule: str, bound: float, value: float | None, registered: float | None):
    label = f"{rule} {_fmt(bound)}"
    if value is None:
        return GateOutcome(metric, label, None, "not evaluated: no value in this window")
    if rule == "min":
        passed = value >= bound - EPSILON
        return GateOutcome(
            metric, label, passed, f"{_fmt(value)} {'>=' if passed else '<'} {_fmt(bound)}"
        )
    if rule == "max":
        passed = value <= bound + EPSILON
        return GateOutcome(
            metric, label, passed, f"{_fmt(value)} {'<=' if passed else '>'} {_fmt(bound)}"
        )
    if registered is None:
        return GateOutcome(
            metric, label, None, "not evaluated: no registered value to compare with"
        )
    worse = value - registered if metric in LOWER_IS_BETTER else registered - value
    passed = worse <= bound + EPSILON
    return GateOutcome(
        metric,
        label,
        passed,
        f"{_fmt(value)} against {_fmt(registered)} registered: "
        f"{'worse' if worse > 0 else 'not worse'} by {_fmt(abs(worse))}",
    )


def evaluate_gates(
    gates: tuple[Gate, ...], drift: Mapping[str, float | None], performance: Performance | None
) -> list[GateOutcome]:
    """Every rule of every gate; ``drift`` holds share_drifted and drifted_features."""
    outcomes = []
    for gate in gates:
        if gate.metric in drift:
            value, registered = drift[gate.metric], None
        else:
            value = performance.value(gate.metric) if performance else None
            registered = performance.registered(gate.metric) if performance else None
        for rule, bound in _rules(gate):
            outcomes.append(_check(gate.metric, rule, bound, value, registered))
    return outcomes
