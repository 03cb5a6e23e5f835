"""``train``: fit any scikit-learn classifier named by import path in ``params.yaml``."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

import joblib
from sklearn.base import is_classifier

from gitml.errors import ConfigError
from gitml.stages.params import section
from gitml.stages.splits import read_split

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline


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
    # Imported here, with the estimator's own module, when training begins: sklearn.pipeline
    # pulls sklearn.preprocessing and sklearn.callback (rich, when installed), about 0.1 s that
    # is the training's cost, not the stage's start-up (bench/stages.py).
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

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
