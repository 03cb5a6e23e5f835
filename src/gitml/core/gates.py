"""Quality gates: absolute floors and ceilings, and the allowed regression against the base.

A gate never passes on data that failed to load: a rule that needs a value DVC could not read
(a broken metrics file, a value that is not a number) fails and names the file, the revision and
DVC's reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from gitml.config import Gate
from gitml.core.compare import difference
from gitml.core.model import UNNAMED, GateResult, LoadError, MetricRow, Revisions
from gitml.core.text import number
from gitml.errors import ConfigError

#: Tolerance for float noise when comparing against a bound.
EPSILON = 1e-12
RULES = ("min", "max", "max_regression")


def _fmt(value: float | None) -> str:
    return number(value)


def _rules(gate: Gate) -> list[str]:
    return [
        f"{rule} {_fmt(getattr(gate, rule))}" for rule in RULES if getattr(gate, rule) is not None
    ]


def _describe(errors: Sequence[LoadError]) -> str:
    return "; ".join(
        f"{error.file or 'metrics'} failed to load at {error.rev}: {error.message}"
        for error in errors
    )


def load_errors_for(row_file: str | None, name: str | None, rev: str, errors: Sequence[LoadError]):
    """The metrics load errors that can explain a missing value of ``name`` in ``row_file`` at
    ``rev``: the whole revision's, the file's, or the value's own (None file or name: any)."""
    return [
        error
        for error in errors
        if error.source == "metrics"
        and error.rev == rev
        and (row_file is None or error.file in (None, row_file))
        and (error.metric is None or name is None or error.metric == name)
    ]


def find_rows(gate: Gate, rows: list[MetricRow]) -> list[MetricRow]:
    """The rows a gate applies to: ``file:name`` exactly, or ``name`` in any file."""
    exact = [row for row in rows if row.key == gate.metric]
    return exact or [row for row in rows if row.name == gate.metric]


def _unmatched(gate: Gate, rows: list[MetricRow], errors: Sequence[LoadError]) -> list[GateResult]:
    """A gate on a name no row has: failed when a metrics file failed to load (the metric may
    be in it), else a configuration error."""
    files = {row.file for row in rows} | {e.file for e in errors if e.file}
    file = next((f for f in files if gate.metric.startswith(f"{f}:")), None)  # "file:name"
    relevant = [
        error
        for error in errors
        if error.source == "metrics"
        and error.metric is None
        and (file is None or error.file == file)
    ]
    if relevant:
        detail = f"not found, and metrics failed to load: {_describe(relevant)}"
        return [GateResult(gate.metric, gate.metric, rule, False, detail) for rule in _rules(gate)]
    known = ", ".join(sorted({row.name for row in rows})) or "none"
    raise ConfigError(
        f"gate on metric '{gate.metric}', which no metrics file has (metrics: {known}); "
        "fix the name in [[tool.gitml.gates]]"
    )


def _missing_head(
    gate: Gate, row: MetricRow, label: str, errors: Sequence[LoadError], revs: Revisions
) -> list[GateResult]:
    failed = load_errors_for(row.file, row.name, revs.head, errors)
    if failed:
        detail = _describe(failed)
    else:
        detail = "missing on head" if row.base is not None else "missing on both revisions"
    return [GateResult(label, row.key, rule, False, detail) for rule in _rules(gate)]


def _bound(label: str, row: MetricRow, rule: str, bound: float, passed: bool, op: str, not_op: str):
    relation = op if passed else not_op
    return GateResult(
        label,
        row.key,
        f"{rule} {_fmt(bound)}",
        passed,
        f"{_fmt(row.head)} {relation} {_fmt(bound)}",
    )


def _regression(
    gate: Gate, row: MetricRow, label: str, errors: Sequence[LoadError], revs: Revisions
) -> GateResult:
    assert gate.max_regression is not None and row.head is not None  # evaluate_gate's checks
    rule = f"max_regression {_fmt(gate.max_regression)}"
    if row.direction is None:
        raise ConfigError(
            f"gate max_regression on '{gate.metric}' needs its direction; set "
            f'[tool.gitml.metrics] {row.name} = "higher" or "lower"'
        )
    if row.base is None:
        failed = load_errors_for(row.file, row.name, revs.base, errors)
        if failed:
            return GateResult(label, row.key, rule, False, f"no base value: {_describe(failed)}")
        return GateResult(label, row.key, rule, True, "no base value to compare with")
    head, base = row.head, row.base
    worsening = difference(base, head) if row.direction == "higher" else difference(head, base)
    passed = worsening <= gate.max_regression + EPSILON
    if worsening <= 0:
        detail = f"no regression ({_fmt(base)} -> {_fmt(head)})"
    else:
        relation = "<=" if passed else ">"
        detail = (
            f"regressed by {_fmt(worsening)} {relation} {_fmt(gate.max_regression)} "
            f"({_fmt(base)} -> {_fmt(head)})"
        )
    return GateResult(label, row.key, rule, passed, detail)


def evaluate_gate(
    gate: Gate,
    row: MetricRow,
    label: str,
    errors: Sequence[LoadError] = (),
    revs: Revisions = UNNAMED,
) -> list[GateResult]:
    """Every rule of ``gate`` on one metric row, reported under ``label``."""
    if row.head is None:
        return _missing_head(gate, row, label, errors, revs)
    results = []
    head = row.head
    if gate.min is not None:
        passed = head >= gate.min - EPSILON
        results.append(_bound(label, row, "min", gate.min, passed, ">=", "<"))
    if gate.max is not None:
        passed = head <= gate.max + EPSILON
        results.append(_bound(label, row, "max", gate.max, passed, "<=", ">"))
    if gate.max_regression is not None:
        results.append(_regression(gate, row, label, errors, revs))
    return results


def evaluate_gates(
    gates: tuple[Gate, ...],
    rows: list[MetricRow],
    errors: Sequence[LoadError] = (),
    revs: Revisions = UNNAMED,
) -> list[GateResult]:
    """Evaluate every gate. A gate on a metric that exists nowhere fails when a metrics file
    failed to load, and is a ``ConfigError`` otherwise."""
    results = []
    for gate in gates:
        matched = find_rows(gate, rows)
        if not matched:
            results.extend(_unmatched(gate, rows, errors))
        for row in matched:
            # A name found in several metrics files is reported per file.
            label = gate.metric if len(matched) == 1 else row.key
            results.extend(evaluate_gate(gate, row, label, errors, revs))
    return results


def describe_failures(failed: list[GateResult]) -> str:
    """Failed gates in one line for an error message: ``metric rule: detail; ...``."""
    return "; ".join(f"{g.metric} {g.rule}: {g.detail}" for g in failed)
