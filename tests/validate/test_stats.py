"""The statistics of champion against candidate, without a server: agreement, flips, the paired
bootstrap interval and McNemar's exact test, each checked against an independent computation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats
from sklearn import metrics as skm

from gitml.validate.stats import (
    agreement,
    flips,
    labelled_rows,
    mcnemar,
    metric_value,
    paired_metric,
    percentile,
)


def test_agreement_and_the_flip_table() -> None:
    champion = [0, 1, 1, 0, 1]
    candidate = [0, 1, 0, 0, "1"]  # labels compare as text, as the monitor compares them
    assert agreement(champion, candidate) == pytest.approx(0.8)
    assert flips(champion, candidate) == {("0", "0"): 2, ("1", "1"): 2, ("1", "0"): 1}
    assert agreement([], []) is None


@pytest.mark.parametrize("n_classes", [2, 3])
def test_the_count_metrics_equal_scikit_learns(n_classes: int) -> None:
    rng = np.random.default_rng(n_classes)
    truth = rng.integers(0, n_classes, 300)
    predicted = np.where(rng.random(300) < 0.7, truth, rng.integers(0, n_classes, 300))
    average = "binary" if n_classes == 2 else "macro"
    expected = {
        "accuracy": skm.accuracy_score(truth, predicted),
        "precision": skm.precision_score(truth, predicted, average=average, zero_division=0),
        "recall": skm.recall_score(truth, predicted, average=average, zero_division=0),
        "f1": skm.f1_score(truth, predicted, average=average, zero_division=0),
    }
    for name, value in expected.items():
        assert metric_value(name, truth, predicted, None, n_classes) == pytest.approx(value)
    # a batch of resamples at once: one value per row of the batch
    batch = np.stack([truth, truth])
    assert metric_value(
        "accuracy", batch, np.stack([predicted, truth]), None, n_classes
    ).tolist() == [
        pytest.approx(expected["accuracy"]),
        1.0,
    ]


def test_log_loss_equals_scikit_learns() -> None:
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 2, 100)
    p1 = rng.random(100)
    probabilities = np.column_stack([1 - p1, p1]).tolist()
    rows = labelled_rows([0, 1], truth.tolist(), truth.tolist(), truth.tolist(),
                         (probabilities, probabilities))  # fmt: skip
    value = metric_value("log_loss", rows.truth, rows.champion, rows.champion_p_true, 2)
    assert value == pytest.approx(skm.log_loss(truth, probabilities))


def test_a_candidate_that_agrees_everywhere_has_a_zero_width_interval() -> None:
    truth = [0, 1] * 40
    answers = [0, 1] * 30 + [1, 0] * 10
    rows = labelled_rows([0, 1], truth, answers, list(answers))
    for name in ("accuracy", "f1"):
        paired = paired_metric(rows, name, 0.95, 1000, seed=0)
        assert (paired.difference, paired.low, paired.high) == (0.0, 0.0, 0.0)
    assert mcnemar(rows).p_value == 1.0


def test_flipping_labelled_rows_to_wrong_answers_gives_the_binomial_interval() -> None:
    """200 labelled rows, the champion right on all, the candidate wrong on 20 of them: each
    resample's accuracy difference is -(wrong rows drawn)/200, a Binomial(200, 0.1) count, so
    the 95% percentile interval is that distribution's 2.5% and 97.5% points (within one row,
    the bootstrap's own noise)."""
    n, wrong = 200, 20
    truth = [1] * n
    candidate = [0] * wrong + [1] * (n - wrong)
    rows = labelled_rows([0, 1], truth, list(truth), candidate)
    paired = paired_metric(rows, "accuracy", 0.95, 4000, seed=0)
    assert paired.champion == 1.0 and paired.candidate == pytest.approx(0.9)
    assert paired.difference == pytest.approx(-0.1)
    binomial = scipy_stats.binom(n, wrong / n)
    expected_low, expected_high = -binomial.ppf(0.975) / n, -binomial.ppf(0.025) / n
    assert paired.low == pytest.approx(expected_low, abs=1.5 / n)
    assert paired.high == pytest.approx(expected_high, abs=1.5 / n)
    assert paired.worst == paired.low and paired.regression(paired.low) > 0.1
    # the same seed gives the same interval
    again = paired_metric(rows, "accuracy", 0.95, 4000, seed=0)
    assert (again.low, again.high) == (paired.low, paired.high)


def test_the_interval_of_a_lower_is_better_metric_is_judged_by_its_upper_bound() -> None:
    truth = [0, 1] * 50
    good = [[0.9, 0.1] if t == 0 else [0.1, 0.9] for t in truth]
    worse = [[0.6, 0.4] if t == 0 else [0.4, 0.6] for t in truth]
    rows = labelled_rows([0, 1], truth, list(truth), list(truth), (good, worse))
    paired = paired_metric(rows, "log_loss", 0.95, 500, seed=1)
    assert paired.difference > 0  # the candidate's loss is higher: worse
    assert paired.worst == paired.high
    assert paired.regression(paired.worst) == pytest.approx(paired.difference)


def test_mcnemar_is_the_exact_binomial_test_on_the_discordant_rows() -> None:
    truth = [1] * 30
    champion = [1] * 30
    candidate = [0] * 6 + [1] * 24
    result = mcnemar(labelled_rows([0, 1], truth, champion, candidate))
    assert (result.champion_only, result.candidate_only) == (6, 0)
    assert result.p_value == pytest.approx(2 * 0.5**6)
    # discordant both ways, balanced: no evidence of a difference
    mixed = labelled_rows([0, 1], [1, 0] * 5, [1, 1] * 5, [0, 0] * 5)
    assert mcnemar(mixed).p_value == pytest.approx(1.0)


def test_a_label_outside_the_models_classes_is_kept_and_log_loss_left_out() -> None:
    rows = labelled_rows([0, 1], [2, 1], [1, 1], [1, 1], ([[0.5, 0.5]] * 2, [[0.5, 0.5]] * 2))
    assert rows.classes == ("0", "1", "2")
    assert "log_loss" not in rows.available()


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
