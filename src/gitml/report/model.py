"""The report as data. Every rendering (Markdown, HTML, JSON, job summary) is a function of this.

Its parts (metric rows, gate results, data changes, plots, stages, load errors) are the core's
types (``gitml.core.model``), shared with promotion and sweeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gitml.core.model import (
    DataChange,
    GateResult,
    LoadError,
    MetricRow,
    MetricStatus,
    ParamRow,
    PlotData,
    StageRun,
    Verdict,
)


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
    def verdict(self) -> Verdict:
        """ "fail" when any gate fails, else "pass"."""
        return Verdict.FAIL if self.failed_gates else Verdict.PASS

    def count(self, status: MetricStatus | str) -> int:
        return sum(1 for row in self.metrics if row.status == status)
