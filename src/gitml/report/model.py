"""The report as data. Every rendering (Markdown, HTML, JSON, job summary) is a function of this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitml.dvc_adapter import DataChange, LoadError, PlotData, StageRun

STATUSES = ("improved", "regressed", "unchanged", "changed", "new", "removed")


@dataclass(frozen=True)
class Revisions:
    """The two revisions compared, spelled as given (and as the load errors name them)."""

    base: str = "base"
    head: str = "head"


#: Revisions known only as base and head (callers that have no names for them).
UNNAMED = Revisions()


@dataclass(frozen=True)
class MetricRow:
    """One metric compared between base and head."""

    file: str
    name: str
    base: float | None
    head: float | None
    delta: float | None
    rel_delta: float | None
    direction: str | None  # "higher", "lower" or None when unknown
    status: str  # one of STATUSES

    @property
    def key(self) -> str:
        return f"{self.file}:{self.name}"


@dataclass(frozen=True)
class ParamRow:
    """A param whose value differs between base and head."""

    file: str
    name: str
    base: Any
    head: Any


@dataclass(frozen=True)
class GateResult:
    """One rule of one quality gate, evaluated."""

    metric: str
    #: ``file:name`` of the metric row the rule was evaluated on
    row_key: str
    rule: str
    passed: bool
    detail: str


@dataclass
class Report:
    """Head compared with base: metrics, params, data, plots, gates, pipeline and load errors."""

    base: str
    head: str
    metrics: list[MetricRow] = field(default_factory=list)
    params: list[ParamRow] = field(default_factory=list)
    data: list[DataChange] = field(default_factory=list)
    gates: list[GateResult] = field(default_factory=list)
    plots: list[PlotData] = field(default_factory=list)
    pipeline: list[StageRun] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)

    @property
    def failed_gates(self) -> list[GateResult]:
        return [gate for gate in self.gates if not gate.passed]

    @property
    def verdict(self) -> str:
        """ "fail" when any gate fails, else "pass"."""
        return "fail" if self.failed_gates else "pass"

    def count(self, status: str) -> int:
        return sum(1 for row in self.metrics if row.status == status)
