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
    Side,
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
    #: the sides as the reviewer knows them (branch, commit); None: named by ``base``/``head``
    base_side: Side | None = None
    head_side: Side | None = None

    @property
    def base_named(self) -> Side:
        return self.base_side or Side(self.base, self.base)

    @property
    def head_named(self) -> Side:
        return self.head_side or Side(self.head, self.head)

    def side_name(self, rev: str) -> str:
        """How a revision the load errors name reads: its side's name."""
        for side in (self.head_named, self.base_named):
            if side.rev == rev:
                return side.name
        return rev

    @property
    def failed_gates(self) -> list[GateResult]:
        return [gate for gate in self.gates if not gate.passed]

    @property
    def not_loaded(self) -> list[LoadError]:
        """The metrics files (or whole revisions' metrics) DVC could not load."""
        return [e for e in self.errors if e.source == "metrics" and e.whole_file]

    @property
    def other_errors(self) -> list[LoadError]:
        """Every load error but the metrics files that did not load (those have a section)."""
        unloaded = self.not_loaded
        return [e for e in self.errors if e not in unloaded]

    @property
    def files_without_rows(self) -> list[str]:
        """Metrics files that did not load at every revision that has them, so no metric name is
        known (``""``: a whole revision's metrics)."""
        with_rows = {row.file for row in self.metrics}
        return list(dict.fromkeys(e.file or "" for e in self.not_loaded if e.file not in with_rows))

    @property
    def verdict(self) -> Verdict:
        """``fail`` when any gate fails; else ``incomplete`` when metrics did not load (never a
        pass about data that was not read); else ``pass``."""
        if self.failed_gates:
            return Verdict.FAIL
        return Verdict.INCOMPLETE if self.not_loaded else Verdict.PASS

    def count(self, status: MetricStatus | str) -> int:
        return sum(1 for row in self.metrics if row.status == status)
