"""Performance on the rows that have feedback, and a label-free estimate on every row.

The metrics are the evaluate stage's (accuracy, precision, recall, f1, roc_auc, log_loss;
macro-averaged beyond two classes), so they compare with the metrics the version was registered
with. The estimate (``monitor/estimate.py``) calibrates the logged probabilities on the version's
evaluation split, and gives every metric with a band; where no calibration is at hand (a data file
as the reference, no evaluation split), the estimate of accuracy is the model's own confidence
(the mean of the highest probability), right only for a calibrated model, and says so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gitml.monitor.estimate import Calibration, Calibrator, Estimate, estimate
from gitml.monitor.reading import LABEL, PREDICTION, PROBABILITY

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss")
LOWER_IS_BETTER = {"log_loss"}


@dataclass
class MetricComparison:
    name: str
    current: float | None
    registered: float | None

    @property
    def change(self) -> float | None:
        if self.current is None or self.registered is None:
            return None
        return self.current - self.registered

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "current": self.current,
            "registered": self.registered,
            "change": self.change,
        }


CALIBRATED = "calibrated"
CONFIDENCE = "confidence"
METHODS = {
    CALIBRATED: "the logged probabilities calibrated on the version's evaluation split (CBPE): "
    "expected metrics, with a 95% band for a window of this size",
    CONFIDENCE: "the mean highest predicted probability: right only for a calibrated model "
    "(no evaluation split to calibrate on)",
}


@dataclass
class Performance:
    labelled_rows: int
    metrics: list[MetricComparison] = field(default_factory=list)
    #: the expected accuracy from the probabilities (no labels needed)
    estimated_accuracy: float | None = None
    note: str = ""
    #: every metric's label-free estimate (calibrated), with its band and the realized value
    estimates: list[Estimate] = field(default_factory=list)
    method: str = CONFIDENCE
    method_note: str = ""
    #: the metrics the version was registered with
    registered_metrics: dict[str, float] = field(default_factory=dict)

    def value(self, name: str) -> float | None:
        if name == "estimated_accuracy":
            return self.estimated_accuracy
        return next((m.current for m in self.metrics if m.name == name), None)

    def registered(self, name: str) -> float | None:
        name = "accuracy" if name == "estimated_accuracy" else name
        if name in self.registered_metrics:
            return self.registered_metrics[name]
        return next((m.registered for m in self.metrics if m.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "labelled_rows": self.labelled_rows,
            "metrics": [m.to_dict() for m in self.metrics],
            "estimated_accuracy": self.estimated_accuracy,
            "estimate_method": self.method,
            "estimate_note": METHODS[self.method]
            + (f" ({self.method_note})" if self.method_note else ""),
            "estimates": [e.to_dict() for e in self.estimates],
            "note": self.note,
        }


def probability_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith(PROBABILITY)]


def estimated_accuracy(frame: pd.DataFrame) -> float | None:
    """Mean of the highest class probability over the rows that have probabilities."""
    columns = probability_columns(frame)
    if not columns or frame.empty:
        return None
    probabilities = frame[columns].apply(pd.to_numeric, errors="coerce").dropna()
    if probabilities.empty:
        return None
    return round(float(probabilities.max(axis=1).mean()), 6)


def measured(labelled: pd.DataFrame) -> dict[str, float]:
    """The evaluate stage's metrics of the logged predictions against the feedback labels."""
    from sklearn import metrics as skm

    truth = labelled[LABEL].astype(str).to_numpy()
    predicted = labelled[PREDICTION].astype(str).to_numpy()
    columns = probability_columns(labelled)
    classes = [c[len(PROBABILITY) :] for c in columns]
    binary = len(classes) == 2 or (not classes and len(set(truth) | set(predicted)) <= 2)
    average = "binary" if binary else "macro"
    positive = classes[1] if len(classes) == 2 else sorted(set(truth) | set(predicted))[-1]
    options = {"average": average, "zero_division": 0}
    if binary:
        options["pos_label"] = positive
    values: dict[str, float] = {
        "accuracy": skm.accuracy_score(truth, predicted),
        "precision": skm.precision_score(truth, predicted, **options),
        "recall": skm.recall_score(truth, predicted, **options),
        "f1": skm.f1_score(truth, predicted, **options),
    }
    probabilities = labelled[columns].apply(pd.to_numeric, errors="coerce").to_numpy()
    if columns and not np.isnan(probabilities).any() and len(set(truth)) > 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if len(classes) == 2:
                    values["roc_auc"] = skm.roc_auc_score(truth == classes[1], probabilities[:, 1])
                else:
                    values["roc_auc"] = skm.roc_auc_score(
                        truth, probabilities, multi_class="ovr", labels=classes
                    )
                values["log_loss"] = skm.log_loss(truth, probabilities, labels=classes)
            except ValueError:
                pass  # a label the model has no class for: those two cannot be computed
    return {name: round(float(value), 6) for name, value in values.items()}


