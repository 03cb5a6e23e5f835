"""Performance on the rows that have feedback, and a label-free estimate on every row.

The metrics are the evaluate stage's (accuracy, precision, recall, f1, roc_auc, log_loss;
macro-averaged beyond two classes), so they compare with the metrics the version was registered
with. The estimate (``monitor/estimate.py``) calibrates the logged probabilities on the version's
evaluation split, and gives every metric with a band; where no calibration is at hand (a data file
as the reference, no evaluation split), the estimate of accuracy is the model's own confidence
(the mean of the highest probability), right only for a calibrated model, and says so.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gitml.monitor.drift import to_numbers
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


def as_class(value: Any, classes: set[str]) -> str | None:
    """The class a logged label or prediction names, as the text the probability columns use
    (``str`` of the class; an integral float such as ``1.0`` also matches class ``1``); None for
    what is not one of ``classes``: missing, NaN, infinity, true/false, a list, an object. With
    no known classes, any number or text is taken (integral floats as integers)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isfinite(value):
        names = [str(value), *([str(int(value))] if value.is_integer() else [])]
    elif isinstance(value, (int, str)) and not isinstance(value, bool):
        names = [str(value)]
    else:
        return None
    if not classes:
        return names[-1]
    return next((name for name in names if name in classes), None)


@dataclass
class Labelled:
    """The labelled rows performance and the export can use, and what was skipped."""

    rows: pd.DataFrame
    classes: list[str] = field(default_factory=list)
    #: feedback labels that are not one of the model's classes, and one of them as shown
    refused: int = 0
    example: str = ""
    #: labelled rows whose logged prediction is not one of the classes
    bad_predictions: int = 0

    def problems(self) -> list[str]:
        named = f" {', '.join(self.classes)}" if self.classes else ""
        problems = []
        if self.refused:
            problems.append(
                f"{self.refused} feedback label(s) are not among the model's classes{named} "
                f"and were skipped (for example {self.example})"
            )
        if self.bad_predictions:
            problems.append(
                f"{self.bad_predictions} labelled row(s) were skipped: their logged prediction "
                f"is not one of the model's classes{named}"
            )
        return problems


def usable_labels(labelled: pd.DataFrame, classes: list[str]) -> Labelled:
    """The rows whose feedback label (and logged prediction) is one of ``classes``, with both
    as the class's text; the others are counted, never measured or exported."""
    if labelled.empty or LABEL not in labelled.columns:
        return Labelled(labelled, classes)
    known = set(classes)
    raw = labelled[LABEL].tolist()
    labels = [as_class(value, known) for value in raw]
    label_ok = np.array([name is not None for name in labels], dtype=bool)
    predictions: list[str | None] = [None] * len(raw)
    prediction_ok = np.ones(len(raw), dtype=bool)
    if PREDICTION in labelled.columns:
        predictions = [as_class(value, known) for value in labelled[PREDICTION].tolist()]
        prediction_ok = np.array([name is not None for name in predictions], dtype=bool)
    keep = label_ok & prediction_ok
    rows = labelled[keep].copy()
    rows[LABEL] = [name for name, ok in zip(labels, keep, strict=True) if ok]
    if PREDICTION in labelled.columns:
        rows[PREDICTION] = [name for name, ok in zip(predictions, keep, strict=True) if ok]
    bad = [value for value, ok in zip(raw, label_ok, strict=True) if not ok]
    example = (repr(bad[0]) if isinstance(bad[0], str) else json.dumps(bad[0]))[:40] if bad else ""
    return Labelled(rows, classes, len(bad), example, int((label_ok & ~prediction_ok).sum()))


def estimated_accuracy(frame: pd.DataFrame) -> float | None:
    """Mean of the highest class probability over the rows whose probabilities are all numbers
    from 0 to 1 (a logged infinity or text leaves its row out)."""
    columns = probability_columns(frame)
    if not columns or frame.empty:
        return None
    probabilities = _probabilities(frame, columns)
    probabilities = probabilities[~np.isnan(probabilities).any(axis=1)]
    if probabilities.size == 0:
        return None
    return round(float(probabilities.max(axis=1).mean()), 6)


def _probabilities(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The probability columns as floats, NaN where a value is not a number from 0 to 1."""
    values = np.column_stack([to_numbers(frame[c]).to_numpy() for c in columns])
    with np.errstate(invalid="ignore"):
        values[(values < 0) | (values > 1)] = np.nan
    return values


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
    probabilities = _probabilities(labelled, columns) if columns else np.empty((len(labelled), 0))
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
    probabilities = _probabilities(frame, columns)  # numbers from 0 to 1, else NaN
    usable = np.isfinite(probabilities).all(axis=1)
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
    try:
        values = measured(labelled)
    except ValueError as error:  # labels usable_labels let through that scikit-learn refuses
        result.note = f"the measured metrics could not be computed ({error})"
        return result
    result.metrics = [
        MetricComparison(name, values.get(name), registered.get(name))
        for name in METRICS
        if name in values or name in registered
    ]
    if len(labelled) < 30:
        result.note = f"only {len(labelled)} labelled rows: the measured metrics are noisy"
    return result
