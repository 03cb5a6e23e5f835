"""One validation helper for every settings table: ``[tool.gitml]`` and ``[tool.gitml.monitor]``
refuse unknown keys and numbers that are not finite with the same message."""

from __future__ import annotations

import math

import pytest

from gitml.config import check_keys, number_setting, parse_monitor_settings, parse_settings
from gitml.errors import ConfigError


def test_unknown_keys_are_named_with_the_allowed_ones():
    with pytest.raises(ConfigError) as unknown:
        check_keys({"metric": "a", "mni": 1, "mx": 2}, {"metric", "min", "max"}, "[x]")
    assert unknown.value.message == "unknown keys mni, mx in [x]; allowed: max, metric, min"


@pytest.mark.parametrize(
    ("table", "where"),
    [
        ({"gates": [{"metric": "a", "mni": 0.5}]}, "[[tool.gitml.gates]] #1"),
        ({"monitor": {"gates": [{"metric": "accuracy", "mni": 0.5}]}}, None),
    ],
)
def test_both_tables_refuse_a_misspelt_rule_the_same_way(table, where):
    with pytest.raises(
        ConfigError, match=r"unknown key mni in \[\[tool.gitml.(monitor.)?gates\]\] #1"
    ):
        if "monitor" in table:
            parse_monitor_settings(table["monitor"])
        else:
            parse_settings(table)


def test_numbers_must_be_finite_numbers():
    assert number_setting(3, "x") == 3.0
    for bad in (True, "0.5", math.inf, math.nan):
        with pytest.raises(ConfigError, match="x must be a"):
            number_setting(bad, "x")
    with pytest.raises(ConfigError, match="must be a finite number"):
        parse_monitor_settings({"gates": [{"metric": "accuracy", "min": math.inf}]})
