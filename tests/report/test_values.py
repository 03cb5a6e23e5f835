"""Metric values DVC loads, however extreme: huge integers, infinities, NaN, booleans, strings.

Each case once crashed the report (``OverflowError`` on a 400-digit integer), called an unchanged
infinity "worse" with a change of ``-nan`` and failed a ``max_regression`` gate on it, or wrote
bare ``Infinity`` into ``--json`` (which ``JSON.parse`` rejects).
"""

from __future__ import annotations

import json
import math

import pytest

from gitml.config import Gate
from gitml.core.compare import compare
from gitml.core.gates import evaluate_gates
from gitml.core.text import number, signed
from gitml.report import json_render, markdown, terminal
from gitml.report.model import Report

HUGE = 10**400


@pytest.mark.parametrize(
    ("base", "head", "direction", "status", "delta", "rel_delta"),
    [
        (math.inf, math.inf, "lower", "unchanged", 0, None),
        (-math.inf, -math.inf, "higher", "unchanged", 0, None),
        (0.5, math.inf, "higher", "improved", math.inf, None),
        (math.inf, 1e308, "lower", "improved", -math.inf, None),
        (-math.inf, 1, "higher", "improved", math.inf, None),
        (HUGE, HUGE, "higher", "unchanged", 0, 0.0),
        (HUGE, HUGE + 1, "higher", "improved", 1, 1 / HUGE),
        (0.5, HUGE, "higher", "improved", math.inf, None),  # beyond any float: an infinity
        (HUGE, 0.5, "lower", "improved", -math.inf, None),
        (2 * HUGE, HUGE, "lower", "improved", -HUGE, -0.5),
        (math.inf, HUGE, "lower", "improved", -math.inf, None),
        (True, False, "higher", "regressed", -1, -1.0),
    ],
)
def test_every_pair_of_numbers_has_a_defined_status_and_change(
    base, head, direction, status, delta, rel_delta
):
    row = compare("m.json", "x", base, head, direction)
    assert (row.status, row.delta, row.rel_delta) == (status, delta, rel_delta)


def test_nan_is_not_a_number_and_strings_are_not_numbers():
    assert compare("m.json", "x", math.nan, 0.5, "higher").status == "new"
    assert compare("m.json", "x", "n/a", 0.5, "higher").status == "new"
    assert compare("m.json", "x", 0.5, "[1, 2]", "higher").status == "removed"


def test_huge_integers_and_infinities_read_well():
    assert number(HUGE) == "1e+400"
    assert number(-(HUGE + 7 * 10**395)) == "-1.00007e+400"
    assert number(123456789012345) == "123456789012345"
    assert signed(math.inf) == "+inf" and signed(-math.inf) == "-inf"
    assert number(True) == "1"


def extreme_report() -> Report:
    rows = [
        compare("m.json", "loss", math.inf, math.inf, "lower"),
        compare("m.json", "accuracy", 0.5, HUGE, "higher"),
        compare("m.json", "big", HUGE, 3 * HUGE, "lower"),
        compare("m.json", "f1", -math.inf, 0.2, "higher"),
    ]
    gates = (
        Gate("loss", max_regression=0.0),
        Gate("accuracy", min=0.9, max_regression=0.01),
        Gate("big", max=1e308, max_regression=1.0),
        Gate("f1", min=0.1),
    )
    report = Report(base="main", head="workspace", metrics=rows)
    report.gates = evaluate_gates(gates, rows)
    return report


def test_gates_on_extreme_values_are_decided_without_crashing():
    results = {(g.metric, g.rule.split()[0]): (g.passed, g.detail) for g in extreme_report().gates}
    assert results[("loss", "max_regression")] == (True, "no regression (inf -> inf)")
    assert results[("accuracy", "min")] == (True, "1e+400 >= 0.9")
    assert results[("accuracy", "max_regression")][0] is True
    assert results[("big", "max")] == (False, "3e+400 > 1e+308")
    assert results[("big", "max_regression")] == (
        False,
        "regressed by 2e+400 > 1 (1e+400 -> 3e+400)",
    )
    assert results[("f1", "min")] == (True, "0.2 >= 0.1")


def test_json_is_strict_and_keeps_every_digit():
    report = extreme_report()
    text = json_render.render(report)
    assert "Infinity" in text
    # A strict parser (as JSON.parse) accepts it: no bare Infinity or NaN anywhere.
    data = json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} in JSON"))
    rows = {m["name"]: m for m in data["metrics"]}
    assert rows["loss"]["base"] == rows["loss"]["head"] == "Infinity"
    assert rows["loss"]["status"] == "unchanged" and rows["loss"]["delta"] == 0
    assert rows["f1"]["base"] == "-Infinity" and rows["f1"]["delta"] == "Infinity"
    assert rows["big"]["head"] == 3 * HUGE and rows["big"]["delta"] == 2 * HUGE
    assert float(rows["f1"]["base"]) == -math.inf  # Python reads the strings back


def test_json_safe_covers_params_and_nested_values():
    assert json_render.json_safe({"a": [math.nan, {"b": -math.inf}], "c": (1.5,)}) == {
        "a": ["NaN", {"b": "-Infinity"}],
        "c": [1.5],
    }


def test_markdown_and_terminal_render_extreme_values():
    report = extreme_report()
    text = markdown.render(report)
    assert "| ⚪ same | m.json | loss | inf | inf | 0 | — |" in text
    assert "-nan" not in text and "+nan" not in text
    plain = terminal.render(report)
    assert "1e+400" in plain and "nan" not in plain


def test_a_gate_on_file_name_blames_only_that_files_load_errors():
    from gitml.core.model import LoadError, Revisions
    from gitml.errors import ConfigError

    rows = [compare("good.json", "accuracy", 0.8, 0.8, "higher")]
    errors = [LoadError("metrics", "main", "bad.json", "Expecting value")]
    revs = Revisions("main", "workspace")
    failed = evaluate_gates((Gate("bad.json:f1", min=0.5),), rows, errors, revs)
    assert [(g.passed, g.detail) for g in failed] == [
        (
            False,
            "not found, and metrics failed to load: bad.json failed to load at main: Expecting value",
        )
    ]
    with pytest.raises(ConfigError, match="no metrics file has"):
        evaluate_gates((Gate("good.json:f1", min=0.5),), rows, errors, revs)
    # a base that failed to load never lets max_regression pass
    new_row = [compare("bad.json", "f1", None, 0.7, "higher")]
    (result,) = evaluate_gates((Gate("f1", max_regression=0.01),), new_row, errors, revs)
    assert not result.passed
    assert result.detail == "no base value: bad.json failed to load at main: Expecting value"
