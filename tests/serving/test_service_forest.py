"""The default service's direct forest probabilities are the model's own, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from gitml.serving.service_forest import direct_forest_proba


def data(classes: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    features, target = make_classification(
        n_samples=400, n_features=6, n_informative=4, n_classes=classes, random_state=seed
    )
    # fitted on a DataFrame and served a matrix, as the pipeline's model is
    return pd.DataFrame(features, columns=[f"f{i}" for i in range(6)]), target


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
@pytest.mark.parametrize("forest", [RandomForestClassifier, ExtraTreesClassifier])
@pytest.mark.parametrize("scale", [False, True])
@pytest.mark.parametrize("classes", [2, 3])
def test_probabilities_equal_the_models_bit_for_bit(forest, scale, classes):
    frame, target = data(classes, seed=classes)
    steps = [("scale", StandardScaler())] if scale else []
    model = Pipeline([*steps, ("model", forest(n_estimators=60, max_depth=7, random_state=0))])
    model.fit(frame, target)
    direct = direct_forest_proba(model)
    assert direct is not None
    matrix = frame.to_numpy() * 1.37 + 0.11  # rows the trees did not see
    for rows in (matrix[:1], matrix[:7], matrix):  # one request, a batch, a large batch
        expected = model.predict_proba(rows)
        got = direct(rows)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_a_forest_alone_equals_its_own_probabilities():
    frame, target = data(2, seed=5)
    forest = RandomForestClassifier(n_estimators=30, random_state=1).fit(frame.to_numpy(), target)
    direct = direct_forest_proba(forest)
    assert direct is not None
    rows = frame.to_numpy()[:25]
    assert np.array_equal(direct(rows), forest.predict_proba(rows))


@pytest.mark.parametrize(
    "estimator",
    [
        LogisticRegression(),
        GradientBoostingClassifier(n_estimators=5),
        RandomForestClassifier(n_estimators=5, n_jobs=2),  # trees on several jobs
    ],
)
def test_other_models_keep_their_own_predict_proba(estimator):
    frame, target = data(2, seed=3)
    model = Pipeline([("model", estimator)]).fit(frame, target)
    assert direct_forest_proba(model) is None


def test_a_multi_output_forest_keeps_its_own_predict_proba():
    frame, target = data(2, seed=4)
    both = np.column_stack([target, 1 - target])
    forest = RandomForestClassifier(n_estimators=5).fit(frame, both)
    assert direct_forest_proba(forest) is None
