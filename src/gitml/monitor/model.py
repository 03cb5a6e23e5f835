"""The monitoring report as data. Markdown, JSON and HTML are renderings of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # drift.py takes the status names from here
    from gitml.monitor.chunks import Chunk
    from gitml.monitor.drift import FeatureDrift
    from gitml.monitor.gates import GateOutcome
    from gitml.monitor.performance import Performance

#: The verdicts of a monitoring run (docs/monitor.md, "Verdict"), in the order they outrank one
#: another: no rows at all, a failed gate, drift, something that could not be tested, healthy.
EMPTY, FAIL, DRIFT, UNTESTED, PASS = "empty", "fail", "drift", "untested", "pass"
VERDICTS = (PASS, DRIFT, FAIL, UNTESTED, EMPTY)
#: Verdicts that fail ``--check`` and open (or keep open) the monitoring issue. ``untested`` is
#: one: monitoring that sees nothing must be looked at, not shown green.
ALARMING = (DRIFT, FAIL, UNTESTED)
#: Verdicts that make retraining due (with labelled rows): what the data showed, never a blind
#: spot, so ``untested`` is not one.
RETRAIN_ON = (DRIFT, FAIL)

#: The status of one feature's (or prediction's) test; ``untested`` carries a reason.
DRIFTED, NO_DRIFT, NOT_TESTED = "drift", "ok", "untested"
FEATURE_STATUSES = (DRIFTED, NO_DRIFT, NOT_TESTED)


def feature_status(drifted: bool | None) -> str:
    """``drift``, ``ok`` or ``untested`` for a test's outcome (None: it could not run)."""
    if drifted is None:
        return NOT_TESTED
    return DRIFTED if drifted else NO_DRIFT


def short_reason(reason: str) -> str:
    """The head of a reason (``wrong type`` of ``wrong type: numbers expected, ...``)."""
    return reason.split(":", 1)[0]


@dataclass
class DataSide:
    """One side of the comparison: where it came from and how many rows were used."""

    source: str
    rows: int = 0
    rows_read: int = 0
    sampled: bool = False
    sample_rows: int = 0
    commit: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "commit": self.commit,
            "rows": self.rows,
            "rows_read": self.rows_read,
            "sampled": self.sampled,
            "sample_rows": self.sample_rows if self.sampled else None,
            **self.details,
        }


@dataclass
class MonitorReport:
    """Reference against current: data drift, prediction drift, performance, gates, problems."""

    reference: DataSide
    current: DataSide
    model: str | None = None
    version: str | None = None
    stage: str | None = None
    features: list[FeatureDrift] = field(default_factory=list)
    drift_share: float = 0.5
    #: None when it was left out; the reason is in ``prediction_note``
    prediction: list[FeatureDrift] | None = None
    prediction_note: str = ""
    performance: Performance | None = None
    performance_note: str = ""
    gates: list[GateOutcome] = field(default_factory=list)
    #: problems with the input: missing columns, broken log lines, untestable features
    errors: list[str] = field(default_factory=list)
    #: facts a reader needs: sampling, parts left out
    notes: list[str] = field(default_factory=list)
    labelled_rows: int = 0
    #: --chunk: each chunk's drift share and performance; None when not asked for
    chunks: list[Chunk] | None = None

    @property
    def tested(self) -> list[FeatureDrift]:
        return [f for f in self.features if f.drifted is not None]

    @property
    def untested(self) -> list[FeatureDrift]:
        """Features that could not be tested (not those left out by a setting, such as
        ``text = "skip"``: a choice, not a blind spot)."""
        return [f for f in self.features if f.drifted is None and not f.extra.get("skipped")]

    @property
    def drifted(self) -> list[FeatureDrift]:
        return [f for f in self.features if f.drifted]

    @property
    def share_drifted(self) -> float:
        return len(self.drifted) / len(self.tested) if self.tested else 0.0

    @property
    def dataset_drift(self) -> bool:
        return bool(self.tested) and self.share_drifted >= self.drift_share

    @property
    def prediction_drifted(self) -> bool:
        """The predicted classes drifted (the probabilities are shown, the classes decide)."""
        return any(p.drifted for p in self.prediction or [] if p.name == "prediction")

    @property
    def failed_gates(self) -> list[GateOutcome]:
        return [g for g in self.gates if g.passed is False]

    @property
    def verdict(self) -> str:
        """``pass`` only when every feature was tested and nothing drifted or failed."""
        if self.current.rows == 0:
            return EMPTY
        if self.failed_gates:
            return FAIL
        if self.dataset_drift or self.prediction_drifted:
            return DRIFT
        if self.untested or not self.tested:
            return UNTESTED
        return PASS

    @property
    def reason(self) -> str:
        """One line saying why the verdict is what it is."""
        verdict, tested, total = self.verdict, len(self.tested), len(self.features)
        if verdict == EMPTY:
            return "no rows in the window, nothing was tested"
        if verdict == FAIL:
            rules = ", ".join(f"{g.metric} {g.rule}" for g in self.failed_gates)
            return f"{len(self.failed_gates)} monitoring gate(s) failed: {rules}"
        if verdict == DRIFT:
            parts = [f"{len(self.drifted)} of {tested} tested features drifted"]
            if self.prediction_drifted:
                parts.append("prediction drift")
            return ", ".join(parts)
        if verdict == UNTESTED:
            return self._untested_reason()
        return f"{tested} of {total} features tested, none drifted"

    def _untested_reason(self) -> str:
        if not self.features:
            return "no feature to test: the reference has no feature columns"
        untested = self.untested
        if not self.tested:
            reasons = {f.note for f in untested}
            if len(reasons) == 1:
                return f"no feature could be tested: {reasons.pop()}"
        named = ", ".join(f"{f.name} ({short_reason(f.note)})" for f in untested[:5])
        more = f" and {len(untested) - 5} more" if len(untested) > 5 else ""
        total = len(self.features)
        return f"{len(untested)} of {total} features could not be tested: {named}{more}"

    @property
    def alarming(self) -> bool:
        """What --check fails on and what opens the monitoring issue: see ``ALARMING``."""
        return self.verdict in ALARMING

    @property
    def retrain_due(self) -> bool:
        """Drift or a failed gate (with labelled rows, the monitoring workflow retrains)."""
        return self.verdict in RETRAIN_ON


def by_strength(features: list[FeatureDrift]) -> list[FeatureDrift]:
    """The most strongly drifted first (``FeatureDrift.strength``), untested ones last."""

    def key(feature: FeatureDrift) -> tuple[int, float, str]:
        strength = feature.strength
        return (1, 0.0, feature.name) if strength is None else (0, -strength, feature.name)

    return sorted(features, key=key)
