"""The drift tests: Evidently's choice by size, a two-sample test for categories, p-values equal to
scipy's, known shifts found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial import distance

from gitml.config import FeatureSettings
from gitml.monitor.compare import compare_column, compare_features, share_drifted
from gitml.monitor.drift import DriftOptions, default_test
from tests.monitor_logs import frame

EVIDENTLY = DriftOptions(categorical_test="evidently")

FEATURES = ["x1", "x2", "x3", "color"]


def test_default_test_follows_evidentlys_documented_choice() -> None:
    small, large = pd.Series(np.arange(1000.0)), pd.Series(np.arange(1001.0))
    few = pd.Series([1.0, 2.0, 3.0] * 100)
    binary = pd.Series(["a", "b"] * 100)
    assert default_test(small, small, "numeric", EVIDENTLY) == "ks"
    assert default_test(few, few, "numeric", EVIDENTLY) == "chisquare"
    assert default_test(binary, binary, "categorical", EVIDENTLY) == "z"
    three = pd.Series(list("abc") * 10)
    assert default_test(three, pd.Series(list("abc")), "categorical", EVIDENTLY) == "chisquare"
    # gitml's default: the two-sample test for every categorical or few-valued column
    assert default_test(few, few, "numeric") == "contingency"
    assert default_test(binary, binary, "categorical") == "contingency"
    assert default_test(three, pd.Series(list("abc")), "categorical") == "contingency"
    assert default_test(large, large, "numeric") == "wasserstein"
    assert (
        default_test(pd.Series(list("abc") * 400), pd.Series(list("abc")), "categorical")
        == "jensenshannon"
    )
    assert default_test(pd.Series([1.0, 2.0] * 600), pd.Series([1.0]), "numeric") == "jensenshannon"


def test_p_values_and_distances_equal_scipys() -> None:
    reference, current = frame(800, 1), frame(500, 2, {"x1": 0.2})
    ks = compare_column("x1", reference["x1"], current["x1"], FeatureSettings())
    expected = stats.ks_2samp(reference["x1"], current["x1"])
    assert (ks.test, ks.p_value, ks.statistic) == ("ks", expected.pvalue, expected.statistic)

    chi = compare_column(
        "color", reference["color"], current["color"], FeatureSettings(), options=EVIDENTLY
    )
    keys = ["blue", "green", "red"]
    ref_counts = reference["color"].value_counts()[keys].to_numpy()
    cur_counts = current["color"].value_counts()[keys].to_numpy()
    expected = stats.chisquare(cur_counts, ref_counts * len(current) / len(reference))
    assert chi.test == "chisquare"
    assert chi.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    assert chi.statistic == pytest.approx(expected.statistic, rel=1e-12)

    two = compare_column("color", reference["color"], current["color"], FeatureSettings())
    expected = stats.chi2_contingency(np.vstack([ref_counts, cur_counts]), correction=False)
    assert two.test == "contingency"
    assert two.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    assert two.statistic == pytest.approx(expected.statistic, rel=1e-12)

    big_ref, big_cur = frame(5000, 3), frame(3000, 4, {"x2": 1.0})
    wd = compare_column("x2", big_ref["x2"], big_cur["x2"], FeatureSettings())
    expected = stats.wasserstein_distance(big_ref["x2"], big_cur["x2"]) / np.std(big_ref["x2"])
    assert wd.test == "wasserstein" and wd.p_value is None
    assert wd.statistic == pytest.approx(expected, rel=1e-12)

    js = compare_column("color", big_ref["color"], big_cur["color"], FeatureSettings())
    shares = [
        big_ref["color"].value_counts(normalize=True),
        big_cur["color"].value_counts(normalize=True),
    ]
    expected = distance.jensenshannon(shares[0][keys], shares[1][keys])
    assert js.test == "jensenshannon" and js.statistic == pytest.approx(expected, rel=1e-12)


def test_z_test_equals_the_two_proportion_z_test() -> None:
    reference = pd.Series(["yes"] * 300 + ["no"] * 200)
    current = pd.Series(["yes"] * 150 + ["no"] * 250)
    result = compare_column("answer", reference, current, FeatureSettings(), options=EVIDENTLY)
    p1, p2 = 300 / 500, 150 / 400
    pooled = (300 + 150) / 900
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / 500 + 1 / 400))
    assert result.test == "z" and result.drifted
    assert abs(result.statistic) == pytest.approx(abs(z))
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    # the two-sample test on two values is the same pooled Z-test (chi-squared = z squared)
    two = compare_column("answer", reference, current, FeatureSettings())
    assert two.test == "contingency" and two.statistic == pytest.approx(z**2)
    assert two.p_value == pytest.approx(result.p_value)


def test_small_counts_get_an_exact_p_value() -> None:
    from gitml.monitor.drift import contingency

    reference = pd.Series(["yes"] * 9 + ["no"] * 1)
    current = pd.Series(["yes"] * 2 + ["no"] * 6)
    _, p_value = contingency(reference, current)
    assert p_value == pytest.approx(stats.fisher_exact([[1, 9], [6, 2]]).pvalue)
    # 2 x k with rare categories: the share of random tables with the same margins (seeded)
    rare_ref = pd.Series(list("aaaaaaaaaabbbbbbbbbcd"))
    rare_cur = pd.Series(list("aaaaaaaaaabbbbbbbbcde"))
    first, second = contingency(rare_ref, rare_cur, seed=3), contingency(rare_ref, rare_cur, seed=3)
    assert first == second and 0.3 < first[1] <= 1.0


@pytest.mark.parametrize("rows", [800, 5000], ids=["small-reference", "large-reference"])
def test_known_shifts_are_flagged_exactly_on_the_shifted_features(rows: int) -> None:
    reference = frame(rows, 10)
    current = frame(2000, 13, {"x1": 0.8, "color": 1})
    results = compare_features(reference, current, FEATURES, {})
    assert sorted(r.name for r in results if r.drifted) == ["color", "x1"]
    assert share_drifted(results) == (2, 4, 0.5)


ZIPF = 1 / np.arange(1, 21) / (1 / np.arange(1, 21)).sum()


def null_frame(rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """One draw of every test type's columns from fixed distributions."""
    return pd.DataFrame(
        {
            "number": rng.normal(0, 1, rows),
            "zipf20": rng.choice([f"c{i:02d}" for i in range(20)], rows, p=ZIPF),
            "three": rng.choice(["a", "b", "c"], rows, p=[0.6, 0.3, 0.1]),
            "binary": rng.choice(["yes", "no"], rows, p=[0.8, 0.2]),
            "few": rng.choice([1.0, 2.0, 3.0, 4.0], rows),
        }
    )


