"""The reference profile: decisions from it equal decisions from the raw training data (exactly up
to 2,000 rows; distances within a stated tolerance above), and a damaged or crafted profile is
refused with one line instead of becoming a verdict."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest

from gitml.core.profile import EXACT_ROWS, build_profile
from gitml.errors import DataError
from gitml.monitor.compare import compare_features
from gitml.monitor.profile import parse_profile

#: Normed Wasserstein from 2,000 quantiles against the raw values: at most this far apart (absolute
#: plus relative), as docs/monitor.md states.
TOLERANCE, RELATIVE = 0.005, 0.01


@cache
def table(rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Every kind of column: normal, skewed, wide, integer, few-valued, categorical, text."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(150)]
    return pd.DataFrame(
        {
            "normal": rng.normal(shift, 1, rows),
            "skewed": rng.lognormal(0, 0.6, rows) * (1 + shift),
            "wide": rng.uniform(0, 10 + 10 * shift, rows),
            "integer": rng.integers(0, 30, rows).astype(float),
            "few": rng.choice([1.0, 2.0, 3.0], rows, p=[0.5, 0.3, 0.2]),
            "category": rng.choice(list("abcdefgh"), rows),
            "text": [
                " ".join(rng.choice(words, int(rng.integers(2, 9)))) + f" n{seed}x{i}"
                for i in range(rows)
            ],
        }
    )


@cache
def profile_of(rows: int, seed: int):
    reference = table(rows, seed)
    profile = build_profile(reference, list(reference.columns))
    return parse_profile(json.dumps(profile), "profile.json")


def both(rows: int, seed: int, current: pd.DataFrame):
    """The results from the raw reference and from its profile."""
    reference, profile = table(rows, seed), profile_of(rows, seed)
    names = list(reference.columns)
    raw = compare_features(reference, current, names, {})
    from_profile = compare_features(profile.columns, current, names, {}, kinds=profile.kinds)
    return raw, from_profile


@pytest.mark.parametrize("shift", [0.0, 0.15, 0.5])
def test_a_small_reference_gives_the_very_same_results(shift: float) -> None:
    raw, from_profile = both(800, 1, table(600, 2, shift))
    assert [r.kind for r in raw] == [*["numeric"] * 5, "categorical", "text"]
    for a, b in zip(raw, from_profile, strict=True):
        assert (a.name, a.test, a.statistic, a.p_value, a.drifted) == (
            b.name, b.test, b.statistic, b.p_value, b.drifted,
        )  # fmt: skip
        assert a.reference_summary == b.reference_summary


@pytest.mark.parametrize("shift", [0.0, 0.1, 0.2])
def test_a_large_reference_gives_the_same_decisions_within_the_tolerance(shift: float) -> None:
    assert EXACT_ROWS < 20_000  # numbers are 2,000 quantiles in the profile
    raw, from_profile = both(20_000, 3, table(5000, 4, shift))
    for a, b in zip(raw, from_profile, strict=True):
        assert (a.name, a.test) == (b.name, b.test)
        assert a.statistic is not None and b.statistic is not None
        tolerance = TOLERANCE + RELATIVE * a.statistic
        if a.test in ("wasserstein",):
            assert b.statistic == pytest.approx(a.statistic, abs=tolerance), a.name
        else:  # counts (categories, few values) are exact; text keeps the texts a test sees
            assert b.statistic == pytest.approx(a.statistic, rel=1e-12), a.name
        assert a.threshold is not None
        if abs(a.statistic - a.threshold) > tolerance:
            assert a.drifted == b.drifted, a.name
    assert [b.test for b in from_profile][:2] == ["wasserstein", "wasserstein"]
    if shift >= 0.2:
        assert sum(bool(a.drifted) for a in raw) >= 2  # the case has decisions to agree on


def good_profile() -> dict:
    reference = table(50, 5)
    calibration = {"classes": ["0", "1"], "probabilities": [[0.2, 0.8], [0.9, 0.1]],
                   "labels": ["1", "0"]}  # fmt: skip
    answers = {"prediction": pd.Series(["0", "1"] * 25)}
    return build_profile(reference, list(reference.columns), answers, calibration)


def damage(change) -> str:
    profile = good_profile()
    change(profile)
    return json.dumps(profile)


@pytest.mark.parametrize(
    "change, cause",
    [
        (lambda p: p.update(format="something-else"), "format is not"),
        (lambda p: p.update(version=99), "version is not 1"),
        (lambda p: p["columns"]["normal"].update(kind="image"), "column 'normal': kind"),
        (lambda p: p["columns"]["normal"]["values"].append("1e400"), "column 'normal': values"),
        (lambda p: p["columns"]["normal"].update(missing=10**6), "more missing than rows"),
        (lambda p: p["columns"]["category"]["counts"]["counts"].__setitem__(0, -3), "counts"),
        (lambda p: p["columns"]["category"]["counts"]["counts"].__setitem__(0, 10**12), "counts"),
        (lambda p: p["columns"]["normal"].update(values=[1.0] * 2001), "more than 2000 values"),
        (lambda p: p["columns"]["text"].update(sample=["a"] * 1001), "more than 1000 texts"),
        (lambda p: p.update(rows=10**15), "rows"),
        (lambda p: p["columns"]["text"].update(sample=[{"$gt": ""}]), "column 'text': sample"),
        (lambda p: p["features"].append("ghost"), "features"),
        (lambda p: p["calibration"]["probabilities"][0].__setitem__(0, 7.0), "calibration"),
        (lambda p: p["calibration"]["labels"].pop(), "calibration: rows"),
        (lambda p: p["prediction"]["prediction"].update(kind="numeric"), "counted values"),
    ],
)
def test_a_damaged_profile_is_refused_with_one_line(change, cause: str) -> None:
    with pytest.raises(DataError) as raised:
        parse_profile(damage(change), "profile.json at abc123")
    message = raised.value.message
    assert message.startswith("profile.json at abc123 is not a gitml reference profile (")
    assert cause in message and "\n" not in message
    assert message.endswith('use_profile = "never" to read the training data')


def test_json_that_is_not_even_json_is_refused() -> None:
    for text in ("", "[]", "{" * 100_000, '{"format": NaN}'):
        with pytest.raises(DataError):
            parse_profile(text, "profile.json")
    parse_profile(json.dumps(good_profile()), "profile.json")  # the undamaged one is fine
