"""Result files: written atomically, read strictly, collected in grid order."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitml.errors import UsageError
from gitml.sweep import results
from gitml.sweep.grid import expand, parse_spec
from gitml.sweep.model import SweepRun


def test_collect_keeps_grid_order_wherever_the_files_are(tmp_path: Path) -> None:
    cells = expand([parse_spec("a=1,2,3")])
    for cell in reversed(cells):  # saved in another order, in per-job folders
        run = SweepRun(cell.name, cell.params, "ok")
        results.save(tmp_path / f"job-{cell.params['a']}", "main", run, cell.position)
    base, runs = results.collect(tmp_path)
    assert base == "main"
    assert [r.params["a"] for r in runs] == [1, 2, 3]
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_planned_cell_without_a_result_is_a_failed_run(tmp_path: Path) -> None:
    cells = expand([parse_spec("a=1,2")])
    results.save(tmp_path, "main", SweepRun(cells[1].name, cells[1].params, "ok"), 1)
    _base, runs = results.collect(tmp_path, cells)
    assert [(r.params["a"], r.status) for r in runs] == [(1, "failed"), (2, "ok")]


def test_results_against_different_bases_are_refused(tmp_path: Path) -> None:
    results.save(tmp_path / "x", "main", SweepRun("a", {}, "ok"), 0)
    results.save(tmp_path / "y", "dev", SweepRun("b", {}, "ok"), 1)
    with pytest.raises(UsageError, match="different bases"):
        results.collect(tmp_path)


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '{"format": 2, "base": "main", "run": {}}', '{"format": 1, "base": "m"}'],
)
def test_anything_else_is_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / "r.json").write_text(content)
    with pytest.raises(UsageError, match="is not a gitml sweep result"):
        results.collect(tmp_path)


def test_oversized_files_are_refused_before_reading(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(" " * (results.MAX_RESULT_BYTES + 1))
    with pytest.raises(UsageError, match="a regular file under 1 MB"):
        results.collect(tmp_path)