def false_alarms(options: DriftOptions, windows: int = 100) -> dict[str, float]:
    """Per feature, the share of null windows (reference and current of 800 rows drawn from one
    distribution) in which it was flagged."""
    flagged: dict[str, int] = {}
    for seed in range(windows):
        rng = np.random.default_rng(1000 + seed)
        reference, current = null_frame(800, rng), null_frame(800, rng)
        for result in compare_features(reference, current, list(reference), {}, options):
            flagged[f"{result.name}:{result.test}"] = flagged.get(
                f"{result.name}:{result.test}", 0
            ) + bool(result.drifted)
    return {name: count / windows for name, count in flagged.items()}


def test_null_windows_flag_every_test_type_near_the_level_it_claims() -> None:
    rates = false_alarms(DriftOptions())
    assert set(rates) == {
        "number:ks", "zipf20:contingency", "three:contingency", "binary:contingency",
        "few:contingency",
    }  # fmt: skip
    assert all(rate <= 0.10 for rate in rates.values()), rates
    assert sum(rates.values()) / len(rates) <= 0.08, rates
    # Evidently's rule takes the reference's shares as exact: a 20-category column alarms in a
    # large share of windows where nothing changed
    evidently = false_alarms(EVIDENTLY, windows=40)
    assert evidently["zipf20:chisquare"] >= 0.3, evidently


@pytest.mark.parametrize("rows", [800, 5000], ids=["small-reference", "large-reference"])
def test_windows_from_the_reference_distribution_almost_never_alarm(rows: int) -> None:
    reference = frame(rows, 20)
    alarms = 0
    for seed in range(20):
        results = compare_features(reference, frame(500, 100 + seed), FEATURES, {})
        alarms += share_drifted(results)[2] >= 0.5
    assert alarms <= 1


def test_each_test_and_threshold_can_be_set_per_feature() -> None:
    reference, current = frame(800, 1), frame(500, 2, {"x1": 0.15})
    settings = {
        "x1": FeatureSettings(test="wasserstein", threshold=0.5),
        "x2": FeatureSettings(kind="categorical"),
    }
    results = {r.name: r for r in compare_features(reference, current, ["x1", "x2"], settings)}
    assert results["x1"].test == "wasserstein" and results["x1"].threshold == 0.5
    assert results["x1"].drifted is False
    assert results["x2"].kind == "categorical" and results["x2"].test == "contingency"


def test_no_variance_and_all_missing_columns_do_not_crash() -> None:
    constant = compare_column("k", pd.Series([1.0] * 50), pd.Series([1.0] * 40), FeatureSettings())
    assert constant.drifted is False and constant.p_value == 1.0 and constant.note == "no variance"
    moved = compare_column("k", pd.Series([1.0] * 50), pd.Series([2.0] * 40), FeatureSettings())
    assert moved.drifted is True
    missing = compare_column("m", pd.Series([1.0, 2.0]), pd.Series([np.nan] * 5), FeatureSettings())
    assert missing.drifted is None and "every value is missing in the current data" in missing.note
    wide = compare_column("w", pd.Series([3.0] * 2000), pd.Series([3.0] * 10), FeatureSettings())
    assert wide.test == "jensenshannon" and wide.drifted is False


def test_the_linear_wasserstein_equals_scipys() -> None:
    from gitml.monitor.drift import wasserstein_distance

    rng = np.random.default_rng(5)
    for u, v in [
        (rng.normal(size=3000), rng.normal(0.2, 1.5, size=7000)),
        (rng.integers(0, 5, 500).astype(float), rng.integers(0, 7, 300).astype(float)),  # ties
        (np.array([1.0]), np.array([4.0, 4.0])),
    ]:
        expected = stats.wasserstein_distance(u, v)
        assert wasserstein_distance(np.sort(u), np.sort(v)) == pytest.approx(expected, rel=1e-12)
        assert wasserstein_distance(u, v) == pytest.approx(expected, rel=1e-12)  # unsorted
