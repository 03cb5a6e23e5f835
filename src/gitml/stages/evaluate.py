"""``evaluate``: score the model on the test split; write metrics, DVC plot data and the reference
profile ``gitml monitor`` reads (``gitml.core.profile``: the training split's columns, the model's
answers on it, and its probabilities on the test split with the labels, for calibration)."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from gitml.core.profile import build_profile, calibration_data, write_profile
from gitml.errors import DataError
from gitml.stages.splits import read_split

PLOT_FILES = {
    "roc": "plots/roc.json",
    "precision_recall": "plots/precision_recall.json",
    "confusion_matrix": "plots/confusion_matrix.csv",
    "feature_importance": "plots/feature_importance.csv",
}


def score(model, features: pd.DataFrame, target: pd.Series) -> dict[str, float]:
    """Accuracy, precision, recall, f1, ROC AUC and log loss (macro-averaged beyond two classes)."""
    # sklearn.metrics (with sklearn.metrics.pairwise and sklearn.preprocessing, about 0.15 s) is
    # imported when scoring begins: it is the evaluation's work, not the stage's start-up
    # (bench/stages.py). Unpickling a model of sklearn.ensemble or sklearn.linear_model has
    # imported it already.
    from sklearn import metrics as skm

    predicted = model.predict(features)
    probabilities = model.predict_proba(features)
    binary = probabilities.shape[1] == 2
    average = "binary" if binary else "macro"
    roc_auc = (
        skm.roc_auc_score(target, probabilities[:, 1])
        if binary
        else skm.roc_auc_score(target, probabilities, multi_class="ovr", labels=model.classes_)
    )
    values = {
        "accuracy": skm.accuracy_score(target, predicted),
        "precision": skm.precision_score(target, predicted, average=average, zero_division=0),
        "recall": skm.recall_score(target, predicted, average=average, zero_division=0),
        "f1": skm.f1_score(target, predicted, average=average, zero_division=0),
        "roc_auc": roc_auc,
        "log_loss": skm.log_loss(target, probabilities, labels=model.classes_),
    }
    return {name: round(float(value), 6) for name, value in values.items()}


def feature_importance(model, features: pd.DataFrame, target: pd.Series) -> pd.DataFrame:
    """Importances from the estimator when it has them, else permutation importance."""
    estimator = model[-1] if hasattr(model, "steps") else model
    if hasattr(estimator, "feature_importances_"):
        values = np.asarray(estimator.feature_importances_)
    elif hasattr(estimator, "coef_"):
        values = np.abs(np.asarray(estimator.coef_)).mean(axis=0)
    else:
        # sklearn.inspection pulls in sklearn.ensemble and sklearn.tree: import it only for the
        # estimators that need it, not in every evaluate's start-up (bench/stages.py)
        from sklearn.inspection import permutation_importance

        values = permutation_importance(
            model, features, target, n_repeats=5, random_state=0
        ).importances_mean
    frame = pd.DataFrame({"feature": features.columns, "importance": np.round(values, 6)})
    return frame.sort_values("importance", ascending=False, kind="stable")


def _write_json(path: Path, key: str, rows: list[dict]) -> None:
    path.write_text(json.dumps({key: rows}, indent=1) + "\n", encoding="utf-8")


def curve_rows(target: pd.Series, positive_scores: np.ndarray, positive_label) -> dict[str, list]:
    """ROC and precision-recall points for the positive class, rounded for small diffs."""
    from sklearn import metrics as skm  # see score()

    fpr, tpr, roc_thresholds = skm.roc_curve(target, positive_scores, pos_label=positive_label)
    precision, recall, pr_thresholds = skm.precision_recall_curve(
        target, positive_scores, pos_label=positive_label
    )
    roc = [
        {"fpr": round(float(f), 4), "tpr": round(float(t), 4), "threshold": round(float(h), 4)}
        for f, t, h in zip(fpr, tpr, np.minimum(roc_thresholds, 1.0), strict=True)
    ]
    prc = [
        {
            "recall": round(float(r), 4),
            "precision": round(float(p), 4),
            "threshold": round(float(h), 4),
        }
        for r, p, h in zip(recall[:-1], precision[:-1], pr_thresholds, strict=True)
    ]
    return {"roc": roc, "prc": prc}


def reference_profile(
    model, train_csv: Path | str, test: tuple[pd.DataFrame, pd.Series], source: str
) -> dict:
    """The profile of the training split, the model's answers on it and its calibration data."""
    features, _ = read_split(train_csv)
    names = getattr(model, "feature_names_in_", None)
    columns = [str(n) for n in names] if names is not None else list(features.columns)
    answers = {"prediction": pd.Series(model.predict(features[columns])).astype(str)}
    probabilities = model.predict_proba(features[columns])
    for index, label in enumerate(model.classes_):
        answers[f"probability[{label}]"] = pd.Series(probabilities[:, index])
    test_features, test_target = test
    calibration = calibration_data(
        list(model.classes_), model.predict_proba(test_features[columns]), test_target
    )
    return build_profile(features, columns, answers, calibration, source=source)


def evaluate(
    model_path: Path | str = "models/model.joblib",
    test_csv: Path | str = "prepared/test.csv",
    metrics_path: Path | str = "metrics.json",
    root: Path | str = ".",
    train_csv: Path | str = "prepared/train.csv",
    profile_path: Path | str = "profile.json",
) -> dict[str, float]:
    """Score ``model_path`` on ``test_csv``; write ``metrics.json``, the files in ``PLOT_FILES``
    and the reference profile of ``train_csv`` to ``profile_path``."""
    model_path = Path(model_path)
    if not model_path.is_file():
        raise DataError(f"{model_path} not found; run the train stage first (`gitml run`)")
    model = joblib.load(model_path)
    features, target = read_split(test_csv)
    values = score(model, features, target)
    Path(metrics_path).write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")

    root = Path(root)
    (root / "plots").mkdir(parents=True, exist_ok=True)
    probabilities = model.predict_proba(features)
    if probabilities.shape[1] == 2:
        curves = curve_rows(target, probabilities[:, 1], model.classes_[1])
        _write_json(root / PLOT_FILES["roc"], "roc", curves["roc"])
        _write_json(root / PLOT_FILES["precision_recall"], "prc", curves["prc"])
    pd.DataFrame({"actual": target, "predicted": model.predict(features)}).to_csv(
        root / PLOT_FILES["confusion_matrix"], index=False
    )
    feature_importance(model, features, target).to_csv(
        root / PLOT_FILES["feature_importance"], index=False
    )
    profile = reference_profile(model, train_csv, (features, target), str(train_csv))
    write_profile(profile, root / profile_path)
    return values
