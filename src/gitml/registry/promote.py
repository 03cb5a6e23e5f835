"""``gitml promote``: register the current commit as the next version and assign it a stage.

The promotion passes only when the quality gates pass against the version currently in the target
stage. Tags are GTO's (``name@vX.Y.Z`` annotated, ``name#stage#N``), so ``gto show`` and
``dvc artifacts get`` agree with gitml. The registration tag's message carries the metrics the
version was promoted with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml import dvc_adapter
from gitml.config import Settings, load_settings
from gitml.errors import ConfigError, GatesFailed, UsageError
from gitml.registry import git, tags
from gitml.registry.lock import registry_lock
from gitml.registry.stages import promote_stage
from gitml.registry.versions import (
    ModelVersion,
    find_version,
    list_versions,
    metrics_message,
    next_version,
    version_in_stage,
)
from gitml.report.build import metric_rows
from gitml.report.gates import describe_failures, evaluate_gates
from gitml.report.model import GateResult, Revisions


class PromotionRefused(GatesFailed):
    """The promotion was refused (exit 1): the quality gates failed against the version in the
    target stage, or the stage holds a newer version than the one to move there."""


@dataclass
class Promotion:
    """What a promotion did (or, with ``dry_run``, would do)."""

    artifact: str
    version: str
    commit: str
    #: stage assigned, None with ``assign=False``
    stage: str | None
    #: the version that was in the stage before, the gates' baseline
    baseline: ModelVersion | None
    gates: list[GateResult] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    #: tags created by this promotion (empty when there was nothing to do)
    tags: list[str] = field(default_factory=list)
    pushed: bool = False
    #: the commit already had this version (a re-run): no registration tag was made
    registered_before: bool = False
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "artifact": self.artifact,
            "version": self.version,
            "commit": self.commit,
            "stage": self.stage,
            "baseline": self.baseline.version if self.baseline else None,
            "gates": [
                {"metric": g.metric, "rule": g.rule, "passed": g.passed, "detail": g.detail}
                for g in self.gates
            ],
            "metrics": self.metrics,
            "tags": self.tags,
            "pushed": self.pushed,
            "attempts": self.attempts,
        }


def artifact_name(settings: Settings, artifact: str | None) -> str:
    name = artifact or settings.promote.artifact
    if not name:
        raise ConfigError(
            'no artifact to promote; set [tool.gitml.promote] artifact = "NAME" (declared in '
            "dvc.yaml under `artifacts:`) or pass --artifact"
        )
    return name


def check_gates(
    root: Path | str, settings: Settings, commit: str, baseline: ModelVersion | None
) -> tuple[list[GateResult], dict[str, float]]:
    """The gates on ``commit``'s metrics against ``baseline``'s; plus the metrics by name."""
    base = commit if baseline is None or baseline.commit == commit else baseline.commit
    with dvc_adapter.open_repo(root) as repo:
        if base == commit:
            diff, errors = dvc_adapter.metrics_at(repo, commit)
        else:
            diff, errors = dvc_adapter.metrics_diff(repo, base, commit)
    revs = Revisions(base, commit)
    rows, problems = metric_rows(diff, settings, revs)
    metrics = {row.name: row.head for row in rows if row.head is not None}
    # a gate never passes on metrics that failed to load
    return evaluate_gates(settings.gates, rows, [*errors, *problems], revs), metrics


def refusal_message(
    artifact: str, commit: str, stage: str, baseline: ModelVersion | None, failed: list
) -> str:
    against = f"{baseline.version} (in {stage})" if baseline else "no baseline (stage empty)"
    reasons = describe_failures(failed)
    return (
        f"refusing to promote {artifact} at {commit[:12]} to {stage}: "
        f"{len(failed)} gate(s) failed against {against}: {reasons}"
    )


def promote(
    root: Path | str = ".",
    *,
    artifact: str | None = None,
    stage: str | None = None,
    bump: str | None = None,
    rev: str = "HEAD",
    assign: bool = True,
    push: bool = True,
    remote: str = "origin",
    retries: int = tags.DEFAULT_RETRIES,
    settings: Settings | None = None,
) -> Promotion:
    """Register ``rev`` as the next version of the artifact and assign it ``stage``.

    With ``assign=False`` only the version tag is made (and pushed): the release workflow assigns
    the stage with :func:`gitml.registry.assign.assign_stage` once the image is published, so a
    stage never points at a version whose image is missing.
    """
    settings = settings or load_settings(root)
    name = artifact_name(settings, artifact)
    stage = stage or promote_stage(root, settings)
    bump = bump or settings.promote.bump
    dvc_adapter.artifact_path(root, name)  # must be declared in dvc.yaml
    commit = git.resolve(root, rev)

    import gto.api

    def attempt() -> tuple[Promotion, list[str]]:
        versions = list_versions(root, name)
        baseline = version_in_stage(versions, stage)
        existing = next((v for v in versions if v.commit == commit and v.active), None)
        if existing is not None and baseline is not None and existing.version == baseline.version:
            # A re-run after success: the commit is already the version in this stage.
            return (
                Promotion(
                    name,
                    existing.version,
                    commit,
                    stage if assign else None,
                    baseline,
                    metrics=existing.metrics,
                    registered_before=True,
                ),
                [],
            )
        gates, metrics = check_gates(root, settings, commit, baseline)
        failed = [g for g in gates if not g.passed]
        if failed:
            raise PromotionRefused(refusal_message(name, commit, stage, baseline, failed))
        created: list[str] = []
        if existing is None:
            version = next_version([v.version for v in versions], bump)
            gto.api.register(
                str(root),
                name,
                commit,
                version=version,
                message=metrics_message(name, version, metrics),
            )
            created.append(f"{name}@{version}")
        else:
            version = existing.version
        if assign:
            tags.wait_for_new_second(root, name)
            try:
                event = gto.api.assign(  # force: re-entering a stage it held before
                    str(root),
                    name,
                    stage,
                    force=True,
                    version=version,
                    message=f"Assigning stage {stage} to artifact {name} version {version} "
                    f"(gitml promote; baseline {baseline.version if baseline else 'none'})",
                )
            except Exception:
                git.delete_local_tags(root, created)
                raise
            created.append(event.tag)
        promotion = Promotion(
            name,
            version,
            commit,
            stage if assign else None,
            baseline,
            gates,
            metrics,
            tags=created,
            registered_before=existing is not None,
        )
        return promotion, created

    with registry_lock(root), tags.gto_errors("create the registry tags"):
        promotion, attempts = tags.publish(root, attempt, push=push, remote=remote, retries=retries)
    promotion.pushed = push and bool(promotion.tags)
    promotion.attempts = attempts
    return promotion


def resolve_version(root: Path | str, artifact: str, version: str) -> ModelVersion:
    found = find_version(list_versions(root, artifact), version)
    if found is None:
        raise UsageError(f"{artifact} has no version {version}; list them with `gitml models`")
    return found
