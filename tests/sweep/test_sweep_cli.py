"""``gitml sweep`` on a real git + DVC project: every run a DVC experiment, ranked correctly,
failures kept, the matrix path (plan, cell, collect) and applying the winner."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.cli import run_gitml
from tests.helpers import git
from tests.sweep.helpers import SweepProject, expected_score

# trains every cell of real grids: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)

GRID = ("-S", "train.depth=2,4,6", "-S", "train.kind=a,b")


def set_baseline_depth(project: SweepProject, depth: int) -> None:
    (project.root / "params.yaml").write_text(f"train:\n  depth: {depth}\n  kind: a\n")
    project.dvc("repro", "-q")
    project.dvc("push", "-q", "--run-cache")
    git(project.root, "commit", "-qam", f"depth {depth}")


def experiments(project: SweepProject) -> dict[str, float]:
    """name -> score of every experiment, as `dvc exp show --json` reports it."""
    shown = json.loads(project.dvc("exp", "show", "--json").stdout)
    found = {}
    for baseline in shown:
        for exp in baseline.get("experiments") or []:
            for rev in exp["revs"]:
                metrics = rev["data"]["metrics"]["metrics.json"]["data"]
                found[rev["name"]] = metrics["score"]
    return found


def test_a_3x2_grid_is_ranked_with_each_runs_own_metrics_and_the_winner_applies(
    sweep_project: SweepProject,
) -> None:
    set_baseline_depth(sweep_project, 2)
    result = sweep_project.gitml(
        "sweep", *GRID, "-o", "lb.md", "--json", "lb.json", "--html", "lb.html", "--check"
    )
    assert result.returncode == 0, result.stderr
    board = sweep_project.leaderboard()
    runs = board["runs"]
    assert len(runs) == 6 and all(r["status"] == "ok" for r in runs)
    # Values equal the formula and DVC's own record of each experiment.
    shown = experiments(sweep_project)
    for entry in runs:
        (score,) = [m["value"] for m in entry["metrics"] if m["name"] == "score"]
        params = entry["params"]
        assert score == expected_score(params["train.depth"], params["train.kind"])
        assert shown[entry["name"]] == score
        (base,) = [m["base"] for m in entry["metrics"] if m["name"] == "score"]
        assert base == expected_score(2, "a")
    # Best first, ties in grid order: (4,a) 1.0, (4,b) .95, (2,a) .8, (6,a) .8, (2,b) .75, (6,b) .75
    order = [(r["params"]["train.depth"], r["params"]["train.kind"]) for r in runs]
    assert order == [(4, "a"), (4, "b"), (2, "a"), (6, "a"), (2, "b"), (6, "b")]
    assert [r["rank"] for r in runs] == [1, 2, 3, 4, 5, 6]
    assert board["rank_by"] == "score" and board["best"] == runs[0]["name"]
    assert board["swept"] == ["train.depth", "train.kind"]
    text = (sweep_project.root / "lb.md").read_text()
    assert text.startswith(f"## 🏁 gitml sweep: 6 runs, best `{runs[0]['name']}` (score 1)")
    assert "<script>" in (sweep_project.root / "lb.html").read_text()

    applied = sweep_project.gitml("sweep", "--apply", "best", check=True)
    assert f"Applied {runs[0]['name']} (dvc exp apply)" in applied.stdout
    report = sweep_project.gitml("report", "--base", "main", "--json", "report.json")
    assert report.returncode == 0, report.stderr
    data = json.loads((sweep_project.root / "report.json").read_text())
    assert {(p["name"], p["base"], p["head"]) for p in data["params"]} == {("train.depth", 2, 4)}
    (score,) = [m for m in data["metrics"] if m["name"] == "score"]
    assert (score["base"], score["head"], score["status"]) == (0.8, 1.0, "improved")


def test_parallel_jobs_run_through_dvcs_queue_with_the_same_results(
    sweep_project: SweepProject,
) -> None:
    result = sweep_project.gitml(
        "sweep", "-S", "train.depth=3,5,6", "--jobs", "2", "--json", "lb.json"
    )
    assert result.returncode == 0, result.stderr
    runs = sweep_project.leaderboard()["runs"]
    assert sorted((r["params"]["train.depth"], r["metrics"][1]["value"]) for r in runs) == [
        (3, 0.9),
        (5, 0.9),
        (6, 0.8),
    ]
    assert set(experiments(sweep_project)) == {r["name"] for r in runs}


def trained(log: Path) -> list[str]:
    """The params of every run whose stage really ran (train.py logs them)."""
    return log.read_text().splitlines() if log.exists() else []


def test_a_sweep_run_again_restores_every_run_from_the_run_cache(
    sweep_project: SweepProject, tmp_path: Path
) -> None:
    log = tmp_path / "trained.log"
    env = {**os.environ, "SWEEP_TRAIN_LOG": str(log)}
    sweep = ("sweep", "-S", "train.depth=3,5", "--json", "lb.json")
    run_gitml(*sweep, cwd=sweep_project.root, env=env, expect=0)
    assert len(trained(log)) == 2
    first = sweep_project.leaderboard()

    again = run_gitml(*sweep, cwd=sweep_project.root, env=env, expect=0)
    assert len(trained(log)) == 2, again.stdout + again.stderr  # nothing trained twice
    assert sweep_project.leaderboard()["runs"] == first["runs"]
    assert set(experiments(sweep_project)) == {r["name"] for r in first["runs"]}


def test_a_failed_run_is_a_row_with_its_error_and_the_others_go_on(
    sweep_project: SweepProject,
) -> None:
    result = sweep_project.gitml("sweep", "-S", "train.depth=99,3", "--json", "lb.json")
    assert result.returncode == 0, result.stderr
    runs = sweep_project.leaderboard()["runs"]
    assert [(r["params"]["train.depth"], r["status"], r["rank"]) for r in runs] == [
        (3, "ok", 1),
        (99, "failed", None),
    ]
    assert "train" in runs[1]["error"]

    every_run_fails = sweep_project.gitml("sweep", "-S", "train.depth=99")
    assert every_run_fails.returncode == 3
    assert every_run_fails.stderr.strip().splitlines()[-1].startswith("ERROR: all 1 runs failed")


def test_an_unknown_param_is_refused_before_anything_runs(sweep_project: SweepProject) -> None:
    result = sweep_project.gitml("sweep", "-S", "train.dpth=1,2")
    assert result.returncode == 2
    assert result.stderr.strip() == "ERROR: swept param train.dpth is not in params.yaml"
    assert experiments(sweep_project) == {}


def test_plan_cells_on_other_clones_and_collect(
    sweep_project: SweepProject, tmp_path: Path
) -> None:
    plan = sweep_project.gitml("sweep", "-S", "train.depth=3,6,7", "--plan", check=True)
    cells = json.loads(plan.stdout)["include"]
    assert [c["params"] for c in cells] == ["train.depth=3", "train.depth=6", "train.depth=7"]

    artifacts = tmp_path / "artifacts"
    for cell in cells[:2]:  # the third job never reports
        runner = tmp_path / f"runner-{cell['name']}"
        git(tmp_path, "clone", "-q", str(sweep_project.root), str(runner))
        shutil.copy(sweep_project.root / ".dvc" / "config", runner / ".dvc" / "config")
        done = run_gitml(
            "sweep",
            "-S",
            "train.depth=3,6,7",
            "--cell",
            cell["name"],
            "--pull",
            "--push",
            "--results",
            str(artifacts / cell["name"]),
            cwd=runner,
        )
        assert done.returncode == 0, done.stderr
    collected = sweep_project.gitml(
        "sweep",
        "-S",
        "train.depth=3,6,7",
        "--collect",
        str(artifacts),
        "--json",
        "lb.json",
        "-o",
        "lb.md",
    )
    assert collected.returncode == 0, collected.stderr
    runs = sweep_project.leaderboard()["runs"]
    assert [(r["params"]["train.depth"], r["status"]) for r in runs] == [
        (3, "ok"),
        (6, "ok"),
        (7, "failed"),
    ]
    assert runs[2]["error"] == "no result: the run's job did not finish"

    # The winner of a matrix run applies here: its params are written and its outputs restored
    # from the run-cache the job pushed (the stage does not run again).
    applied = sweep_project.gitml("sweep", "--apply", "best", "--results", str(artifacts))
    assert applied.returncode == 0, applied.stderr
    assert "(params written, outputs restored)" in applied.stdout
    assert "depth: 3" in (sweep_project.root / "params.yaml").read_text()
    metrics = json.loads((sweep_project.root / "metrics.json").read_text())
    assert metrics["score"] == expected_score(3, "a")
    assert "Running stage 'train'" not in applied.stderr


def test_a_cell_rerun_on_a_fresh_runner_restores_what_the_first_job_pushed(
    sweep_project: SweepProject, tmp_path: Path
) -> None:
    log = tmp_path / "trained.log"
    env = {**os.environ, "SWEEP_TRAIN_LOG": str(log)}
    grid = ("sweep", "-S", "train.depth=3,6")
    (cell, _) = json.loads(sweep_project.gitml(*grid, "--plan", check=True).stdout)["include"]
    results = {}
    for attempt in ("first", "rerun"):  # "Re-run jobs": a new runner, the same cell
        runner = tmp_path / f"runner-{attempt}"
        git(tmp_path, "clone", "-q", str(sweep_project.root), str(runner))
        shutil.copy(sweep_project.root / ".dvc" / "config", runner / ".dvc" / "config")
        folder = tmp_path / attempt
        run_gitml(
            *grid, "--cell", cell["name"], "--pull", "--push", "--results", str(folder),
            cwd=runner, env=env, expect=0,
        )  # fmt: skip
        (result,) = folder.glob("*.json")
        results[attempt] = json.loads(result.read_text())
    assert trained(log) == ["{'depth': 3, 'kind': 'a'}"]  # the rerun trained nothing
    assert results["rerun"]["run"]["metrics"] == results["first"]["run"]["metrics"]


def test_collect_refuses_files_that_are_not_results(
    sweep_project: SweepProject, tmp_path: Path
) -> None:
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    (artifacts / "evil.json").symlink_to("/etc/passwd")
    result = sweep_project.gitml("sweep", "-S", "train.depth=3", "--collect", str(artifacts))
    assert result.returncode == 2
    assert "is not a sweep result file" in result.stderr
    (artifacts / "evil.json").unlink()
    (artifacts / "bad.json").write_text('{"format": 1, "run": {}}')
    result = sweep_project.gitml("sweep", "-S", "train.depth=3", "--collect", str(artifacts))
    assert result.returncode == 2
    assert "is not a gitml sweep result" in result.stderr
