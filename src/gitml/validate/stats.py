"""The statistics of a champion-against-candidate comparison, on the same rows.

- **Agreement**: the share of rows both models answered where they predict the same class, and the
  champion-by-candidate table of counts (the flips are its off-diagonal cells).
- **Paired difference** of a labelled metric (candidate minus champion, in the metric's better
  direction reported as is) with a percentile bootstrap interval: rows are resampled with
  replacement, both models' metric is computed on the same resample, and the interval is taken
  from the differences (``scipy.stats.bootstrap`` with ``paired=True``, seeded). Percentile, not
  BCa: BCa is undefined when every resample gives the same difference (a candidate that agrees
  everywhere), which is exactly the case a release must pass.
- **McNemar's exact test** on the discordant pairs: ``b`` rows only the champion got right,
  ``c`` rows only the candidate got right; under "no difference" ``b`` is Binomial(b + c, 1/2)
  (``scipy.stats.binomtest``, two-sided).

Metrics follow the evaluate stage and ``gitml monitor``: binary averaging with the model's second
class as positive for two classes, macro beyond; ``zero_division`` 0. They are computed from
confusion counts so that one pass over a batch of resamples computes them all.
"""

from __future__ import annotations

import inspect
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

#: Metrics where lower is better; the others are higher-is-better.
LOWER_IS_BETTER = frozenset({"log_loss"})
#: SciPy 1.15 renamed ``random_state`` to ``rng``; both take the same seeded generator.
RNG_OPTION = "rng" if "rng" in inspect.signature(stats.bootstrap).parameters else "random_state"
#: Probabilities are clipped as scikit-learn's log_loss clips them (float64 epsilon).
EPSILON = np.finfo(np.float64).eps


def agreement(champion: list[Any], candidate: list[Any]) -> float | None:
    """The share of rows where both predict the same class (None for no rows)."""
    if not champion:
        return None
    same = sum(1 for a, b in zip(champion, candidate, strict=True) if str(a) == str(b))
    return same / len(champion)


def flips(champion: list[Any], candidate: list[Any]) -> dict[tuple[str, str], int]:
    """(champion's class, candidate's class) -> rows; the diagonal is where they agree."""
    return dict(Counter((str(a), str(b)) for a, b in zip(champion, candidate, strict=True)))


@dataclass(frozen=True)
class Labelled:
    """The rows with feedback: the true class and both models' answers, as class indices."""

    classes: tuple[str, ...]
    truth: np.ndarray
    champion: np.ndarray
    candidate: np.ndarray
    #: each model's probability of the true class (None when either side has no probabilities)
    champion_p_true: np.ndarray | None = None
    candidate_p_true: np.ndarray | None = None

    @property
    def rows(self) -> int:
        return len(self.truth)

    def available(self) -> list[str]:
        names = ["accuracy", "precision", "recall", "f1"]
        return [*names, "log_loss"] if self.champion_p_true is not None else names


def labelled_rows(
    classes: list[str],
    truth: list[Any],
    champion: list[Any],
    candidate: list[Any],
    probabilities: tuple[list[list[float]] | None, list[list[float]] | None] = (None, None),
) -> Labelled:
    """The labelled rows as class indices (labels compared as text, as the monitor does);
    ``classes`` orders the probability columns. A label outside ``classes`` is added after them."""
    names = [str(c) for c in classes]
    for value in [*truth, *champion, *candidate]:
        if str(value) not in names:
            names.append(str(value))
    index = {name: i for i, name in enumerate(names)}

    def codes(values: list[Any]) -> np.ndarray:
        return np.array([index[str(v)] for v in values], dtype=np.int64)

    result = Labelled(tuple(names), codes(truth), codes(champion), codes(candidate))
    champion_p, candidate_p = probabilities
    if champion_p is not None and candidate_p is not None and len(classes) == len(names):
        result = Labelled(
            result.classes,
            result.truth,
            result.champion,
            result.candidate,
            _p_true(champion_p, result.truth),
            _p_true(candidate_p, result.truth),
        )
    return result


