"""Which model version an operation is about: ``--version``, ``--stage`` or the current commit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitml.config import Settings
from gitml.core.artifacts import ModelVersion, artifact_name, version_in_stage
from gitml.core.git import resolve
from gitml.errors import UsageError
from gitml.registry.promote import resolve_version
from gitml.registry.versions import list_versions


@dataclass(frozen=True)
class ModelSource:
    artifact: str
    commit: str
    #: the registered version (None for a commit that was never promoted)
    version: ModelVersion | None

    @property
    def label(self) -> str:
        """The version name, or ``g<commit>`` for an unregistered commit (BentoML tag version)."""
        return self.version.version if self.version else f"g{self.commit[:12]}"


def resolve_source(
    root: Path | str,
    settings: Settings,
    *,
    artifact: str | None = None,
    version: str | None = None,
    stage: str | None = None,
    rev: str = "HEAD",
) -> ModelSource:
    """``version`` wins, then ``stage``; else the version registered at ``rev`` (or just ``rev``)."""
    if version and stage:
        raise UsageError("pass either --version or --stage, not both")
    name = artifact_name(settings, artifact)
    if version:
        resolved = resolve_version(root, name, version)
        return ModelSource(name, resolved.commit, resolved)
    versions = list_versions(root, name)
    if stage:
        found = version_in_stage(versions, stage)
        if found is None:
            raise UsageError(f"no version of {name} is in stage '{stage}'; see `gitml models`")
        return ModelSource(name, found.commit, found)
    commit = resolve(root, rev)
    at_commit = next((v for v in versions if v.commit == commit and v.active), None)
    return ModelSource(name, commit, at_commit)
