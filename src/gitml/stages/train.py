"""``train``: fit any scikit-learn classifier named by import path in ``params.yaml``."""

from __future__ import annotations

import importlib
from pathlib import Path

import joblib
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from gitml.errors import ConfigError
from gitml.stages.params import section
from gitml.stages.splits import read_split


def load_estimator_class(import_path: str) -> type:
    """Import ``package.module.ClassName``; raise a ``ConfigError`` naming the path on failure."""
    module_name, _, class_name = import_path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        raise ConfigError(
            f"train.estimator {import_path!r} cannot be imported; "
            "use a full path such as sklearn.ensemble.RandomForestClassifier"
        ) from None
    return cls


def build_model(settings: dict) -> Pipeline:
    """The estimator from ``train.estimator`` + ``train.params``, optionally behind a scaler."""
    import_path = settings.get("estimator")
    if not import_path:
        raise ConfigError("params.yaml train.estimator is missing (an import path)")
    cls = load_estimator_class(import_path)
    try:
        estimator = cls(**(settings.get("params") or {}))
    except TypeError as error:
        raise ConfigError(f"train.params do not fit {import_path}: {error}") from None
    if not is_classifier(estimator):
        raise ConfigError(f"{import_path} is not a scikit-learn classifier")
    steps = [("scale", StandardScaler())] if settings.get("scale", False) else []
    return Pipeline([*steps, ("model", estimator)])


def train(
    params: dict,
    train_csv: Path | str = "prepared/train.csv",
    out: Path | str = "models/model.joblib",
) -> Path:
    """Fit the configured model on ``train_csv`` and save it with joblib to ``out``."""
    model = build_model(section(params, "train"))
    features, target = read_split(train_csv)
    model.fit(features, target)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out)
    return out
