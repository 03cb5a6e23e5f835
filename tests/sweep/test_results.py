"""Result files: written atomically, read strictly, accepted only as runs of the grid, collected
in grid order; ranked without trusting what a file says of itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitml.config import parse_settings
from gitml.core.model import MetricRow
from gitml.errors import EXIT_USAGE, InputError, UsageError
from gitml.sweep import results
from gitml.sweep.grid import expand, parse_spec
from gitml.sweep.leaderboard import rank
from gitml.sweep.markdown import render
from gitml.sweep.model import SweepRun

GRID = "train.depth=2,4"


def accuracy(value: float) -> list[MetricRow]:
    return [
        MetricRow("metrics.json", "accuracy", 0.9, value, value - 0.9, None, "higher", "improved")
    ]


def save(folder: Path, cell, value: float, **changes) -> Path:
    run = SweepRun(cell.name, cell.params, "ok", metrics=accuracy(value))
    path = results.save(folder, "main", run, cell.position)
    if changes:
        document = json.loads(path.read_text())
        document["run"].update(changes)
        path.write_text(json.dumps(document))
    return path


def test_collect_keeps_grid_order_wherever_the_files_are(tmp_path: Path) -> None:
    cells = expand([parse_spec("a=1,2,3")])
    for cell in reversed(cells):  # saved in another order, in per-job folders
        run = SweepRun(cell.name, cell.params, "ok")
        results.save(tmp_path / f"job-{cell.params['a']}", "main", run, cell.position)
    base, runs = results.collect(tmp_path, cells)
    assert base == "main"
    assert [r.params["a"] for r in runs] == [1, 2, 3]
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_planned_cell_without_a_result_is_a_failed_run(tmp_path: Path) -> None:
    cells = expand([parse_spec("a=1,2")])
    results.save(tmp_path, "main", SweepRun(cells[1].name, cells[1].params, "ok"), 1)
    _base, runs = results.collect(tmp_path, cells)
    assert [(r.params["a"], r.status) for r in runs] == [(1, "failed"), (2, "ok")]


def test_results_against_different_bases_are_refused(tmp_path: Path) -> None:
    cells = expand([parse_spec("a=1,2")])
    results.save(tmp_path / "x", "main", SweepRun(cells[0].name, cells[0].params, "ok"), 0)
    results.save(tmp_path / "y", "dev", SweepRun(cells[1].name, cells[1].params, "ok"), 1)
    with pytest.raises(UsageError, match="different bases"):
        results.collect(tmp_path, cells)


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '{"format": 2, "base": "main", "run": {}}', '{"format": 1, "base": "m"}'],
)
def test_anything_else_is_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / "r.json").write_text(content)
    with pytest.raises(UsageError, match="is not a gitml sweep result"):
        results.collect(tmp_path, expand([parse_spec(GRID)]))


def test_oversized_files_are_refused_before_reading(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(" " * (results.MAX_RESULT_BYTES + 1))
    with pytest.raises(UsageError, match="a regular file under 1 MB"):
        results.collect(tmp_path, expand([parse_spec(GRID)]))


@pytest.mark.parametrize(
    "params",
    [
        {"../outside-target.yaml:a": 1, "train.depth": 2},
        {"dvc.yaml:stages.prepare.cmd": "touch pwned", "train.depth": 2},
        {"train.depth": 2.0},  # 2.0 is not the grid's 2
        {"train.depth": 3},
    ],
)
def test_a_file_whose_params_are_not_a_cell_of_the_grid_is_refused(
    tmp_path: Path, params: dict
) -> None:
    cells = expand([parse_spec(GRID)])
    path = save(tmp_path, cells[0], 0.999, params=params)
    with pytest.raises(InputError) as refused:
        results.collect(tmp_path, cells)
    assert refused.value.exit_code == EXIT_USAGE
    assert refused.value.message.startswith(f"{path} is not a run of this grid (run ")


def test_a_run_not_in_the_grid_is_refused_however_good(tmp_path: Path) -> None:
    cells = expand([parse_spec(GRID)])
    save(tmp_path, cells[0], 0.91)
    stranger = SweepRun("sweep-0000000", {"train.depth": 99}, "ok", metrics=accuracy(0.999))
    results.save(tmp_path / "other", "main", stranger, 0)
    with pytest.raises(InputError, match="is not a run of this grid"):
        results.collect(tmp_path, cells)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("metrics", [{"value": "abc"}], "a metric does not have exactly the keys"),
        ("gates", [{"metric": "accuracy"}], "a gate does not have exactly the keys"),
        ("status", "great", "status 'great' is not ok or failed"),
        ("params", ["x"], "params not a map"),
    ],
)
def test_malformed_runs_are_bad_input_naming_the_field(tmp_path, field, value, problem) -> None:
    cells = expand([parse_spec(GRID)])
    save(tmp_path, cells[0], 0.9, **{field: value})
    with pytest.raises(InputError, match=problem):
        results.collect(tmp_path, cells)


@pytest.mark.parametrize("value", ["abc", [1], True, {"a": 1}, 10**400])
def test_a_metric_value_that_is_not_a_number_is_refused(tmp_path: Path, value) -> None:
    cells = expand([parse_spec(GRID)])
    path = save(tmp_path, cells[0], 0.9)
    document = json.loads(path.read_text())
    document["run"]["metrics"][0]["value"] = value
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"metric accuracy: value .*(not a number|too large)"):
        results.collect(tmp_path, cells)


def test_passed_no_is_not_a_pass(tmp_path: Path) -> None:
    cells = expand([parse_spec(GRID)])
    gate = {"metric": "accuracy", "row_key": "accuracy", "rule": "min 0.99", "detail": "x"}
    save(tmp_path, cells[0], 0.95, gates=[{**gate, "passed": "no"}])
    with pytest.raises(InputError, match="passed 'no' is not true or false"):
        results.collect(tmp_path, cells)


def test_nan_never_ranks_first_nor_shows_a_check_mark(tmp_path: Path) -> None:
    cells = expand([parse_spec(GRID)])
    save(tmp_path, cells[0], float("nan"))
    save(tmp_path, cells[1], 0.93)
    _base, runs = results.collect(tmp_path, cells)
    settings = parse_settings({"metrics": {"accuracy": "higher"}})
    board = rank(runs, "main", settings)
    assert board.best == cells[1].name
    assert [(r.run.name, r.rank) for r in board.runs] == [(cells[1].name, 1), (cells[0].name, None)]
    [nan_row] = [line for line in render(board).splitlines() if cells[0].name in line]
    assert "nan (not a number)" in nan_row and "✅" not in nan_row and "+inf" not in nan_row
