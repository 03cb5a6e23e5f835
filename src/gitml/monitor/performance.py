"""Performance on the rows that have feedback, and a label-free estimate where none have.

The metrics are the evaluate stage's (accuracy, precision, recall, f1, roc_auc, log_loss;
macro-averaged beyond two classes), so they compare with the metrics the version was registered
with. The estimate is the expected accuracy of a calibrated classifier: the mean of the highest
predicted probability. It is only as good as the model's calibration, and is marked as an estimate.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

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


def performance(
    sample: pd.DataFrame, labelled: pd.DataFrame, registered: dict[str, float]
) -> Performance:
    """Measured metrics on ``labelled`` against ``registered``, and the estimate on ``sample``."""
    result = Performance(labelled_rows=len(labelled), estimated_accuracy=estimated_accuracy(sample))
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
