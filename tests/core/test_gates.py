"""Quality gates in the core: bounds, allowed regression, missing values and load errors."""

from __future__ import annotations

import pytest

from gitml.config import Gate
from gitml.core.compare import compare
from gitml.core.gates import describe_failures, evaluate_gates
from gitml.core.model import GateResult, LoadError, Revisions, Verdict
from gitml.errors import ConfigError

ROWS = [
    compare("metrics.json", "accuracy", 0.92, 0.89, "higher"),
    compare("metrics.json", "log_loss", 0.30, 0.25, "lower"),
]


def test_min_and_max_bounds():
    results = evaluate_gates((Gate("accuracy", min=0.9), Gate("log_loss", max=0.3)), ROWS)
    assert [(r.rule, r.passed, r.detail) for r in results] == [
        ("min 0.9", False, "0.89 < 0.9"),
        ("max 0.3", True, "0.25 <= 0.3"),
    ]
    assert [r.outcome for r in results] == [Verdict.FAIL, Verdict.PASS]


def test_max_regression_follows_the_direction():
    [within] = evaluate_gates((Gate("accuracy", max_regression=0.05),), ROWS)
    [beyond] = evaluate_gates((Gate("accuracy", max_regression=0.02),), ROWS)
    [better] = evaluate_gates((Gate("log_loss", max_regression=0.0),), ROWS)
    assert within.passed and within.detail == "regressed by 0.03 <= 0.05 (0.92 -> 0.89)"
    assert not beyond.passed and beyond.detail == "regressed by 0.03 > 0.02 (0.92 -> 0.89)"
    assert better.passed and better.detail == "no regression (0.3 -> 0.25)"


def test_a_value_missing_on_head_fails_and_names_the_load_error():
    rows = [compare("metrics.json", "accuracy", 0.9, None, "higher")]
    errors = [LoadError("metrics", "workspace", "metrics.json", "invalid JSON")]
    [result] = evaluate_gates(
        (Gate("accuracy", min=0.5),), rows, errors, Revisions("main", "workspace")
    )
    assert not result.passed
    assert result.detail == "metrics.json failed to load at workspace: invalid JSON"


def test_a_gate_on_an_unknown_metric_is_a_config_error_unless_a_file_failed_to_load():
    with pytest.raises(ConfigError, match="gate on metric 'f1', which no metrics file has"):
        evaluate_gates((Gate("f1", min=0.5),), ROWS)
    errors = [LoadError("metrics", "workspace", "scores.json", "invalid JSON")]
    [result] = evaluate_gates((Gate("f1", min=0.5),), ROWS, errors)
    assert not result.passed and result.detail.startswith("not found, and metrics failed to load")


def test_max_regression_without_a_direction_is_a_config_error():
    rows = [compare("metrics.json", "throughput", 10, 9, None)]
    with pytest.raises(ConfigError, match="needs its direction"):
        evaluate_gates((Gate("throughput", max_regression=1),), rows)


def test_one_dict_shape_for_every_gate_result():
    gate = GateResult("accuracy", "metrics.json:accuracy", "min 0.9", False, "0.89 < 0.9")
    assert gate.to_dict() == {
        "metric": "accuracy",
        "rule": "min 0.9",
        "passed": False,
        "detail": "0.89 < 0.9",
    }
    assert list(gate.to_dict(with_row_key=True)) == [
        "metric",
        "row_key",
        "rule",
        "passed",
        "detail",
    ]
    assert describe_failures([gate]) == "accuracy min 0.9: 0.89 < 0.9"
