"""End to end: the sweep workflow under act on a labelled pull request, against the GitHub
emulation: a plan, one matrix job per cell, and exactly one leaderboard comment, updated by a
second run. What is real and what is stood in: see test_act_e2e.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.workflows.act_harness import REPOSITORY, WRITE_TOKEN, World, act_world, explain, register

pytestmark = pytest.mark.slow(minutes=7)

GRID = (
    'params = { "train.params.max_depth" = [2, 4, 8], "train.params.n_estimators" = [100, 300] }',
    'params = { "train.params.max_depth" = [2, 3, 5] }',
)


def labelled(world: World, pr: dict) -> dict:
    event = world.pr_event(pr)
    event["action"] = "labeled"
    event["label"] = {"name": "gitml-sweep"}
    event["pull_request"]["labels"] = [{"name": "gitml-sweep"}]
    return event


def run_sweep(world: World, pr: dict) -> tuple[int, str]:
    from tests.helpers import git

    git(world.work, "checkout", "-q", "--detach", pr["merge"])
    return world.act("pull_request", "sweep.yml", labelled(world, pr), WRITE_TOKEN)


@pytest.fixture
def world(tmp_path: Path):
    with act_world(tmp_path) as world:
        world.create()
        share_the_dvc_remote(world)
        yield world


def share_the_dvc_remote(world: World) -> None:
    """Point main's DVC remote at a folder outside the checkouts, as a team's S3 bucket is: what
    one job pushes, the next job (on another runner) can pull. The reference project's remote
    lives inside the repository, so each job would push into its own checkout."""
    from tests.helpers import git

    remote = world.tmp / "dvc-remote"
    shutil.copytree(world.work / ".dvc-storage", remote)
    config = world.work / ".dvc" / "config"
    config.write_text(config.read_text().replace("../.dvc-storage", str(remote)))
    git(world.work, "commit", "-q", "-am", "DVC remote shared by every runner")
    git(world.work, "push", "-q", "origin", "main")


def test_a_labelled_pr_gets_one_leaderboard_comment_from_a_3_cell_matrix(world: World) -> None:
    pr = world.push_pr(4, "sweep-depth", {"pyproject.toml": GRID})
    register(world, pr)

    code, log = run_sweep(world, pr)
    assert code == 0, explain(code, log)
    for depth in (2, 3, 5):  # one matrix job per cell
        assert f"train.params.max_depth={depth}" in log
    comments = world.emulator.issue_comments(REPOSITORY, 4)
    assert len(comments) == 1, comments
    body = comments[0]["body"]
    assert body.startswith("## 🏁 gitml sweep: 3 runs, best `sweep-")
    assert "<!-- gitml:report id=sweep -->" in body
    board = json.loads((world.artifact(world.run_id) / "leaderboard.json").read_text())
    assert sorted(r["params"]["train.params.max_depth"] for r in board["runs"]) == [2, 3, 5]
    assert all(r["status"] == "ok" for r in board["runs"])
    assert [r["rank"] for r in board["runs"]] == [1, 2, 3]
    first = comments[0]["id"]

    # The label stays and the PR is pushed again: the same comment is updated, none added.
    # Every cell pushed its run to the DVC remote, so the rerun restores instead of training.
    code, log = run_sweep(world, pr)
    assert code == 0, explain(code, log)
    comments = world.emulator.issue_comments(REPOSITORY, 4)
    assert [c["id"] for c in comments] == [first]
    assert "Running stage 'train'" not in log, explain(code, log)
    assert log.count("Stage 'train' is cached - skipping run") == 3, explain(code, log)


def test_a_pr_without_the_label_runs_nothing(world: World) -> None:
    pr = world.push_pr(5, "no-sweep", {"pyproject.toml": GRID})
    register(world, pr)
    event = world.pr_event(pr)
    code, log = world.act("pull_request", "sweep.yml", event, WRITE_TOKEN)
    assert code == 0, explain(code, log)
    assert "gitml sweep --plan" not in log
    assert world.emulator.issue_comments(REPOSITORY, 5) == []
