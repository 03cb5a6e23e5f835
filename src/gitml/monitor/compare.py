"""Compare the current window with the reference, feature by feature (and the predictions)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from gitml.config import FeatureSettings
from gitml.monitor import text
from gitml.monitor.drift import (
    DEFAULT_THRESHOLDS,
    DriftOptions,
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
    options: DriftOptions | None = None,
) -> FeatureDrift:
    """One column's test: the configured one, else the default for its kind and size."""
    options = options or DriftOptions()
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
        reference_summary=_summary(ref_values, kind, len(reference), None),
        current_summary=_summary(cur_values, kind, len(current), ref_values),
    )
    if cur_bad:
        result.note = f"{cur_bad} current value(s) are not numbers (left out)"
    if ref_values.empty or cur_values.empty:
        side = "reference" if ref_values.empty else "current data"
        result.note = f"not tested: every value is missing in the {side}"
        return result
    result.histogram = _histogram(ref_values, cur_values, kind)
    if kind == "text" and options.text == "skip" and not settings.test:
        result.note = 'not tested: text ([tool.gitml.monitor] text = "skip")'
        return result
    test = settings.test or default_test(ref_values, cur_values, kind, options)
    threshold = settings.threshold or DEFAULT_THRESHOLDS[test]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # chi-squared with a category new in the current data
        statistic, p_value, drifted = run_test(
            test, ref_values, cur_values, kind, threshold, options
        )
    result.test, result.threshold = test, threshold
    result.statistic = _finite(statistic)
    result.p_value = _finite(p_value)
    result.drifted = bool(drifted)
    if kind != "text" and distinct(ref_values) == 1 and distinct(cur_values) == 1 and not drifted:
        result.note = result.note or "no variance"
    return result


def _summary(values: pd.Series, kind: str, rows: int, reference: pd.Series | None) -> str:
    if kind != "text":
        return summary(values, kind, rows)
    known = text.vocabulary(reference) if reference is not None else None
    return text.text_summary(values, rows, known)


def _histogram(reference: pd.Series, current: pd.Series, kind: str):
    if kind == "text":
        return text.length_histogram(reference, current)
    return histogram(reference, current, kind)


def _finite(value: float | None) -> float | None:
    """JSON has no infinity: a chi-squared against a category the reference never had is
    reported as None (its p-value, 0, says everything)."""
    if value is None or not np.isfinite(value):
        return None
    return float(value)


def compare_features(
    reference: Mapping[str, pd.Series] | pd.DataFrame,
    current: pd.DataFrame,
    features: list[str],
    settings: dict[str, FeatureSettings],
    options: DriftOptions | None = None,
    kinds: Mapping[str, str] | None = None,
) -> list[FeatureDrift]:
    """Every feature present on both sides, in ``features`` order. ``reference`` is the raw rows
    or, from a profile, one series per feature; ``kinds`` the kinds the profile recorded."""
    kinds = kinds or {}
    return [
        compare_column(
            name,
            reference[name],
            current[name],
            settings.get(name, FeatureSettings()),
            kinds.get(name),
            options,
        )
        for name in features
        if name in reference and name in current.columns
    ]


def share_drifted(results: list[FeatureDrift]) -> tuple[int, int, float]:
    """(drifted, tested, share) over the features that could be tested."""
    tested = [r for r in results if r.drifted is not None]
    drifted = sum(1 for r in tested if r.drifted)
    return drifted, len(tested), (drifted / len(tested) if tested else 0.0)