def _indices(frame: pd.DataFrame, column: str, classes: tuple[str, ...]) -> np.ndarray:
    """Class indices of ``column`` (-1 where the value is not a class)."""
    lookup = {name: index for index, name in enumerate(classes)}
    return np.array([lookup.get(str(v), -1) for v in frame[column]], dtype=int)


def _window_probabilities(frame: pd.DataFrame, classes: tuple[str, ...]):
    """(probabilities, predicted class indices, usable rows) of the logged rows."""
    columns = [PROBABILITY + c for c in classes]
    probabilities = frame[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    usable = np.isfinite(probabilities).all(axis=1) & (probabilities >= 0).all(axis=1)
    predicted = (
        _indices(frame, PREDICTION, classes) if PREDICTION in frame else np.full(len(frame), -1)
    )
    predicted = np.where(predicted >= 0, predicted, probabilities.argmax(axis=1))
    return probabilities[usable], predicted[usable], usable


def calibrated_estimates(
    sample: pd.DataFrame, labelled: pd.DataFrame, calibration: Calibration, seed: int
) -> list[Estimate] | str:
    """Every metric's calibrated estimate on ``sample``, realized beside it on ``labelled``;
    a string says why there is none."""
    classes = calibration.classes
    missing = [c for c in classes if PROBABILITY + c not in sample.columns]
    if missing:
        return f"the logs have no probability of class(es) {', '.join(missing)} of the calibration"
    probabilities, predicted, _ = _window_probabilities(sample, classes)
    if not len(probabilities):
        return "no logged row has usable probabilities"
    known = None
    if not labelled.empty and all(PROBABILITY + c in labelled.columns for c in classes):
        known_probabilities, known_predicted, usable = _window_probabilities(labelled, classes)
        truth = _indices(labelled, LABEL, classes)[usable]
        ok = truth >= 0
        known = (known_probabilities[ok], known_predicted[ok], truth[ok])
    return estimate(Calibrator(calibration), probabilities, predicted, seed, known)


def performance(
    sample: pd.DataFrame,
    labelled: pd.DataFrame,
    registered: dict[str, float],
    calibration: Calibration | None = None,
    seed: int = 0,
    why_uncalibrated: str = "",
) -> Performance:
    """Measured metrics on ``labelled`` against ``registered``, and the estimates on ``sample``
    (calibrated with ``calibration`` where there is one)."""
    result = Performance(labelled_rows=len(labelled), estimated_accuracy=estimated_accuracy(sample))
    result.method_note = why_uncalibrated
    result.registered_metrics = {k: v for k, v in registered.items() if k in METRICS}
    if calibration is not None:
        estimates = calibrated_estimates(sample, labelled, calibration, seed)
        if isinstance(estimates, str):
            result.method_note = estimates
        else:
            result.estimates, result.method = estimates, CALIBRATED
            found = [e.value for e in estimates if e.name == "accuracy"]
            result.estimated_accuracy = found[0] if found else None
    if labelled.empty:
        result.note = "no feedback yet: performance is the label-free estimate only"
        return result
    values = measured(labelled)
    result.metrics = [
        MetricComparison(name, values.get(name), registered.get(name))
        for name in METRICS
        if name in values or name in registered
    ]
    if len(labelled) < 30:
        result.note = f"only {len(labelled)} labelled rows: the measured metrics are noisy"
    return result
