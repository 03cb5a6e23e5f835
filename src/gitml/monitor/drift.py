"""Per-feature drift tests: Evidently's documented default choice, computed with scipy.stats.

Reference of at most 1000 rows: two-sample Kolmogorov-Smirnov for numeric columns with more than
5 distinct values, chi-squared for categorical or few-valued ones, a two-proportion Z-test for
binary ones; drift when p < 0.05 (p <= 0.05 for KS, as Evidently). Larger references: Wasserstein
distance normed by the reference's standard deviation for numeric columns, Jensen-Shannon distance
for categorical or few-valued ones; drift when the distance >= 0.1. Missing values are left out of
the test (their share is shown). Every test and threshold can be set per feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

from gitml.monitor.model import feature_status

#: Evidently's boundary between a small and a large reference (rows).
SMALL_REFERENCE = 1000
P_VALUE_TESTS = {"ks": 0.05, "chisquare": 0.05, "z": 0.05}
DISTANCE_TESTS = {"wasserstein": 0.1, "jensenshannon": 0.1}
DEFAULT_THRESHOLDS = {**P_VALUE_TESTS, **DISTANCE_TESTS}
#: Jensen-Shannon on a numeric column: Sturges bins when it has more than this many values.
BINNED_ABOVE = 20
HISTOGRAM_BINS = 10
TOP_CATEGORIES = 10


@dataclass
class Histogram:
    """Shares of the reference and the current data in the same bins (or categories)."""

    labels: list[str]
    reference: list[float]
    current: list[float]


@dataclass
class FeatureDrift:
    """The outcome of one feature's test; ``drifted`` is None when it could not be tested."""

    name: str
    kind: str
    test: str | None
    statistic: float | None
    p_value: float | None
    threshold: float | None
    drifted: bool | None
    reference_summary: str = ""
    current_summary: str = ""
    note: str = ""
    histogram: Histogram | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "test": self.test,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "threshold": self.threshold,
            "drifted": self.drifted,
            "status": feature_status(self.drifted),
            #: why it was not tested (None when it was)
            "reason": self.note if self.drifted is None else None,
        }


def distinct(values: pd.Series) -> int:
    """How many distinct values; linear for sorted numbers (``as_kind`` sorts them), which spares
    hashing 100,000 floats several times per feature."""
    if values.dtype.kind == "f" and values.is_monotonic_increasing:
        array = values.to_numpy()
        return int(np.count_nonzero(array[1:] != array[:-1])) + (1 if len(array) else 0)
    return int(values.nunique())


def distinct_both(reference: pd.Series, current: pd.Series, limit: int) -> int:
    """Distinct values of both sides together, exact up to ``limit`` (above it, a lower bound
    that is still above ``limit``: all the callers need to know)."""
    largest = max(distinct(reference), distinct(current))
    if largest > limit:
        return largest
    return int(pd.concat([reference, current]).nunique())


def default_test(reference: pd.Series, current: pd.Series, kind: str) -> str:
    """Evidently's default test for a column (missing values already dropped)."""
    count = distinct_both(reference, current, 5)
    if len(reference) <= SMALL_REFERENCE:
        if kind == "numeric" and count > 5:
            return "ks"
        return "chisquare" if count > 2 else "z"
    if kind == "numeric" and count > 5:
        return "wasserstein"
    return "jensenshannon"


