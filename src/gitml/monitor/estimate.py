"""A label-free performance estimate from calibrated probabilities (CBPE's approach), with a band.

The reference is the version's evaluation split: the model's probabilities on it and the true
labels (read at the version's commit, or from its profile). Isotonic regressions fitted there map
the model's probability of each class to the observed frequency of that class (one-vs-rest; on two
classes only the positive class's, the other being its complement; beyond two the calibrated rows
are normalised). On the window, each row's calibrated probabilities are its expected labels, so
the expected confusion matrix gives the expected accuracy, precision, recall and f1 (the evaluate
stage's metrics, macro-averaged beyond two classes), the expected ROC curve the expected ROC AUC,
and the calibrated probabilities the expected log loss of the model's own probabilities.

The band is 1.96 standard deviations either side of the estimate, of two chance errors together:
the window's size (labels drawn from the calibrated probabilities ``DRAWS`` times, seeded: the
spread of the metric a window of this size would realize) and the evaluation split's size (the
calibration refitted on ``RESAMPLES`` bootstrap resamples of it: a small split calibrates
loosely). Both are measured on at most ``BAND_ROWS`` rows of the window, scaled to its size. The
band assumes the relationship between the features and the label has not changed (no concept
drift): that kind of change no label-free method can see, so realized values are shown beside the
estimate as feedback labels arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss")
DRAWS = 100
RESAMPLES = 30
#: Rows the band's label draws use at most; the band is scaled to the window's rows.
BAND_ROWS = 20_000
#: Rows of the evaluation split below which the estimate is marked as resting on little data.
FEW_CALIBRATION_ROWS = 100
EPSILON = 1e-15


@dataclass(frozen=True)
class Calibration:
    """The reference of the estimate: the model's probabilities on labelled rows."""

    classes: tuple[str, ...]
    #: (rows, classes), columns in ``classes`` order
    probabilities: np.ndarray
    #: (rows,) the true labels, as strings
    labels: np.ndarray
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "probabilities": np.round(self.probabilities, 6).tolist(),
            "labels": [str(label) for label in self.labels],
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        return cls(
            classes=tuple(str(c) for c in data["classes"]),
            probabilities=np.asarray(data["probabilities"], dtype=float),
            labels=np.asarray([str(label) for label in data["labels"]]),
            source=str(data.get("source", "")),
        )


@dataclass(frozen=True)
class Estimate:
    """One metric's estimate and band; ``realized`` and ``estimated_labelled`` on the labelled
    rows, when there are any."""

    name: str
    value: float
    low: float
    high: float
    realized: float | None = None
    estimated_labelled: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "estimated": self.value,
            "low": self.low,
            "high": self.high,
            "realized": self.realized,
            "estimated_on_labelled": self.estimated_labelled,
        }


class Calibrator:
    """Isotonic maps from the model's probabilities to observed class frequencies."""

    def __init__(self, calibration: Calibration):
        from sklearn.isotonic import IsotonicRegression

        self.classes = calibration.classes
        self.calibration = calibration
        probabilities, labels = calibration.probabilities, calibration.labels
        columns = [1] if len(self.classes) == 2 else range(len(self.classes))
        self.maps = {}
        for index in columns:
            regression = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
            truth = (labels == self.classes[index]).astype(float)
            self.maps[index] = regression.fit(probabilities[:, index], truth)

    def calibrate(self, probabilities: np.ndarray) -> np.ndarray:
        """(rows, classes) calibrated probabilities, rows summing to 1."""
        if len(self.classes) == 2:
            positive = self.maps[1].predict(probabilities[:, 1])
            return np.column_stack([1 - positive, positive])
        calibrated = np.column_stack(
            [self.maps[i].predict(probabilities[:, i]) for i in range(len(self.classes))]
        )
        totals = calibrated.sum(axis=1, keepdims=True)
        uniform = np.full_like(calibrated, 1 / len(self.classes))
        return np.where(totals > 0, calibrated / np.where(totals > 0, totals, 1), uniform)


class Ranking:
    """The model's probabilities sorted once per class, for the expected ROC AUC of many label
    draws (sorting 100,000 scores 200 times would cost more than the rest of the estimate)."""

    def __init__(self, probabilities: np.ndarray):
        self.probabilities = probabilities
        self.log_probabilities = np.log(np.clip(probabilities, EPSILON, 1))
        classes = probabilities.shape[1]
        self.which = [1] if classes == 2 else list(range(classes))
        self.orders, self.starts = {}, {}
        for k in self.which:
            order = np.argsort(probabilities[:, k], kind="stable")
            self.orders[k] = order
            self.starts[k] = np.unique(probabilities[order, k], return_index=True)[1]

    def auc(self, k: int, positive: np.ndarray) -> float:
        """ROC AUC when row i is positive for class k with probability ``positive[i]``: the
        expected share of (positive, negative) pairs of distinct rows ranked right, ties counting
        half (CBPE's expected ROC curve)."""
        positive = positive[self.orders[k]]
        negative = 1 - positive
        total_pos, total_neg = positive.sum(), negative.sum()
        own = (positive * negative).sum()
        pairs = total_pos * total_neg - own
        if total_pos <= 0 or total_neg <= 0 or pairs <= 0:
            return float("nan")
        tied_pos = np.add.reduceat(positive, self.starts[k])
        tied_neg = np.add.reduceat(negative, self.starts[k])
        negatives_below = np.cumsum(tied_neg) - tied_neg
        right = (tied_pos * (negatives_below + tied_neg / 2)).sum()
        return float((right - own / 2) / pairs)


