"""The label-free performance estimate: calibrated on the evaluation split (CBPE's approach), it
lands within 0.015 of the truth on a well-calibrated and an under-confident model, where the
model's own confidence misses the under-confident one; the band covers the realized value."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from gitml.monitor.estimate import Calibration, Calibrator, estimate

WEIGHTS = np.array([1.0, -0.8, 0.5, 0.3, 0.0]) * 1.2


def draw(rows: int, seed: int, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels from a logistic model; ``shift`` moves the first feature (covariate
    shift: the relation between features and label stays)."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, 5))
    features[:, 0] += shift
    labels = (rng.random(rows) < 1 / (1 + np.exp(-features @ WEIGHTS))).astype(int)
    return features, labels


def truth(model, features: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    predicted, probabilities = model.predict(features), model.predict_proba(features)
    return {
        "accuracy": skm.accuracy_score(labels, predicted),
        "precision": skm.precision_score(labels, predicted),
        "recall": skm.recall_score(labels, predicted),
        "f1": skm.f1_score(labels, predicted),
        "roc_auc": skm.roc_auc_score(labels, probabilities[:, 1]),
        "log_loss": skm.log_loss(labels, probabilities),
    }


@pytest.mark.parametrize("shift", [0.0, 0.7], ids=["same-distribution", "covariate-shift"])
@pytest.mark.parametrize(
    "name, model",
    [("well-calibrated", LogisticRegression()), ("under-confident", GaussianNB())],
    ids=["logistic-regression", "naive-bayes"],
)
def test_the_estimate_is_within_0015_of_the_truth(name, model, shift) -> None:
    model.fit(*draw(3000, 1))
    evaluation_features, evaluation_labels = draw(5000, 2)
    calibration = Calibration(
        ("0", "1"), model.predict_proba(evaluation_features), evaluation_labels.astype(str)
    )
    features, labels = draw(20_000, 3, shift)
    probabilities = model.predict_proba(features)
    estimates = {
        e.name: e for e in estimate(Calibrator(calibration), probabilities, model.predict(features))
    }
    real = truth(model, features, labels)
    assert set(estimates) == set(real)
    accuracy = estimates["accuracy"]
    assert accuracy.value == pytest.approx(real["accuracy"], abs=0.015), estimates
    assert accuracy.low <= real["accuracy"] <= accuracy.high, estimates
    for metric, value in real.items():  # a 95% band: one of 24 may miss, none by much
        assert estimates[metric].value == pytest.approx(value, abs=0.02), (metric, estimates)
        assert estimates[metric].high - estimates[metric].low < 0.05, (metric, estimates)
    confidence = probabilities.max(axis=1).mean()
    if name == "under-confident":  # the model's own confidence misses: the estimate must not
        assert real["accuracy"] - confidence > 0.03
    else:
        assert abs(real["accuracy"] - confidence) < 0.015


def test_realized_beside_estimated_on_the_labelled_rows() -> None:
    model = GaussianNB().fit(*draw(3000, 1))
    evaluation_features, evaluation_labels = draw(5000, 2)
    calibration = Calibration(
        ("0", "1"), model.predict_proba(evaluation_features), evaluation_labels.astype(str)
    )
    features, labels = draw(4000, 4)
    probabilities, predicted = model.predict_proba(features), model.predict(features)
    known = slice(0, 4000, 4)  # every fourth row got feedback
    result = {
        e.name: e
        for e in estimate(
            Calibrator(calibration),
            probabilities,
            predicted,
            labelled=(probabilities[known], predicted[known], labels[known]),
        )
    }
    assert result["accuracy"].realized == pytest.approx(
        skm.accuracy_score(labels[known], predicted[known]), abs=1e-6
    )
    assert result["accuracy"].estimated_labelled == pytest.approx(
        result["accuracy"].value, abs=0.02
    )
    # the band is for a window of 4,000 rows: about sqrt(20000 / 4000) wider than for 20,000
    width = result["accuracy"].high - result["accuracy"].low
    assert 0.02 < width < 0.04


def test_three_classes_are_calibrated_one_against_the_rest() -> None:
    rng = np.random.default_rng(7)
    centers = np.array([[0, 0], [1.5, 0], [0, 1.5]])
    labels = rng.integers(0, 3, 12_000)
    features = centers[labels] + rng.normal(size=(12_000, 2))
    model = LogisticRegression(C=0.01).fit(features[:3000], labels[:3000])  # under-confident
    calibration = Calibration(
        ("0", "1", "2"), model.predict_proba(features[3000:6000]), labels[3000:6000].astype(str)
    )
    window = slice(6000, 12_000)
    probabilities, predicted = (
        model.predict_proba(features[window]),
        model.predict(features[window]),
    )
    result = {e.name: e for e in estimate(Calibrator(calibration), probabilities, predicted)}
    assert result["accuracy"].value == pytest.approx(
        skm.accuracy_score(labels[window], predicted), abs=0.015
    )
    assert result["f1"].value == pytest.approx(
        skm.f1_score(labels[window], predicted, average="macro"), abs=0.015
    )
