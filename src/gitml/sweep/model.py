"""A sweep as data: one ``SweepRun`` per cell, ranked into a ``Leaderboard``. Markdown, JSON and
HTML are renderings of it; a run's JSON is also the result file a matrix job uploads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from gitml.core.model import GateResult, MetricRow, MetricStatus

RunStatus = Literal["ok", "failed"]
#: Version of the result files matrix jobs upload; ``--collect`` refuses others.
RESULT_FORMAT = 1


@dataclass(frozen=True)
class SweepRun:
    """One cell of the grid after it ran: its params, metrics against the base, gates."""

    name: str
    params: dict[str, Any]
    status: RunStatus
    error: str | None = None
    metrics: list[MetricRow] = field(default_factory=list)
    gates: list[GateResult] = field(default_factory=list)

    @property
    def gates_passed(self) -> bool:
        return self.status == "ok" and all(gate.passed is True for gate in self.gates)

    def to_dict(self) -> dict[str, Any]:
        """The run as saved in its result file (every field, so it can be read back)."""
        return {
            "name": self.name,
            "status": self.status,
            "error": self.error,
            "params": self.params,
            "metrics": [
                {
                    "file": row.file,
                    "name": row.name,
                    "value": row.head,
                    "base": row.base,
                    "delta": row.delta,
                    "rel_delta": row.rel_delta,
                    "direction": row.direction,
                    "status": row.status,
                }
                for row in self.metrics
            ],
            "gates": [gate.to_dict(with_row_key=True) for gate in self.gates],
        }

    @classmethod
    def from_dict(cls, data: Any) -> SweepRun:
        """A run read back from its result file, every field checked for its exact type (a
        ``ValueError`` naming the first that is not): the file is data another job wrote."""
        run = _fields(data, RUN_KEYS, "the run")
        status = run["status"]
        if status not in ("ok", "failed"):
            raise ValueError(f"status {status!r} is not ok or failed")
        if not isinstance(run["name"], str) or not isinstance(run["params"], dict):
            raise ValueError("name is not text or params not a map")
        if run["error"] is not None and not isinstance(run["error"], str):
            raise ValueError("error is not text")
        if not isinstance(run["metrics"], list) or not isinstance(run["gates"], list):
            raise ValueError("metrics or gates is not a list")
        return cls(
            name=run["name"],
            params=dict(run["params"]),
            status=status,
            error=run["error"],
            metrics=[_metric(m) for m in run["metrics"]],
            gates=[_gate(g) for g in run["gates"]],
        )


RUN_KEYS = {"name", "status", "error", "params", "metrics", "gates"}
METRIC_KEYS = {"file", "name", "value", "base", "delta", "rel_delta", "direction", "status"}
GATE_KEYS = {"metric", "row_key", "rule", "passed", "detail"}


def _fields(data: Any, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) != keys:
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"{what} does not have exactly the keys {sorted(keys)} (has {found})")
    return data


def _number(value: Any, what: str) -> float | int | None:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        try:
            float(value or 0)  # an integer beyond any float (10**400) is no metric either
        except OverflowError:
            raise ValueError(f"{what} is an integer too large to be a number") from None
        return value
    raise ValueError(f"{what} {str(value)[:50]!r} is not a number")


def _text(value: Any, what: str, optional: bool = False) -> Any:
    if isinstance(value, str) or (optional and value is None):
        return value
    raise ValueError(f"{what} {value!r} is not text")


def _metric(data: Any) -> MetricRow:
    m = _fields(data, METRIC_KEYS, "a metric")
    name = _text(m["name"], "a metric's name")
    if m["direction"] not in (None, "higher", "lower"):
        raise ValueError(f"metric {name}: direction {m['direction']!r} is not higher or lower")
    if m["status"] not in {status.value for status in MetricStatus}:
        raise ValueError(f"metric {name}: status {m['status']!r} is unknown")
    return MetricRow(
        file=_text(m["file"], "a metric's file"),
        name=name,
        base=_number(m["base"], f"metric {name}: base"),
        head=_number(m["value"], f"metric {name}: value"),
        delta=_number(m["delta"], f"metric {name}: delta"),
        rel_delta=_number(m["rel_delta"], f"metric {name}: rel_delta"),
        direction=m["direction"],
        status=m["status"],
    )


def _gate(data: Any) -> GateResult:
    g = _fields(data, GATE_KEYS, "a gate")
    if not isinstance(g["passed"], bool):
        raise ValueError(f"gate {g['metric']!r}: passed {g['passed']!r} is not true or false")
    return GateResult(
        _text(g["metric"], "a gate's metric"),
        _text(g["row_key"], "a gate's row"),
        _text(g["rule"], "a gate's rule"),
        g["passed"],
        _text(g["detail"], "a gate's detail"),
    )


@dataclass(frozen=True)
class RankedRun:
    """A run in the leaderboard: its rank (None when it has no value to rank by)."""

    run: SweepRun
    rank: int | None
    value: float | None


@dataclass(frozen=True)
class Leaderboard:
    """Every run of a sweep, best first."""

    base: str
    #: the metric runs are ranked by (``name`` or ``file:name``); None when none could be chosen
    rank_by: str | None
    direction: str | None
    runs: list[RankedRun]
    #: the params whose value differs between runs, in grid order
    swept: list[str]
    #: name of the best run: the first ranked run whose gates all pass
    best: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[SweepRun]:
        return [ranked.run for ranked in self.runs if ranked.run.status == "failed"]