def expected_metrics(
    calibrated: np.ndarray, predicted: np.ndarray, ranking: Ranking
) -> dict[str, float]:
    """The metrics' expected values when each row's label follows ``calibrated``;
    ``predicted`` holds class indices, ``ranking`` the model's own probabilities."""
    classes = calibrated.shape[1]
    chosen = np.eye(classes, dtype=bool)[predicted]
    true_positive = (calibrated * chosen).sum(axis=0)
    predicted_count = chosen.sum(axis=0)
    actual = calibrated.sum(axis=0)
    which = ranking.which
    return {
        "accuracy": float(true_positive.sum() / len(predicted)),
        **_class_rates(true_positive, predicted_count, actual, which),
        "roc_auc": float(np.mean([ranking.auc(k, calibrated[:, k]) for k in which])),
        "log_loss": float(-(calibrated * ranking.log_probabilities).sum(axis=1).mean()),
    }


def _class_rates(
    true_positive: np.ndarray, predicted_count: np.ndarray, actual: np.ndarray, which: list[int]
) -> dict[str, float]:
    """Precision, recall and F1 per class (0 where undefined), averaged over ``which``."""
    zeros = np.zeros(len(true_positive))
    precision = np.divide(
        true_positive, predicted_count, out=zeros.copy(), where=predicted_count > 0
    )
    recall = np.divide(true_positive, actual, out=zeros.copy(), where=actual > 0)
    both = predicted_count + actual
    f1 = np.divide(2 * true_positive, both, out=zeros.copy(), where=both > 0)
    return {
        "precision": float(precision[which].mean()),
        "recall": float(recall[which].mean()),
        "f1": float(f1[which].mean()),
    }


def realized_metrics(
    truth: np.ndarray, predicted: np.ndarray, ranking: Ranking
) -> dict[str, float]:
    """The same metrics on known labels (class indices), for the draws and the labelled rows:
    counts instead of the expected confusion matrix's products (the band draws many)."""
    classes = ranking.probabilities.shape[1]
    right = truth == predicted
    true_positive = np.bincount(predicted[right], minlength=classes).astype(float)
    predicted_count = np.bincount(predicted, minlength=classes)
    actual = np.bincount(truth, minlength=classes)
    which = ranking.which
    return {
        "accuracy": float(right.mean()),
        **_class_rates(true_positive, predicted_count, actual, which),
        "roc_auc": float(np.mean([ranking.auc(k, (truth == k).astype(float)) for k in which])),
        "log_loss": float(-ranking.log_probabilities[np.arange(len(truth)), truth].mean()),
    }


def _band(
    calibration: Calibration, probabilities: np.ndarray, predicted: np.ndarray, seed: int
) -> dict[str, float]:
    """Half the width of each metric's 95% band (see the module's docstring)."""
    rng = np.random.default_rng(seed)
    rows = len(predicted)
    if rows > BAND_ROWS:
        keep = np.sort(rng.choice(rows, BAND_ROWS, replace=False))
        probabilities, predicted = probabilities[keep], predicted[keep]
    ranking = Ranking(probabilities)
    calibrated = Calibrator(calibration).calibrate(probabilities)
    cumulative = np.cumsum(calibrated, axis=1)
    drawn: dict[str, list[float]] = {name: [] for name in METRICS}
    for _ in range(DRAWS):
        truth = (rng.random((len(predicted), 1)) > cumulative).sum(axis=1)
        truth = np.minimum(truth, calibrated.shape[1] - 1)
        for name, value in realized_metrics(truth, predicted, ranking).items():
            drawn[name].append(value)
    refitted: dict[str, list[float]] = {name: [] for name in METRICS}
    size = len(calibration.labels)
    for _ in range(RESAMPLES):
        pick = rng.integers(0, size, size)
        resample = Calibration(calibration.classes, calibration.probabilities[pick],
                               calibration.labels[pick])  # fmt: skip
        again = Calibrator(resample).calibrate(probabilities)
        for name, value in expected_metrics(again, predicted, ranking).items():
            refitted[name].append(value)
    scale = np.sqrt(len(predicted) / rows)
    return {
        name: float(1.96 * np.hypot(np.nanstd(drawn[name]) * scale, np.nanstd(refitted[name])))
        for name in METRICS
    }


def estimate(
    calibrator: Calibrator,
    probabilities: np.ndarray,
    predicted: np.ndarray,
    seed: int = 0,
    labelled: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> list[Estimate]:
    """Every metric's estimate and band on the window's rows (``predicted``: class indices).
    ``labelled``: (probabilities, predicted, truth) of the rows whose labels arrived."""
    calibrated = calibrator.calibrate(probabilities)
    values = expected_metrics(calibrated, predicted, Ranking(probabilities))
    band = _band(calibrator.calibration, probabilities, predicted, seed)
    realized: dict[str, float] = {}
    on_labelled: dict[str, float] = {}
    if labelled is not None and len(labelled[2]):
        known_probabilities, known_predicted, truth = labelled
        known = Ranking(known_probabilities)
        realized = realized_metrics(truth, known_predicted, known)
        on_labelled = expected_metrics(
            calibrator.calibrate(known_probabilities), known_predicted, known
        )
    return [
        Estimate(
            name,
            round(values[name], 6),
            round(max(values[name] - band[name], 0.0), 6),
            round(
                values[name] + band[name]
                if name == "log_loss"
                else min(values[name] + band[name], 1.0),
                6,
            ),
            _rounded(realized.get(name)),
            _rounded(on_labelled.get(name)),
        )
        for name in METRICS
        if np.isfinite(values[name])
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(value, 6)
