"""Metric comparison in the core: statuses, directions, order and rows from DVC's diff."""

from __future__ import annotations

import math

import pytest

from gitml.config import Settings
from gitml.core.compare import compare, metric_rows, resolve_direction, sort_rows
from gitml.core.model import Direction, LoadError, MetricStatus, Revisions


@pytest.mark.parametrize(
    ("base", "head", "direction", "status"),
    [
        (0.8, 0.9, "higher", "improved"),
        (0.8, 0.9, "lower", "regressed"),
        (0.9, 0.8, "lower", "improved"),
        (0.8, 0.8, "higher", "unchanged"),
        (0.8, 0.9, None, "changed"),
        (None, 0.9, "higher", "new"),
        (0.9, None, "higher", "removed"),
        (None, None, "higher", "unchanged"),
    ],
)
def test_status_follows_the_direction(base, head, direction, status):
    row = compare("m.json", "acc", base, head, direction)
    assert row.status == status
    assert isinstance(row.status, MetricStatus)


def test_delta_and_relative_delta():
    row = compare("m.json", "acc", 0.5, 0.75, "higher")
    assert (row.delta, row.rel_delta) == (0.25, 0.5)
    assert compare("m.json", "acc", 0, 1, "higher").rel_delta is None
    assert compare("m.json", "x", math.inf, math.inf, "lower").delta == 0


def test_a_direction_is_an_enum_equal_to_its_text():
    row = compare("m.json", "acc", 1, 2, "higher")
    assert row.direction is Direction.HIGHER and row.direction == "higher"
    assert f"{row.direction}/{row.status}" == "higher/improved"
    with pytest.raises(ValueError):
        compare("m.json", "acc", 1, 2, "sideways")


def test_configured_direction_wins_over_the_builtin_one():
    assert resolve_direction("m.json", "accuracy", {}) == "higher"
    assert resolve_direction("m.json", "accuracy", {"accuracy": "lower"}) == "lower"
    assert resolve_direction("m.json", "accuracy", {"m.json:accuracy": "lower"}) == "lower"
    assert resolve_direction("m.json", "test.log_loss", {}) == "lower"
    assert resolve_direction("m.json", "loss.accuracy", {}) is None  # parts disagree
    assert resolve_direction("m.json", "throughput", {}) is None


def test_rows_sort_gate_failures_then_regressions_then_the_rest():
    rows = [
        compare("m.json", "a", 1, 1, "higher"),
        compare("m.json", "b", 1, 2, "higher"),
        compare("m.json", "c", 2, 1, "higher"),
        compare("m.json", "d", 1, 2, "higher"),
    ]
    ordered = sort_rows(rows, failing={"m.json:d"})
    assert [row.name for row in ordered] == ["d", "c", "b", "a"]


def test_metric_rows_turns_values_that_are_not_numbers_into_load_errors():
    diff = {"m.json": {"accuracy": {"old": 0.8, "new": "n/a"}, "loss": {"old": 1, "new": 0.5}}}
    rows, problems = metric_rows(diff, Settings(), Revisions("main", "workspace"))
    assert [(row.name, row.status) for row in rows] == [
        ("accuracy", "removed"),
        ("loss", "improved"),
    ]
    assert problems == [
        LoadError(
            "metrics", "workspace", "m.json", "accuracy is not a number ('n/a')", metric="accuracy"
        )
    ]


def test_the_settings_accept_exactly_the_core_s_directions():
    # config sits below the core, so it spells the two directions itself
    from gitml import config

    assert tuple(direction.value for direction in Direction) == config.DIRECTIONS
