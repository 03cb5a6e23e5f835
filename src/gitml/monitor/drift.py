"""Per-feature drift tests, computed with scipy.stats: Evidently's documented choice of test by
size and kind, with a two-sample test for categorical columns.

Reference of at most 1000 rows: two-sample Kolmogorov-Smirnov for numeric columns with more than
5 distinct values (drift when p <= 0.05, as Evidently); for categorical or few-valued ones, a
two-sample contingency chi-squared (``contingency``: exact where counts are small, see
``contingency``), drift when p < 0.05. Evidently's own rule for those (``categorical_test =
"evidently"``) tests the current counts against the reference's shares as if they were exact
(``chisquare``; a Z-test for two values): it ignores the reference's own sampling error, so it
alarms far more often than 5% when nothing changed. Larger references: Wasserstein distance normed
by the reference's standard deviation for numeric columns, Jensen-Shannon distance for categorical
or few-valued ones; drift when the distance >= 0.1. Text columns (see ``infer_kind``) get a domain
classifier (``monitor/text.py``). Missing values are left out of the test (their share is shown).
Every test and threshold can be set per feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

from gitml.core.profile import infer_kind
from gitml.monitor.model import feature_status

__all__ = ["infer_kind"]  # the kind rule is the profile's, so both sides agree

#: Evidently's boundary between a small and a large reference (rows).
SMALL_REFERENCE = 1000
P_VALUE_TESTS = {
    "ks": 0.05,
    "contingency": 0.05,
    "chisquare": 0.05,
    "z": 0.05,
    "domain_classifier": 0.05,
}
DISTANCE_TESTS = {"wasserstein": 0.1, "jensenshannon": 0.1}
DEFAULT_THRESHOLDS = {**P_VALUE_TESTS, **DISTANCE_TESTS}
#: Jensen-Shannon on a numeric column: Sturges bins when it has more than this many values.
BINNED_ABOVE = 20
HISTOGRAM_BINS = 10
TOP_CATEGORIES = 10
#: The strength shown for a p-value of 0 or an infinite distance.
MAX_STRENGTH = 999.0
#: Random tables drawn for the exact (Monte Carlo) contingency p-value.
EXACT_TABLES = 2000


@dataclass(frozen=True)
class DriftOptions:
    """How the default tests are chosen: ``categorical_test`` ("two-sample" or "evidently"),
    ``text`` ("test" or "skip"), and the seed of the tests that draw random numbers."""

    categorical_test: str = "two-sample"
    text: str = "test"
    seed: int = 0


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

    @property
    def strength(self) -> float | None:
        """How far past its threshold: the distance over the threshold, or log p over log
        threshold for p-value tests; 1 at the threshold, above it drifted. None: not tested."""
        if self.drifted is None or self.threshold is None:
            return None
        if self.p_value is not None or self.test in P_VALUE_TESTS:
            p_value = self.p_value if self.p_value is not None else 0.0
            if p_value <= 0:
                return MAX_STRENGTH
            return min(max(float(np.log(p_value) / np.log(self.threshold)), 0.0), MAX_STRENGTH)
        if self.statistic is None:
            return MAX_STRENGTH if self.drifted else 0.0
        return min(self.statistic / self.threshold, MAX_STRENGTH)

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


def default_test(
    reference: pd.Series, current: pd.Series, kind: str, options: DriftOptions | None = None
) -> str:
    """The default test for a column (missing values already dropped): Evidently's choice by
    size and kind, with the two-sample ``contingency`` for categorical columns unless
    ``options.categorical_test`` is "evidently"."""
    options = options or DriftOptions()
    if kind == "text":
        return "domain_classifier"
    count = distinct_both(reference, current, 5)
    if len(reference) <= SMALL_REFERENCE:
        if kind == "numeric" and count > 5:
            return "ks"
        if options.categorical_test == "two-sample":
            return "contingency"
        return "chisquare" if count > 2 else "z"
    if kind == "numeric" and count > 5:
        return "wasserstein"
    return "jensenshannon"


def category_counts(
    reference: pd.Series, current: pd.Series
) -> tuple[list, np.ndarray, np.ndarray]:
    """(values, reference counts, current counts) over the values of both sides: one
    factorisation of both, so the tests, the histogram and the summary share one pass."""
    both = np.concatenate([reference.to_numpy(dtype=object), current.to_numpy(dtype=object)])
    codes, values = pd.factorize(both)
    size = len(values)
    ref = np.bincount(codes[: len(reference)], minlength=size).astype(float)
    cur = np.bincount(codes[len(reference) :], minlength=size).astype(float)
    return list(values), ref, cur


def _counts(reference: pd.Series, current: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    _, ref, cur = category_counts(reference, current)
    return ref, cur


def chisquare(reference: pd.Series, current: pd.Series) -> tuple[float, float]:
    """Chi-squared of the current counts against the reference's, scaled to the current size."""
    ref, cur = _counts(reference, current)
    expected = ref * (len(current) / len(reference))
    result = stats.chisquare(cur, expected)
    return float(result.statistic), float(result.pvalue)


