"""The monitoring report as data. Markdown, JSON and HTML are renderings of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitml.monitor.chunks import Chunk
from gitml.monitor.drift import FeatureDrift
from gitml.monitor.gates import GateOutcome
from gitml.monitor.performance import Performance

VERDICTS = ("pass", "drift", "fail", "empty")


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
        if self.current.rows == 0:
            return "empty"
        if self.failed_gates:
            return "fail"
        if self.dataset_drift or self.prediction_drifted:
            return "drift"
        return "pass"

    @property
    def alarming(self) -> bool:
        """Drift or a failed gate: what --check fails on and what opens the monitoring issue."""
        return self.verdict in ("drift", "fail")


def by_strength(features: list[FeatureDrift]) -> list[FeatureDrift]:
    """The most strongly drifted first (``FeatureDrift.strength``), untested ones last."""

    def key(feature: FeatureDrift) -> tuple[int, float, str]:
        strength = feature.strength
        return (1, 0.0, feature.name) if strength is None else (0, -strength, feature.name)

    return sorted(features, key=key)
