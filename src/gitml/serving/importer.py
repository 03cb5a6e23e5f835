"""Import the DVC-tracked model of one version into BentoML's model store.

The model file is read at the version's commit (DVC cache, else the DVC remote), saved as a BentoML
model named after the artifact and tagged with the version, labelled with version, commit and
stage, and carrying the metrics it was promoted with and its training features as metadata.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from gitml import dvc_adapter
from gitml.config import Settings, load_settings
from gitml.errors import DataError, GitmlError
from gitml.serving.signing import verify_model_file
from gitml.serving.source import ModelSource

MODEL_FILE = "model.joblib"


@dataclass(frozen=True)
class ImportedModel:
    tag: str
    artifact: str
    version: str | None
    commit: str
    features: list[str]
    classes: list[Any]
    metrics: dict[str, float] = field(default_factory=dict)
    reused: bool = False


def describe_model(path: Path) -> tuple[list[str], list[Any]]:
    """The training feature names and classes of a fitted scikit-learn model file."""
    import joblib

    try:
        model = joblib.load(path)
    except Exception as error:  # a corrupt or foreign file
        raise DataError(f"{path} is not a loadable joblib model ({error})") from error
    features = getattr(model, "feature_names_in_", None)
    if features is None:
        raise DataError(
            f"the model in {path} has no feature_names_in_: fit it on a pandas DataFrame so the "
            "service can check requests against the training features"
        )
    if not hasattr(model, "predict_proba"):
        raise DataError(f"the model in {path} has no predict_proba; the default service needs it")
    classes = [c.item() if hasattr(c, "item") else c for c in getattr(model, "classes_", [])]
    return [str(f) for f in features], classes


def import_model(
    root: Path | str,
    source: ModelSource,
    model_path: Path | None = None,
    settings: Settings | None = None,
) -> ImportedModel:
    """Save the model of ``source`` into BentoML's store (reused when already imported).

    ``model_path`` overrides where the file comes from (tests; a model not tracked by DVC).
    With signing set up, the file (or the copy in the store) is verified before it is loaded.
    """
    import shutil

    import bentoml

    settings = settings or load_settings(root)
    tag = f"{source.artifact}:{source.label}"
    existing = _imported(tag, source)
    if existing is not None:
        _verify(root, settings, source, Path(bentoml.models.get(tag).path_of(MODEL_FILE)))
        return existing
    with tempfile.TemporaryDirectory() as scratch:
        if model_path is None:
            path = dvc_adapter.artifact_path(root, source.artifact)
            model_path = dvc_adapter.read_output(
                root, path, source.commit, Path(scratch) / MODEL_FILE
            )
        _verify(root, settings, source, model_path)  # before unpickling it
        features, classes = describe_model(model_path)
        metadata = _metadata(source, features, classes)
        with bentoml.models.create(tag, labels=_labels(source), metadata=metadata) as model:
            shutil.copyfile(model_path, model.path_of(MODEL_FILE))
    return ImportedModel(
        tag,
        source.artifact,
        metadata["version"] or None,
        source.commit,
        features,
        classes,
        metadata["metrics"],
    )


def _verify(root: Path | str, settings: Settings, source: ModelSource, model_file: Path) -> None:
    version = source.version.version if source.version else None
    verify_model_file(root, settings, source.artifact, version, source.commit, model_file)


def _imported(tag: str, source: ModelSource) -> ImportedModel | None:
    """The model already in BentoML's store under ``tag``, if any: it must be from the same
    commit."""
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        existing = bentoml.models.get(tag)
    except NotFound:
        return None
    if existing.info.labels.get("commit") != source.commit:
        raise GitmlError(
            f"BentoML model {tag} exists but was imported from commit "
            f"{existing.info.labels.get('commit')}, not {source.commit[:12]}; "
            f"delete it with `bentoml models delete {tag}`"
        )
    meta = existing.info.metadata
    return ImportedModel(
        tag,
        source.artifact,
        source.version.version if source.version else None,
        source.commit,
        list(cast(list, meta.get("features", []))),
        list(cast(list, meta.get("classes", []))),
        dict(cast(dict, meta.get("metrics", {}))),
        reused=True,
    )


def _labels(source: ModelSource) -> dict[str, str]:
    """BentoML labels: what ``bentoml models list`` shows and filters on."""
    version = source.version
    return {
        "artifact": source.artifact,
        "version": version.version if version else "unregistered",
        "commit": source.commit,
        "stage": ",".join(version.stages) if version and version.stages else "none",
        "source": "gitml",
    }


def _metadata(source: ModelSource, features: list[str], classes: list[Any]) -> dict[str, Any]:
    """BentoML metadata: what the service reads back (features, classes, metrics)."""
    version = source.version
    return {
        "version": version.version if version else "",
        "commit": source.commit,
        "metrics": dict(version.metrics) if version else {},
        "features": features,
        "classes": classes,
        "model_file": MODEL_FILE,
    }
