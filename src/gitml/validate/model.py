"""The validation report as data: champion against candidate on logged production traffic.
Markdown, JSON and HTML are renderings of it.

Verdicts: ``pass`` (every gate passed), ``fail`` (a gate failed), ``inconclusive`` (no gate failed
but one could not judge: too few requests or labelled rows), ``smoke-tested`` (there was nothing
to compare with: no version in the champion's stage, or no logged request of it in the window;
the candidate's Bento passed the smoke test instead). ``--check`` passes only ``pass`` and
``smoke-tested``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitml.monitor.drift import FeatureDrift
from gitml.validate.stats import McNemar, PairedMetric

VERDICTS = ("pass", "fail", "inconclusive", "smoke-tested")
PASSING = ("pass", "smoke-tested")


@dataclass(frozen=True)
class Side:
    """One model of the comparison: its version, commit and stage (None: not in one)."""

    version: str
    commit: str
    stage: str | None = None
    bento: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "commit": self.commit, "stage": self.stage,
                "bento": self.bento}  # fmt: skip


@dataclass
class Latency:
    """One side's served answers: how many, how fast (milliseconds), how many failed."""

    requests: int = 0
    errors: int = 0
    p50_ms: float | None = None
    p99_ms: float | None = None
    mean_ms: float | None = None

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "error_rate": self.error_rate,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "mean_ms": self.mean_ms,
        }


@dataclass(frozen=True)
class FailedRequest:
    """A logged request the champion answered in prod and the candidate did not."""

    index: int
    request_id: str
    rows: int
    status: int
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "request_id": self.request_id, "rows": self.rows,
                "status": self.status, "error": self.error}  # fmt: skip


@dataclass(frozen=True)
class GateOutcome:
    """One validation gate: ``passed`` None when there was too little to judge."""

    name: str
    rule: str
    passed: bool | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"gate": self.name, "rule": self.rule, "passed": self.passed, "detail": self.detail}


@dataclass
class Traffic:
    """What was replayed, and from where."""

    source: str
    since: str | None = None
    last: int | None = None
    requests: int = 0
    rows: int = 0
    labelled_rows: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "since": self.since,
            "last": self.last,
            "requests": self.requests,
            "rows": self.rows,
            "labelled_rows": self.labelled_rows,
            **self.details,
        }


@dataclass
class ValidationReport:
    """The candidate against the champion on the champion's own logged traffic."""

    artifact: str
    candidate: Side
    champion: Side | None
    traffic: Traffic
    #: rows both answered where they predict the same class (champion: as logged in prod)
    agreement: float | None = None
    rows_compared: int = 0
    #: (champion's class, candidate's class) -> rows
    flips: dict[tuple[str, str], int] = field(default_factory=dict)
    prediction_drift: list[FeatureDrift] = field(default_factory=list)
    prediction_note: str = ""
    new_errors: int = 0
    failed_requests: list[FailedRequest] = field(default_factory=list)
    latency: dict[str, Latency] = field(default_factory=dict)
    #: the served champion's answers equal to what it logged in prod (the replay's fidelity)
    replay_fidelity: float | None = None
    metrics: list[PairedMetric] = field(default_factory=list)
    mcnemar: McNemar | None = None
    gate_metric: str = "accuracy"
    gates: list[GateOutcome] = field(default_factory=list)
    #: set when there was nothing to compare with: the smoke test's one-line result
    smoke_test: str | None = None
    smoke_passed: bool | None = None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failed_gates(self) -> list[GateOutcome]:
        return [g for g in self.gates if g.passed is False]

    @property
    def verdict(self) -> str:
        if self.smoke_test is not None:
            return "smoke-tested" if self.smoke_passed else "fail"
        if self.failed_gates:
            return "fail"
        if any(g.passed is None for g in self.gates) or not self.gates:
            return "inconclusive"
        return "pass"

    @property
    def passed(self) -> bool:
        return self.verdict in PASSING

    def metric(self, name: str) -> PairedMetric | None:
        return next((m for m in self.metrics if m.name == name), None)