def _counts(reference: pd.Series, current: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    keys = list(set(reference.unique()) | set(current.unique()))
    ref = reference.value_counts().reindex(keys, fill_value=0).to_numpy(dtype=float)
    cur = current.value_counts().reindex(keys, fill_value=0).to_numpy(dtype=float)
    return ref, cur


def chisquare(reference: pd.Series, current: pd.Series) -> tuple[float, float]:
    """Chi-squared of the current counts against the reference's, scaled to the current size."""
    ref, cur = _counts(reference, current)
    expected = ref * (len(current) / len(reference))
    result = stats.chisquare(cur, expected)
    return float(result.statistic), float(result.pvalue)


def z_test(reference: pd.Series, current: pd.Series) -> tuple[float, float]:
    """Two-proportion Z-test on the share of the first (sorted) value."""
    keys = sorted(set(reference.unique()) | set(current.unique()), key=str)
    if len(keys) == 1:
        return 0.0, 1.0
    p1 = float((reference != keys[0]).mean())
    p2 = float((current != keys[0]).mean())
    n1, n2 = len(reference), len(current)
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return float(z), float(2 * (1 - stats.norm.cdf(abs(z))))


def wasserstein_distance(u: np.ndarray, v: np.ndarray) -> float:
    """``scipy.stats.wasserstein_distance(u, v)`` (the area between the two empirical CDFs, the
    formula of scipy's ``_cdf_distance``), computed in linear time on sorted inputs: merging two
    sorted runs with a stable sort is linear, where scipy sorts and searches 100,000 values again
    per feature. Tested equal to scipy's."""
    if not (np.all(u[1:] >= u[:-1]) and np.all(v[1:] >= v[:-1])):
        return float(stats.wasserstein_distance(u, v))
    values = np.concatenate([u, v])
    order = np.argsort(values, kind="stable")
    merged = values[order]
    from_u = order < len(u)
    u_cdf = np.cumsum(from_u)[:-1] / len(u)
    v_cdf = np.cumsum(~from_u)[:-1] / len(v)
    return float(np.sum(np.abs(u_cdf - v_cdf) * np.diff(merged)))


def scaled(*arrays: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """The arrays divided by one power of two that keeps the squares of their values finite,
    and that power (1.0 for values below 1e150, the usual case: nothing is divided). Spread and
    distances of numbers near float64's limit (1e308) overflow to infinity otherwise; dividing
    by a power of two is exact, and the tests' outcomes do not depend on the scale."""
    largest = max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0)
    if largest <= 1e150:
        return 1.0, list(arrays)
    factor = 2.0 ** (int(np.ceil(np.log2(largest))) - 500)
    return factor, [a / factor for a in arrays]


def wasserstein(reference: pd.Series, current: pd.Series) -> float:
    """Wasserstein distance normed by the reference's standard deviation (at least 0.001)."""
    factor, (ref, cur) = scaled(reference.to_numpy(dtype=float), current.to_numpy(dtype=float))
    norm = max(float(np.std(ref)), 0.001 / factor)
    return wasserstein_distance(ref, cur) / norm


def bin_edges(values: np.ndarray, bins: int | str) -> np.ndarray:
    """numpy's histogram edges; for a range wider than float64 holds (-1e308 to 1e308, where
    numpy says "Too many bins"), the same count of equal bins computed on halved values."""
    low, high = float(values.min()), float(values.max())
    with np.errstate(over="ignore"):
        wide = not np.isfinite(high - low)
    if not wide:
        return np.histogram_bin_edges(values, bins=bins)
    count = bins if isinstance(bins, int) else int(np.ceil(np.log2(values.size))) + 1
    return np.linspace(low / 2, high / 2, count + 1) * 2


def jensenshannon(reference: pd.Series, current: pd.Series, kind: str) -> float:
    """Jensen-Shannon distance of the two distributions (Sturges bins for many-valued numbers)."""
    if kind == "numeric" and distinct(reference) > BINNED_ABOVE:
        combined = np.concatenate([reference.to_numpy(dtype=float), current.to_numpy(dtype=float)])
        edges = bin_edges(combined, "sturges")
        ref = np.histogram(reference.to_numpy(dtype=float), edges)[0] / len(reference)
        cur = np.histogram(current.to_numpy(dtype=float), edges)[0] / len(current)
    else:
        ref, cur = _counts(reference, current)
        ref, cur = ref / len(reference), cur / len(current)
    return float(distance.jensenshannon(ref, cur))


def run_test(test: str, reference: pd.Series, current: pd.Series, kind: str, threshold: float):
    """(statistic, p-value or None, drifted) of one test."""
    if test == "ks":
        result = stats.ks_2samp(reference.to_numpy(dtype=float), current.to_numpy(dtype=float))
        p_value = float(result.pvalue)
        return float(result.statistic), p_value, p_value <= threshold
    if test in ("chisquare", "z"):
        statistic, p_value = (chisquare if test == "chisquare" else z_test)(reference, current)
        return statistic, p_value, p_value < threshold
    if test == "wasserstein":
        value = wasserstein(reference, current)
    else:
        value = jensenshannon(reference, current, kind)
    return value, None, value >= threshold


def summary(values: pd.Series, kind: str, rows: int) -> str:
    """A short description: mean and spread for numbers, the most common value otherwise."""
    missing = rows - len(values)
    tail = f", {missing / rows:.0%} missing" if rows and missing else ""
    if values.empty:
        return "all missing" if rows else "no rows"
    if kind == "numeric":
        factor, (numbers,) = scaled(values.to_numpy(dtype=float))
        return (
            f"mean {np.mean(numbers) * factor:.4g}, std {np.std(numbers) * factor:.4g}, "
            f"range {np.min(numbers) * factor:.4g} to {np.max(numbers) * factor:.4g}{tail}"
        )
    counts = values.astype(str).value_counts(normalize=True)
    return f"{counts.size} values, top {counts.index[0]!s} ({counts.iloc[0]:.0%}){tail}"


def histogram(reference: pd.Series, current: pd.Series, kind: str) -> Histogram:
    """Shares per bin over the combined range (numbers) or per most common category."""
    if kind == "numeric" and distinct_both(reference, current, TOP_CATEGORIES) > TOP_CATEGORIES:
        combined = np.concatenate([reference.to_numpy(dtype=float), current.to_numpy(dtype=float)])
        edges = bin_edges(combined, HISTOGRAM_BINS)
        ref = np.histogram(reference.to_numpy(dtype=float), edges)[0] / max(len(reference), 1)
        cur = np.histogram(current.to_numpy(dtype=float), edges)[0] / max(len(current), 1)
        labels = [f"{edges[i]:.3g}" for i in range(len(edges) - 1)]
        return Histogram(labels, [float(v) for v in ref], [float(v) for v in cur])
    ref_share = reference.astype(str).value_counts(normalize=True)
    cur_share = current.astype(str).value_counts(normalize=True)
    top = list(ref_share.add(cur_share, fill_value=0).sort_values(ascending=False).index)
    top = top[:TOP_CATEGORIES]
    return Histogram(
        [str(t) for t in top],
        [float(ref_share.get(t, 0.0)) for t in top],
        [float(cur_share.get(t, 0.0)) for t in top],
    )


def to_numbers(values: pd.Series) -> pd.Series:
    """``values`` as floats: NaN for what is not a number, infinity for an integer beyond
    float64 (pandas raises OverflowError on one such value, failing the whole column)."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    try:
        return pd.to_numeric(values, errors="coerce").astype(float)
    except (OverflowError, TypeError, ValueError):
        return pd.Series([_number(v) for v in values], index=values.index, dtype=float)


def _number(value: Any) -> float:
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return np.inf if value > 0 else -np.inf
    try:
        return float(pd.to_numeric(value))
    except (OverflowError, TypeError, ValueError):
        return np.nan


def as_kind(values: pd.Series, kind: str) -> tuple[pd.Series, int]:
    """The column's non-missing values in its kind, and how many values did not fit it: for
    numbers, whatever is not a finite number (text, infinity, an integer beyond float64)."""
    present = values.dropna()
    if kind != "numeric":
        return present.astype(str), 0
    numbers = to_numbers(present).to_numpy(dtype=float)
    finite = numbers[np.isfinite(numbers)]
    # sorted once: the distinct counts, KS and Wasserstein all work on sorted values
    return pd.Series(np.sort(finite)), int(numbers.size - finite.size)


def infer_kind(reference: pd.Series) -> str:
    """Numbers (not booleans) are numeric; anything else is categorical."""
    is_number = pd.api.types.is_numeric_dtype(reference) and not pd.api.types.is_bool_dtype(
        reference
    )
    return "numeric" if is_number else "categorical"
