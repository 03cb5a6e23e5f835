"""Quality gates: absolute floors and ceilings, and the allowed regression against the base."""

from __future__ import annotations

from gitml.config import Gate
from gitml.errors import ConfigError
from gitml.report.model import GateResult, MetricRow

#: Tolerance for float noise when comparing against a bound.
EPSILON = 1e-12


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def find_rows(gate: Gate, rows: list[MetricRow]) -> list[MetricRow]:
    """The rows a gate applies to: ``file:name`` exactly, or ``name`` in any file."""
    exact = [row for row in rows if row.key == gate.metric]
    if exact:
        return exact
    by_name = [row for row in rows if row.name == gate.metric]
    if not by_name:
        known = ", ".join(sorted({row.name for row in rows})) or "none"
        raise ConfigError(
            f"gate on metric '{gate.metric}', which no metrics file has (metrics: {known}); "
            "fix the name in [[tool.gitml.gates]]"
        )
    return by_name


def evaluate_gate(gate: Gate, row: MetricRow, label: str) -> list[GateResult]:
    """Every rule of ``gate`` on one metric row, reported under ``label``."""
    results = []
    head = row.head
    if head is None:
        detail = "missing on head" if row.base is not None else "missing on both revisions"
        rules = [r for r in ("min", "max", "max_regression") if getattr(gate, r) is not None]
        return [
            GateResult(label, row.key, f"{r} {_fmt(getattr(gate, r))}", False, detail)
            for r in rules
        ]
    if gate.min is not None:
        passed = head >= gate.min - EPSILON
        relation = ">=" if passed else "<"
        results.append(
            GateResult(
                label,
                row.key,
                f"min {_fmt(gate.min)}",
                passed,
                f"{_fmt(head)} {relation} {_fmt(gate.min)}",
            )
        )
    if gate.max is not None:
        passed = head <= gate.max + EPSILON
        relation = "<=" if passed else ">"
        results.append(
            GateResult(
                label,
                row.key,
                f"max {_fmt(gate.max)}",
                passed,
                f"{_fmt(head)} {relation} {_fmt(gate.max)}",
            )
        )
    if gate.max_regression is not None:
        rule = f"max_regression {_fmt(gate.max_regression)}"
        if row.direction is None:
            raise ConfigError(
                f"gate max_regression on '{gate.metric}' needs its direction; set "
                f'[tool.gitml.metrics] {row.name} = "higher" or "lower"'
            )
        if row.base is None:
            results.append(GateResult(label, row.key, rule, True, "no base value to compare with"))
        else:
            worsening = row.base - head if row.direction == "higher" else head - row.base
            passed = worsening <= gate.max_regression + EPSILON
            if worsening <= 0:
                detail = f"no regression ({_fmt(row.base)} -> {_fmt(head)})"
            else:
                relation = "<=" if passed else ">"
                detail = (
                    f"regressed by {_fmt(worsening)} {relation} {_fmt(gate.max_regression)} "
                    f"({_fmt(row.base)} -> {_fmt(head)})"
                )
            results.append(GateResult(label, row.key, rule, passed, detail))
    return results


def evaluate_gates(gates: tuple[Gate, ...], rows: list[MetricRow]) -> list[GateResult]:
    """Evaluate every gate; a gate on a metric that exists nowhere is a ``ConfigError``."""
    results = []
    for gate in gates:
        matched = find_rows(gate, rows)
        for row in matched:
            # A name found in several metrics files is reported per file.
            label = gate.metric if len(matched) == 1 else row.key
            results.extend(evaluate_gate(gate, row, label))
    return results


def describe_failures(failed: list[GateResult]) -> str:
    """Failed gates in one line for an error message: ``metric rule: detail; ...``."""
    return "; ".join(f"{g.metric} {g.rule}: {g.detail}" for g in failed)
