"""The model card as data; Markdown (:mod:`gitml.card.markdown`) and JSON
(:mod:`gitml.card.json_render`) are renderings of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitml.dvc_adapter import TrackedInput
from gitml.github.pull_facts import MergeFacts
from gitml.registry.facts import RecordedGate


@dataclass(frozen=True)
class DataFile:
    """A training input as DVC recorded it, with its row count when counting was cheap."""

    tracked: TrackedInput
    rows: int | None = None


@dataclass(frozen=True)
class ValidationSummary:
    """The slot for a validation run's result (``gitml validate``) when the version goes to
    prod: whether it passed, one line, and its checks as (name, passed, detail)."""

    passed: bool
    summary: str
    stage: str | None = None
    url: str | None = None
    checks: tuple[tuple[str, bool, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "summary": self.summary,
            "stage": self.stage,
            "url": self.url,
            "checks": [{"name": n, "passed": p, "detail": d} for n, p, d in self.checks],
        }


@dataclass(frozen=True)
class CardTemplate:
    """What the project wrote once: front matter (license, tags...) and its sections."""

    metadata: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    #: where it was read: "MODEL_CARD.md at <commit>", "MODEL_CARD.md (working tree)" or None
    source: str | None = None


@dataclass(frozen=True)
class ModelCard:
    """Everything one version's card says."""

    artifact: str
    version: str
    commit: str
    registered_at: str | None
    registered_by: str | None
    stages: tuple[str, ...]
    model: TrackedInput | None
    stage: str | None
    params: dict[str, Any]
    data: tuple[DataFile, ...]
    metrics: dict[str, float]
    #: the registration tag recorded its baseline and gates (False for older tags)
    recorded: bool
    baseline: str | None
    gates: tuple[RecordedGate, ...]
    merge: MergeFacts | None
    #: why ``merge`` is None: "no pull request", "not looked up (no GitHub token)", an API error
    merge_note: str | None
    signature_tag: str | None
    signing_method: str | None
    template: CardTemplate
    validation: ValidationSummary | None = None
    repository_url: str | None = None

    @property
    def estimator(self) -> str | None:
        """The estimator's import path when the params name one (``train.estimator``)."""
        for name, value in self.params.items():
            if name.rpartition(":")[2].split(".")[-1] == "estimator" and isinstance(value, str):
                return value
        return None
