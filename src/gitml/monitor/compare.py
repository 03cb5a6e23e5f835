"""Compare the current window with the reference, feature by feature (and the predictions)."""

from __future__ import annotations

import json
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
    to_numbers,
)

#: Tests that compare numbers: a categorical column cannot take them.
NUMERIC_TESTS = ("ks", "wasserstein")


def untested_reason(raw: pd.Series, usable: pd.Series, side: str) -> str | None:
    """Why one side of a column cannot be tested (None when it can): no rows, every value
    missing, or no value of the column's kind (text where numbers are expected: a wrong type)."""
    if raw.empty:
        return f"the {side} has no rows"
    if not usable.empty:
        return None
    present = raw.dropna()
    if present.empty:
        return f"every value is missing in the {side}"
    numbers = to_numbers(present)
    if numbers.notna().any():  # numbers, but none finite
        return f"no finite number in the {side} (it holds {numbers[numbers.notna()].iloc[0]})"
    return f"wrong type: numbers expected, the {side} holds {_shown(present.iloc[0])}"


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _summary(
    values: pd.Series, bad: int, kind: str, rows: int, reference: pd.Series | None = None
) -> str:
    """The side's summary; values that are not finite numbers are not counted as missing. Text
    is described by length and, given the reference, the share of words it never used."""
    if values.empty and bad:
        return f"no finite number among {bad} value(s)"
    if kind == "text":
        known = text.vocabulary(reference) if reference is not None else None
        return text.text_summary(values, rows, known)
    return summary(values, kind, rows - bad)


def absent(name: str, side: str, present: pd.Series, settings: FeatureSettings) -> FeatureDrift:
    """A feature that one side does not have at all: listed, not tested."""
    kind = settings.kind or infer_kind(present)
    return FeatureDrift(
        name=name, kind=kind, test=None, statistic=None, p_value=None, threshold=None,
        drifted=None, note=f"not in the {side}", extra={"missing": side},
    )  # fmt: skip


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
    ref_values, ref_bad = as_kind(reference, kind)
    cur_values, cur_bad = as_kind(current, kind)
    result = FeatureDrift(
        name=name,
        kind=kind,
        test=None,
        statistic=None,
        p_value=None,
        threshold=None,
        drifted=None,
        reference_summary=_summary(ref_values, ref_bad, kind, len(reference)),
        current_summary=_summary(cur_values, cur_bad, kind, len(current), ref_values),
        extra={"left_out": {"reference": ref_bad, "current": cur_bad}},
    )
    reason = untested_reason(reference, ref_values, "reference") or untested_reason(
        current, cur_values, "current data"
    )
    if reason:
        result.note = reason
        return result
    if ref_bad or cur_bad:
        result.note = f"{ref_bad + cur_bad} value(s) that are not finite numbers left out"
    if kind == "text" and options.text == "skip" and not settings.test:
        result.histogram = _histogram(ref_values, cur_values, kind)
        result.note = 'text ([tool.gitml.monitor] text = "skip")'
        result.extra["skipped"] = True
        return result
    test = settings.test or default_test(ref_values, cur_values, kind, options)
    if test in NUMERIC_TESTS and kind != "numeric":
        result.note = (
            f"the {test} test needs numbers and the column is {kind}: set its kind = "
            '"numeric" or another test in [tool.gitml.monitor.features]'
        )
        return result
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
    result.histogram = _histogram(ref_values, cur_values, kind)
    return result


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
    """Every feature, in ``features`` order; one that a side lacks is listed as not tested.
    ``reference`` is the raw rows or, from a profile, one series per feature; ``kinds`` the
    kinds the profile recorded."""
    kinds = kinds or {}
    results = []
    for name in features:
        chosen = settings.get(name, FeatureSettings())
        if name not in reference or name not in current.columns:
            side = "reference" if name not in reference else "current data"
            other = current if side == "reference" else reference
            present = other[name] if name in other else pd.Series(dtype=object)
            results.append(absent(name, side, present, chosen))
            continue
        results.append(
            compare_column(name, reference[name], current[name], chosen, kinds.get(name), options)
        )
    return results


def share_drifted(results: list[FeatureDrift]) -> tuple[int, int, float]:
    """(drifted, tested, share) over the features that could be tested."""
    tested = [r for r in results if r.drifted is not None]
    drifted = sum(1 for r in tested if r.drifted)
    return drifted, len(tested), (drifted / len(tested) if tested else 0.0)
