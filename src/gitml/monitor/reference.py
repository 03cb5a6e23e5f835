"""The reference side: a file, a profile, or the version in a stage.

``--stage prod`` resolves the stage through the registry's tags (GTO's format) to the version and
its commit. There, the reference is either its training data (``[tool.gitml.monitor] reference``,
read through DVC: cache, else the remote) with its model file (its input features, and its answers
on the reference for prediction drift), or its reference profile (``profile``, written by the
evaluate stage), which holds all of that in a compact form. ``use_profile = "auto"`` takes the
profile when the training data is not configured, cannot be read, or has more rows than
``sample_rows``; "always" and "never" decide it outright. The calibration of the performance
estimate comes from the profile, else from the evaluation split (``evaluation``) scored by the
model. The metrics the version was registered with come from its tag.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gitml import dvc_adapter
from gitml.config import MonitorSettings, Settings
from gitml.errors import ConfigError, DataError, GitmlError, UsageError, describe_exception
from gitml.monitor.estimate import Calibration
from gitml.monitor.profile import Profile, is_profile, read_profile
from gitml.monitor.reading import Window, WindowRequest, read_table
from gitml.monitor.sources import reference_source


@dataclass
class Reference:
    """The reference data (rows, or a profile standing in for them) and, in stage mode, the
    model version it trained."""

    window: Window
    source: str
    model: str | None = None
    version: str | None = None
    stage: str | None = None
    commit: str | None = None
    registered: dict[str, float] = field(default_factory=dict)
    #: the fitted model (stage mode), None when it was not read (``model_problem`` says why)
    estimator: Any = None
    model_problem: str = ""
    #: the profile the tests run against, in place of ``window``'s rows
    profile: Profile | None = None
    calibration: Calibration | None = None
    calibration_problem: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.profile.rows if self.profile else self.window.rows

    def columns(self) -> pd.DataFrame | dict[str, pd.Series]:
        """One series per column: the rows read, or the profile's stand-ins."""
        return self.profile.columns if self.profile else self.window.sample

    def kinds(self) -> dict[str, str]:
        return self.profile.kinds if self.profile else {}


def _empty_window(source: str) -> Window:
    return Window(sample=pd.DataFrame(), labelled=pd.DataFrame(), sources=[source])


def from_file(path: str, request: WindowRequest) -> Reference:
    """A data file, or a reference profile file (``gitml.core.profile``'s format)."""
    local = Path(path.removeprefix("file://"))
    if "://" not in path.replace("file://", "") and local.is_file() and is_profile(local):
        profile = read_profile(local, path)
        reference = Reference(window=_empty_window(path), source=path, profile=profile)
        reference.calibration = profile.calibration
        return reference
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


def _profile_at(root: Path, ms: MonitorSettings, commit: str, scratch: Path) -> Profile | None:
    """The version's profile, or None where there is none (an older version, not configured)."""
    if not ms.profile or ms.use_profile == "never":
        return None
    try:
        local = dvc_adapter.read_output(root, ms.profile, commit, scratch / "profile.json")
    except GitmlError as error:
        if ms.use_profile == "always":
            raise DataError(
                f"no reference profile {ms.profile} at {commit[:12]} ({error.message}); run the "
                'evaluate stage on that commit, or set [tool.gitml.monitor] use_profile = "auto"'
            ) from error
        return None
    return read_profile(local, f"{ms.profile} at {commit[:12]}")


def _training_data(root: Path, ms: MonitorSettings, commit: str, scratch: Path, request):
    if not ms.reference:
        raise ConfigError(
            'set [tool.gitml.monitor] reference = "PATH" (the training data, e.g. '
            '"prepared/train.csv") for --stage, or pass --reference FILE'
        )
    local = dvc_adapter.read_output(root, ms.reference, commit, scratch / Path(ms.reference).name)
    return read_table(reference_source(str(local)), request)


