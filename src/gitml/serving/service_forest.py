"""A random forest's probabilities without joblib's per-tree dispatch (part of the default service).

scikit-learn's ``ForestClassifier.predict_proba`` hands every tree to joblib, and each task sets
scikit-learn's configuration and warning filters around one tree's call: with 100 trees and the
one to a few rows a request holds, that was about a third of the model's time per request
(py-spy on the served model, bench/serving.py). ``direct_forest_proba`` does what
``predict_proba`` does with one job (the same validation, the trees in the forest's order, the
same float64 sums, the same division) in a plain loop, so its answers are the model's, bit for
bit; the tests compare them. Any other model, or a forest that runs its trees on several jobs,
gets None and keeps its own ``predict_proba``.

Copied into the Bento beside service.py; it imports only NumPy and scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def direct_forest_proba(model: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """``matrix -> model.predict_proba(matrix)`` for a random or extra-trees forest with one
    output (alone, or last in a Pipeline whose other steps transform); None for anything else."""
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.pipeline import Pipeline

    pipeline = isinstance(model, Pipeline)
    final = model.steps[-1][1] if pipeline else model
    if (
        type(final) not in (RandomForestClassifier, ExtraTreesClassifier)
        or getattr(final, "n_outputs_", None) != 1
        or final.n_jobs not in (None, 1)
        or not hasattr(final, "_validate_X_predict")
    ):
        return None
    head = model[:-1] if pipeline and len(model.steps) > 1 else None
    trees = [tree.predict_proba for tree in final.estimators_]
    n_classes = int(final.n_classes_)

    def predict_proba(matrix: np.ndarray) -> np.ndarray:
        rows = final._validate_X_predict(head.transform(matrix) if head is not None else matrix)
        total = np.zeros((rows.shape[0], n_classes), dtype=np.float64)
        for tree_proba in trees:
            total += tree_proba(rows, check_input=False)
        total /= len(trees)
        return total

    return predict_proba
