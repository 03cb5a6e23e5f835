"""The reference side: a file, or the training data of the version in a stage.

``--stage prod`` resolves the stage through the registry's tags (GTO's format) to the version and
its commit, reads ``[tool.gitml.monitor] reference`` at that commit through DVC (cache, else the
remote), and reads the model file of that commit to learn its input features and to predict on the
reference (for prediction drift). The metrics the version was registered with come from its tag.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml import dvc_adapter
from gitml.config import Settings
from gitml.errors import ConfigError, DataError, GitmlError, UsageError, describe_exception
from gitml.monitor.reading import Window, WindowRequest, read_table
from gitml.monitor.sources import reference_source


@dataclass
class Reference:
    """The reference data and, in stage mode, the model version it trained."""

    window: Window
    source: str
    model: str | None = None
    version: str | None = None
    stage: str | None = None
    commit: str | None = None
    registered: dict[str, float] = field(default_factory=dict)
    #: the fitted model (stage mode), None when it could not be read (``model_problem`` says why)
    estimator: Any = None
    model_problem: str = ""


def from_file(path: str, request: WindowRequest) -> Reference:
    return Reference(window=read_table(reference_source(path), request), source=path)


def _version_in_stage(root: Path, settings: Settings, stage: str) -> tuple[str, Any]:
    from gitml.core.artifacts import artifact_name, version_in_stage
    from gitml.registry.versions import list_versions

    artifact = artifact_name(settings, None)
    try:
        versions = list_versions(root, artifact)
    except Exception as error:  # not a git repository, unreadable tags
        raise UsageError(
            f"cannot read the registry in {root.resolve()} ({describe_exception(error)}); run "
            "--stage inside the project's git clone (with its tags), or pass --reference FILE"
        ) from error
    found = version_in_stage(versions, stage)
    if found is None:
        raise UsageError(
            f"no version of {artifact} is in stage '{stage}'; see `gitml models`, or pass "
            "--reference FILE"
        )
    return artifact, found


def _load_model(root: Path, artifact: str, commit: str, scratch: Path) -> Any:
    import joblib

    path = dvc_adapter.artifact_path(root, artifact)
    local = dvc_adapter.read_output(root, path, commit, scratch / "model.joblib")
    try:
        return joblib.load(local)
    except Exception as error:  # a foreign or corrupt file
        raise DataError(f"{path} at {commit[:12]} is not a joblib model ({error})") from error


def from_stage(
    root: Path, settings: Settings, stage: str, path: str | None, request: WindowRequest
) -> Reference:
    """The training data and model of the version in ``stage``."""
    if not path:
        raise ConfigError(
            'set [tool.gitml.monitor] reference = "PATH" (the training data, e.g. '
            '"prepared/train.csv") for --stage, or pass --reference FILE'
        )
    artifact, version = _version_in_stage(root, settings, stage)
    with tempfile.TemporaryDirectory(prefix="gitml-monitor-") as scratch:
        local = dvc_adapter.read_output(root, path, version.commit, Path(scratch) / Path(path).name)
        window = read_table(reference_source(str(local)), request)
        reference = Reference(
            window=window,
            source=path,
            model=artifact,
            version=version.version,
            stage=stage,
            commit=version.commit,
            registered=dict(version.metrics),
        )
        try:
            reference.estimator = _load_model(root, artifact, version.commit, Path(scratch))
        except GitmlError as error:
            reference.model_problem = error.message
    return reference