def _choose(reference: Reference, profile: Profile | None, ms, read_rows) -> None:
    """Fill ``reference`` from the profile or the training data (``read_rows()``)."""
    why = ""
    if profile is not None and ms.use_profile == "always":
        why = 'use_profile = "always"'
    elif profile is not None and not ms.reference:
        why = "no training data is configured ([tool.gitml.monitor] reference)"
    elif profile is not None and profile.rows > ms.sample_rows:
        why = f"the training data has {profile.rows:,} rows (more than sample_rows)"
    if not why:
        try:
            reference.window = read_rows()
            return
        except GitmlError as error:
            if profile is None:
                raise
            why = f"the training data could not be read ({error.message})"
    assert profile is not None
    reference.profile = profile
    reference.notes.append(f"the reference is the version's profile {profile.name}: {why}")


def from_stage(root: Path, settings: Settings, stage: str, request: WindowRequest) -> Reference:
    """The training data (or its profile), model and calibration of the version in ``stage``."""
    ms = settings.monitor
    if not ms.reference and not ms.profile:
        raise ConfigError(
            'set [tool.gitml.monitor] reference = "PATH" (the training data, e.g. '
            '"prepared/train.csv") or profile = "PATH" (the evaluate stage\'s reference '
            "profile) for --stage, or pass --reference FILE"
        )
    artifact, version = _version_in_stage(root, settings, stage)
    with tempfile.TemporaryDirectory(prefix="gitml-monitor-") as folder:
        scratch = Path(folder)
        reference = Reference(
            window=_empty_window(ms.reference or ms.profile or ""),
            source=ms.reference or ms.profile or "",
            model=artifact,
            version=version.version,
            stage=stage,
            commit=version.commit,
            registered=dict(version.metrics),
        )
        profile = _profile_at(root, ms, version.commit, scratch)
        _choose(
            reference,
            profile,
            ms,
            lambda: _training_data(root, ms, version.commit, scratch, request),
        )
        if reference.profile is not None:
            reference.source = ms.profile or reference.source
        # the model answers on the training data (prediction drift) and on the evaluation split
        # (calibration); a profile holds both
        has_calibration = profile is not None and profile.calibration is not None
        if reference.profile is None or not has_calibration:
            try:
                reference.estimator = _load_model(root, artifact, version.commit, scratch)
            except GitmlError as error:
                reference.model_problem = error.message
        reference.calibration = profile.calibration if profile else None
        if reference.calibration is None:
            _calibrate(root, ms, reference, scratch)
    return reference


def _calibrate(root: Path, ms: MonitorSettings, reference: Reference, scratch: Path) -> None:
    """The calibration from the evaluation split at the version's commit, scored by its model."""
    if reference.estimator is None or not ms.evaluation:
        reference.calibration_problem = (
            "no calibration: set [tool.gitml.monitor] evaluation (the evaluation split) or "
            "profile (the evaluate stage's reference profile)"
            if reference.estimator is not None
            else "no calibration: the model could not be read"
        )
        return
    assert reference.commit is not None
    try:
        local = dvc_adapter.read_output(
            root, ms.evaluation, reference.commit, scratch / "evaluation.csv"
        )
        split = read_table(reference_source(str(local)), WindowRequest())
        reference.calibration = calibration_from(reference.estimator, split, ms)
    except GitmlError as error:
        reference.calibration_problem = f"no calibration: {error.message}"


def calibration_from(estimator: Any, split: Window, ms: MonitorSettings) -> Calibration:
    """The model's probabilities on the evaluation split, with its labels."""
    frame = split.sample
    if ms.target not in frame.columns:
        raise DataError(
            f"the evaluation split has no {ms.target!r} column ([tool.gitml.monitor] target)"
        )
    names = getattr(estimator, "feature_names_in_", None)
    features = (
        [str(n) for n in names]
        if names is not None
        else [c for c in frame.columns if c != ms.target and not c.startswith("__")]
    )
    try:
        probabilities = np.asarray(estimator.predict_proba(frame[features]), dtype=float)
    except Exception as error:  # a split the model cannot score
        raise DataError(f"the model cannot score the evaluation split ({error})") from error
    return Calibration(
        classes=tuple(str(c) for c in estimator.classes_),
        probabilities=probabilities,
        labels=frame[ms.target].astype(str).to_numpy(),
        source=ms.evaluation or "",
    )