def _p_true(probabilities: list[list[float]], truth: np.ndarray) -> np.ndarray:
    matrix = np.asarray(probabilities, dtype=float)
    return np.clip(matrix[np.arange(len(truth)), truth], EPSILON, 1 - EPSILON)


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """``top / bottom`` with 0 where ``bottom`` is 0 (scikit-learn's ``zero_division=0``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), 0.0)


def _count_metric(name: str, truth: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """precision, recall or f1 along the last axis (binary: class 1 positive; else macro)."""
    positives = [1] if classes == 2 else list(range(classes))
    values = []
    for k in positives:
        tp = np.sum((predicted == k) & (truth == k), axis=-1)
        fp = np.sum((predicted == k) & (truth != k), axis=-1)
        fn = np.sum((predicted != k) & (truth == k), axis=-1)
        if name == "precision":
            values.append(_ratio(tp, tp + fp))
        elif name == "recall":
            values.append(_ratio(tp, tp + fn))
        else:
            values.append(_ratio(2 * tp, 2 * tp + fp + fn))
    return np.mean(values, axis=0)


def metric_value(
    name: str, truth: np.ndarray, predicted: np.ndarray, p_true: np.ndarray | None, classes: int
) -> np.ndarray:
    """One metric along the last axis (so a batch of resamples at once)."""
    if name == "accuracy":
        return np.mean(predicted == truth, axis=-1)
    if name == "log_loss":
        assert p_true is not None
        return np.mean(-np.log(p_true), axis=-1)
    return _count_metric(name, truth, predicted, classes)


@dataclass(frozen=True)
class PairedMetric:
    """Both models' value of one metric on the same labelled rows, and the paired difference."""

    name: str
    champion: float
    candidate: float
    #: candidate minus champion
    difference: float
    low: float | None = None
    high: float | None = None
    confidence: float | None = None

    @property
    def lower_is_better(self) -> bool:
        return self.name in LOWER_IS_BETTER

    @property
    def worst(self) -> float | None:
        """The interval's bound that is worse for the candidate (in the metric's direction)."""
        return self.high if self.lower_is_better else self.low

    def regression(self, bound: float) -> float:
        """How much worse than the champion ``bound`` is (positive: worse)."""
        return bound if self.lower_is_better else -bound


def paired_metric(
    rows: Labelled, name: str, confidence: float, resamples: int, seed: int
) -> PairedMetric:
    """One metric on both sides and the percentile bootstrap interval of their difference."""
    classes = len(rows.classes)
    champion = float(metric_value(name, rows.truth, rows.champion, rows.champion_p_true, classes))
    candidate = float(
        metric_value(name, rows.truth, rows.candidate, rows.candidate_p_true, classes)
    )
    point = candidate - champion
    columns = [rows.truth, rows.champion, rows.candidate]
    if name == "log_loss":
        assert rows.champion_p_true is not None and rows.candidate_p_true is not None
        columns += [rows.champion_p_true, rows.candidate_p_true]
    if all(np.array_equal(a, b) for a, b in zip(columns[1::2], columns[2::2], strict=True)):
        # every resample gives the same difference: no need to draw them
        return PairedMetric(name, champion, candidate, point, point, point, confidence)

    def difference(truth, ours, theirs, *p_true, axis=-1):
        mine, other = (p_true[0], p_true[1]) if p_true else (None, None)
        return metric_value(name, truth, theirs, other, classes) - metric_value(
            name, truth, ours, mine, classes
        )

    options = {RNG_OPTION: np.random.default_rng(seed)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a degenerate resample set warns; its bounds are kept
        result = stats.bootstrap(
            tuple(columns),
            difference,
            n_resamples=resamples,
            batch=max(1, 2_000_000 // max(rows.rows, 1)),
            vectorized=True,
            paired=True,
            confidence_level=confidence,
            method="percentile",
            **options,
        )
    interval = result.confidence_interval
    return PairedMetric(
        name, champion, candidate, point, float(interval.low), float(interval.high), confidence
    )


@dataclass(frozen=True)
class McNemar:
    """Rows only the champion got right (``b``), only the candidate (``c``), and the exact
    two-sided p-value of "both are right as often" (1.0 when no row differs)."""

    champion_only: int
    candidate_only: int
    p_value: float


def mcnemar(rows: Labelled) -> McNemar:
    """McNemar's exact test on the discordant pairs."""
    champion_right = rows.champion == rows.truth
    candidate_right = rows.candidate == rows.truth
    b = int(np.sum(champion_right & ~candidate_right))
    c = int(np.sum(~champion_right & candidate_right))
    if b + c == 0:
        return McNemar(b, c, 1.0)
    return McNemar(b, c, float(stats.binomtest(b, b + c, 0.5).pvalue))


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) of ``values``, None for none (numpy's linear method)."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))
