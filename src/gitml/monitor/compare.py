"""Compare the current window with the reference, feature by feature (and the predictions)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from gitml.config import FeatureSettings
from gitml.monitor.drift import (
    DEFAULT_THRESHOLDS,
    FeatureDrift,
    as_kind,
    default_test,
    distinct,
    histogram,
    infer_kind,
    run_test,
    summary,
)


def compare_column(
    name: str,
    reference: pd.Series,
    current: pd.Series,
    settings: FeatureSettings,
    kind: str | None = None,
) -> FeatureDrift:
    """One column's test: the configured one, else Evidently's default for its kind and size."""
    kind = settings.kind or kind or infer_kind(reference)
    ref_values, _ = as_kind(reference, kind)
    cur_values, cur_bad = as_kind(current, kind)
    result = FeatureDrift(
        name=name,
        kind=kind,
        test=None,
        statistic=None,
        p_value=None,
        threshold=None,
        drifted=None,
        reference_summary=summary(ref_values, kind, len(reference)),
        current_summary=summary(cur_values, kind, len(current)),
    )
    if cur_bad:
        result.note = f"{cur_bad} current value(s) are not numbers (left out)"
    if ref_values.empty or cur_values.empty:
        side = "reference" if ref_values.empty else "current data"
        result.note = f"not tested: every value is missing in the {side}"
        return result
    test = settings.test or default_test(ref_values, cur_values, kind)
    threshold = settings.threshold or DEFAULT_THRESHOLDS[test]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # chi-squared with a category new in the current data
        statistic, p_value, drifted = run_test(test, ref_values, cur_values, kind, threshold)
    result.test, result.threshold = test, threshold
    result.statistic = _finite(statistic)
    result.p_value = _finite(p_value)
    result.drifted = bool(drifted)
    if distinct(ref_values) == 1 and distinct(cur_values) == 1 and not drifted:
        result.note = result.note or "no variance"
    result.histogram = histogram(ref_values, cur_values, kind)
    return result


def _finite(value: float | None) -> float | None:
    """JSON has no infinity: a chi-squared against a category the reference never had is
    reported as None (its p-value, 0, says everything)."""
    if value is None or not np.isfinite(value):
        return None
    return float(value)


def compare_features(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    features: list[str],
    settings: dict[str, FeatureSettings],
) -> list[FeatureDrift]:
    """Every feature present on both sides, in ``features`` order."""
    return [
        compare_column(name, reference[name], current[name], settings.get(name, FeatureSettings()))
        for name in features
        if name in reference.columns and name in current.columns
    ]


def share_drifted(results: list[FeatureDrift]) -> tuple[int, int, float]:
    """(drifted, tested, share) over the features that could be tested."""
    tested = [r for r in results if r.drifted is not None]
    drifted = sum(1 for r in tested if r.drifted)
    return drifted, len(tested), (drifted / len(tested) if tested else 0.0)
