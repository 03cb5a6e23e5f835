"""A sweep as data: one ``SweepRun`` per cell, ranked into a ``Leaderboard``. Markdown, JSON and
HTML are renderings of it; a run's JSON is also the result file a matrix job uploads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from gitml.core.model import GateResult, MetricRow

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
        return self.status == "ok" and all(gate.passed for gate in self.gates)

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
    def from_dict(cls, data: dict[str, Any]) -> SweepRun:
        """A run read back from its result file (``KeyError``/``TypeError`` when malformed)."""
        metrics = [
            MetricRow(
                file=m["file"],
                name=m["name"],
                base=m["base"],
                head=m["value"],
                delta=m["delta"],
                rel_delta=m.get("rel_delta"),
                direction=m.get("direction"),
                status=m["status"],
            )
            for m in data["metrics"]
        ]
        gates = [
            GateResult(
                g["metric"], g.get("row_key", g["metric"]), g["rule"], g["passed"], g["detail"]
            )
            for g in data["gates"]
        ]
        status = data["status"]
        if status not in ("ok", "failed"):
            raise TypeError(f"unknown status {status!r}")
        return cls(
            name=str(data["name"]),
            params=dict(data["params"]),
            status=status,
            error=data.get("error"),
            metrics=metrics,
            gates=gates,
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