def contingency(reference: pd.Series, current: pd.Series, seed: int = 0) -> tuple[float, float]:
    """Two-sample chi-squared on the 2 x k table of counts (reference, current), no continuity
    correction (so on two values it equals the pooled two-proportion Z-test). Where counts are
    small (an expected count below 1, or more than 20% below 5: Cochran's rule) the p-value is
    exact: Fisher's test on a 2 x 2 table, else the share of ``EXACT_TABLES`` random tables with
    the same margins (seeded) whose statistic reaches the observed one."""
    ref, cur = _counts(reference, current)
    table = np.vstack([ref, cur])
    if table.shape[1] < 2:
        return 0.0, 1.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    small = bool((expected < 1).any() or (expected < 5).mean() > 0.2)
    if not small:
        return statistic, float(stats.chi2.sf(statistic, table.shape[1] - 1))
    if table.shape[1] == 2:
        return statistic, float(stats.fisher_exact(table.astype(int)).pvalue)
    rows, columns = table.sum(axis=1).astype(int), table.sum(axis=0).astype(int)
    drawn = stats.random_table(rows, columns).rvs(size=EXACT_TABLES, random_state=seed)
    drawn_statistics = ((drawn - expected) ** 2 / expected).sum(axis=(1, 2))
    reached = int(np.count_nonzero(drawn_statistics >= statistic * (1 - 1e-9)))
    return statistic, (reached + 1) / (EXACT_TABLES + 1)


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


def run_test(
    test: str,
    reference: pd.Series,
    current: pd.Series,
    kind: str,
    threshold: float,
    options: DriftOptions | None = None,
):
    """(statistic, p-value or None, drifted) of one test."""
    options = options or DriftOptions()
    if test == "domain_classifier":
        from gitml.monitor.text import domain_classifier

        auc, p_value = domain_classifier(reference, current, options.seed)
        return auc, p_value, p_value < threshold
    if test == "contingency":
        statistic, p_value = contingency(reference, current, options.seed)
        return statistic, p_value, p_value < threshold
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
    values, ref, cur = category_counts(reference, current)
    ref_share, cur_share = ref / max(len(reference), 1), cur / max(len(current), 1)
    labels = [str(v) for v in values]
    top = sorted(range(len(values)), key=lambda i: (-(ref_share[i] + cur_share[i]), labels[i]))
    top = top[:TOP_CATEGORIES]
    return Histogram(
        [labels[i] for i in top],
        [float(ref_share[i]) for i in top],
        [float(cur_share[i]) for i in top],
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
        return (present if pd.api.types.is_string_dtype(present) else present.astype(str)), 0
    if present.dtype.kind == "f":  # already floats (the common case): no conversion to pay for
        numbers = present.to_numpy()
    else:
        numbers = to_numbers(present).to_numpy(dtype=float)
    finite = numbers[np.isfinite(numbers)]
    # sorted once: the distinct counts, KS and Wasserstein all work on sorted values
    return pd.Series(np.sort(finite)), int(numbers.size - finite.size)
