"""``gitml validate`` as one function: find both models, read prod's logged traffic, replay it
through both Bentos, measure, gate, report. With nothing to compare with (no version in the
champion's stage, or none of its requests logged in the window), the report says so and the
candidate's Bento is smoke-tested instead."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gitml.config import Settings, load_settings
from gitml.core.artifacts import ModelVersion, artifact_name, find_version, version_in_stage
from gitml.errors import UsageError
from gitml.monitor.sources import find_sources
from gitml.registry.stages import promote_stage
from gitml.registry.versions import list_versions
from gitml.serving.build import bento_name, build, built_from
from gitml.serving.replay import replay
from gitml.serving.serve import bento_exists
from gitml.serving.smoke import smoke_test
from gitml.serving.store import bentoml_store
from gitml.validate.gates import evaluate_gates
from gitml.validate.measure import measure
from gitml.validate.model import Side, Traffic, ValidationReport
from gitml.validate.notes import replay_notes, traffic_notes
from gitml.validate.traffic import TrafficRequest, read_traffic
from gitml.validate.window import since_time


@dataclass(frozen=True)
class ValidateRequest:
    """What ``gitml validate`` was asked (its options)."""

    candidate: str | None = None
    candidate_stage: str | None = None
    champion_stage: str | None = None
    current: tuple[str, ...] = ()
    since: datetime | None = None
    last: int | None = None
    artifact: str | None = None
    service: str | None = None
    root: Path = Path(".")
    #: replaces this process's environment for BentoML (its store) and the servers
    env: Mapping[str, str] | None = None


def _candidate(request: ValidateRequest, settings: Settings, versions: list[ModelVersion]):
    name = versions[0].artifact if versions else artifact_name(settings, request.artifact)
    if request.candidate and request.candidate_stage:
        raise UsageError("pass either --candidate or --candidate-stage, not both")
    if request.candidate:
        found = find_version(versions, request.candidate)
        if found is None:
            raise UsageError(f"{name} has no version {request.candidate}; see `gitml models`")
        return found, None
    stage = (
        request.candidate_stage
        or settings.validate.candidate_stage
        or promote_stage(request.root, settings)
    )
    found = version_in_stage(versions, stage)
    if found is None:
        raise UsageError(f"no version of {name} is in {stage}; pass --candidate VERSION")
    return found, stage


def ensure_bento(request: ValidateRequest, settings: Settings, name: str, version: str) -> str:
    """The Bento of ``version`` as the release built it; built now when the store lacks it, or
    (with ``--service``) holds one built from another service."""
    tag = f"{bento_name(name)}:{version}"
    with bentoml_store(request.env):
        exists = bento_exists(tag) if request.service is None else built_from(tag, request.service)
    if not exists:
        build(request.root, version=version, artifact=name, service_file=request.service,
              settings=settings, env=request.env)  # fmt: skip
    return tag


def _smoke_instead(report: ValidationReport, request: ValidateRequest, settings: Settings) -> None:
    """Nothing to compare with: say why (already in ``report.notes``) and smoke-test."""
    candidate = report.candidate
    ensure_bento(request, settings, report.artifact, candidate.version)
    result = smoke_test(request.root, version=candidate.version, artifact=report.artifact,
                        settings=settings, env=request.env)  # fmt: skip
    report.smoke_passed = result.passed
    report.smoke_test = (
        f"{result.bento_tag}: {result.rows} rows of the test split answered as the model "
        f"answers them, a bad request answered {result.bad_request_status}"
        if result.passed
        else result.failure()
    )


def _window(
    request: ValidateRequest, settings: Settings
) -> tuple[tuple[str, ...], datetime | None]:
    current = request.current or settings.monitor.current
    since = request.since
    if since is None and settings.validate.since:
        since = since_time(settings.validate.since)
    return tuple(current), since


def validate(request: ValidateRequest) -> ValidationReport:
    """The candidate against the champion on prod's logged traffic; see the module docstring."""
    root = Path(request.root)
    settings = load_settings(root)
    vs = settings.validate
    name = artifact_name(settings, request.artifact)
    versions = list_versions(root, name)
    candidate, candidate_stage = _candidate(request, settings, versions)
    champion_stage = request.champion_stage or vs.champion_stage
    champion = version_in_stage(versions, champion_stage)
    if champion is not None and champion.version == candidate.version:
        raise UsageError(f"{name} {candidate.version} is already in {champion_stage}: nothing "
                         "to validate; pass --candidate with another version")  # fmt: skip
    current, since = _window(request, settings)
    last = request.last or vs.last
    report = ValidationReport(
        artifact=name,
        candidate=Side(candidate.version, candidate.commit, candidate_stage),
        champion=Side(champion.version, champion.commit, champion_stage) if champion else None,
        traffic=Traffic(", ".join(current) or "none", since.isoformat() if since else None, last),
        gate_metric=vs.metric,
    )
    if champion is None:
        report.notes.append(f"no version of {name} is in {champion_stage} yet: there is no "
                            "production traffic to compare with")  # fmt: skip
        _smoke_instead(report, request, settings)
        return report
    if not current:  # prod serves, but where its traffic is was not said: nothing is judged
        report.notes.append(f"{champion_stage} holds {champion.version}, but no source of its "
                            "logged traffic is configured (--current, [tool.gitml.monitor] "
                            "current): nothing was replayed, nothing judged")  # fmt: skip
        return report
    limit = min(last or vs.max_requests, vs.max_requests)
    traffic = read_traffic(find_sources(list(current)),
                           TrafficRequest(champion.version, since, limit))  # fmt: skip
    report.traffic.requests, report.traffic.rows = len(traffic.requests), traffic.rows
    traffic_notes(report, traffic, limit)
    if not traffic.requests:
        report.notes.append(f"no request answered by {champion.version} ({champion_stage}) is "
                            "logged in the window: nothing to replay")  # fmt: skip
        _smoke_instead(report, request, settings)
        return report
    bentos = {
        "champion": ensure_bento(request, settings, name, champion.version),
        "candidate": ensure_bento(request, settings, name, candidate.version),
    }
    report.champion = Side(champion.version, champion.commit, champion_stage, bentos["champion"])
    report.candidate = Side(candidate.version, candidate.commit, candidate_stage,
                            bentos["candidate"])  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="gitml-validate-") as scratch:
        batches = [logged.instances for logged in traffic.requests]
        replayed = replay(bentos, batches, Path(scratch), request.env)
        measure(report, traffic, replayed, vs)
    replay_notes(report)
    report.gates = evaluate_gates(report, vs)
    return report
