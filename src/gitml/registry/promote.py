"""``gitml promote``: register the current commit as the next version and assign it a stage.

The promotion passes only when the quality gates pass against the version currently in the target
stage, and only on a commit whose ``dvc.lock`` matches its data, params and code (see
:mod:`gitml.registry.reproduced`). Tags are GTO's (``name@vX.Y.Z`` annotated,
``name#stage#N``), so ``gto show`` and ``dvc artifacts get`` agree with gitml. The registration
tag's message carries the metrics the version was promoted with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from gitml import dvc_adapter
from gitml.config import Settings, load_settings
from gitml.core.artifacts import (
    ModelVersion,
    artifact_name,
    find_version,
    metrics_message,
    next_version,
    version_in_stage,
)
from gitml.core.compare import metric_rows
from gitml.core.gates import describe_failures, evaluate_gates
from gitml.core.git import resolve
from gitml.core.model import GateResult, Revisions
from gitml.errors import GatesFailed, UsageError
from gitml.registry import git, tags
from gitml.registry.facts import facts_lines
from gitml.registry.lock import registry_lock
from gitml.registry.model_signature import SignVersion, sign_version
from gitml.registry.reproduced import check_reproduced
from gitml.registry.stages import promote_stage
from gitml.registry.versions import list_versions


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
            "gates": [gate.to_dict() for gate in self.gates],
            "metrics": self.metrics,
            "tags": self.tags,
            "pushed": self.pushed,
            "attempts": self.attempts,
        }


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


@dataclass(frozen=True)
class PromotionPlan:
    """What one promotion works on, settled before any tag is read or made."""

    root: Path | str
    settings: Settings
    artifact: str
    stage: str
    bump: str
    commit: str
    assign: bool


def plan_promotion(
    root: Path | str,
    settings: Settings,
    *,
    artifact: str | None = None,
    stage: str | None = None,
    bump: str | None = None,
    rev: str = "HEAD",
    assign: bool = True,
) -> PromotionPlan:
    """The artifact (declared in dvc.yaml), stage, bump and commit a promotion works on."""
    name = artifact_name(settings, artifact)
    dvc_adapter.artifact_path(root, name)  # must be declared in dvc.yaml
    return PromotionPlan(
        root=root,
        settings=settings,
        artifact=name,
        stage=stage or promote_stage(root, settings),
        bump=bump or settings.promote.bump,
        commit=resolve(root, rev),
        assign=assign,
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
    stage never points at a version whose image is missing. A commit whose ``dvc.lock`` is
    stale is refused before any tag is read or made.
    """
    plan = plan_promotion(
        root,
        settings or load_settings(root),
        artifact=artifact,
        stage=stage,
        bump=bump,
        rev=rev,
        assign=assign,
    )
    check_reproduced(plan.root, plan.artifact, plan.commit)
    signed = sign_version(plan.root, plan.settings, plan.artifact, plan.commit)
    with registry_lock(root), tags.gto_errors("create the registry tags"):
        promotion, attempts = tags.publish(
            root,
            partial(attempt_promotion, plan, signed),
            push=push,
            remote=remote,
            retries=retries,
        )
    promotion.pushed = push and bool(promotion.tags)
    promotion.attempts = attempts
    return promotion


def attempt_promotion(
    plan: PromotionPlan, signed: SignVersion | None = None
) -> tuple[Promotion, list[str]]:
    """One try against the registry as it is now: gates, then the local tags (pushed by the
    caller, which retries after a lost race). Returns the promotion and the tags it made.
    ``signed`` tags the version's model signature too (:mod:`gitml.registry.model_signature`)."""
    versions = list_versions(plan.root, plan.artifact)
    baseline = version_in_stage(versions, plan.stage)
    existing = next((v for v in versions if v.commit == plan.commit and v.active), None)
    stage = plan.stage if plan.assign else None
    if existing is not None and baseline is not None and existing.version == baseline.version:
        # A re-run after success: the commit is already the version in this stage.
        again = Promotion(plan.artifact, existing.version, plan.commit, stage, baseline)
        again.metrics, again.registered_before = existing.metrics, True
        return again, []
    gates, metrics = check_gates(plan.root, plan.settings, plan.commit, baseline)
    failed = [g for g in gates if not g.passed]
    if failed:
        raise PromotionRefused(
            refusal_message(plan.artifact, plan.commit, plan.stage, baseline, failed)
        )
    created: list[str] = []
    if existing is None:
        version = next_version([v.version for v in versions], plan.bump)
        created.append(_register(plan, version, metrics, facts_lines(baseline, gates)))
    else:
        version = existing.version
    if signed is not None:
        created += signed(version)
    if plan.assign:
        created.append(_assign(plan, version, baseline, created))
    promotion = Promotion(plan.artifact, version, plan.commit, stage, baseline, gates, metrics)
    promotion.tags, promotion.registered_before = created, existing is not None
    return promotion, created


def _register(plan: PromotionPlan, version: str, metrics: dict[str, float], facts: str) -> str:
    """Tag the commit as ``version`` (annotated, with its metrics, then its baseline and gates:
    :mod:`gitml.registry.facts`); returns the tag."""
    import gto.api

    gto.api.register(
        str(plan.root),
        plan.artifact,
        plan.commit,
        version=version,
        message=metrics_message(plan.artifact, version, metrics) + facts,
    )
    return f"{plan.artifact}@{version}"


def _assign(
    plan: PromotionPlan, version: str, baseline: ModelVersion | None, created: list[str]
) -> str:
    """Tag ``version`` into the plan's stage; on failure the tags this try made are deleted."""
    import gto.api

    tags.wait_for_new_second(plan.root, plan.artifact)
    try:
        event = gto.api.assign(  # force: re-entering a stage it held before
            str(plan.root),
            plan.artifact,
            plan.stage,
            force=True,
            version=version,
            message=f"Assigning stage {plan.stage} to artifact {plan.artifact} version {version} "
            f"(gitml promote; baseline {baseline.version if baseline else 'none'})",
        )
    except Exception:
        git.delete_local_tags(plan.root, created)
        raise
    return event.tag


def resolve_version(root: Path | str, artifact: str, version: str) -> ModelVersion:
    found = find_version(list_versions(root, artifact), version)
    if found is None:
        raise UsageError(f"{artifact} has no version {version}; list them with `gitml models`")
    return found
