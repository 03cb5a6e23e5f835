"""Performance on the rows that have feedback, and a label-free estimate where none have.

The metrics are the evaluate stage's (accuracy, precision, recall, f1, roc_auc, log_loss;
macro-averaged beyond two classes), so they compare with the metrics the version was registered
with. The estimate is the expected accuracy of a calibrated classifier: the mean of the highest
predicted probability. It is only as good as the model's calibration, and is marked as an estimate.
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


@dataclass
class Performance:
    labelled_rows: int
    metrics: list[MetricComparison] = field(default_factory=list)
    #: the expected accuracy from the probabilities (no labels needed)
    estimated_accuracy: float | None = None
    note: str = ""

    def value(self, name: str) -> float | None:
        if name == "estimated_accuracy":
            return self.estimated_accuracy
        return next((m.current for m in self.metrics if m.name == name), None)

    def registered(self, name: str) -> float | None:
        name = "accuracy" if name == "estimated_accuracy" else name
        return next((m.registered for m in self.metrics if m.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "labelled_rows": self.labelled_rows,
            "metrics": [m.to_dict() for m in self.metrics],
            "estimated_accuracy": self.estimated_accuracy,
            "estimate_note": "expected accuracy of a calibrated classifier: the mean of the "
            "highest predicted probability (an estimate, not measured)",
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


def performance(
    sample: pd.DataFrame, labelled: pd.DataFrame, registered: dict[str, float]
) -> Performance:
    """Measured metrics on ``labelled`` against ``registered``, and the estimate on ``sample``."""
    result = Performance(labelled_rows=len(labelled), estimated_accuracy=estimated_accuracy(sample))
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
