"""End to end: the PR workflows run under act on this machine, against the GitHub emulation.

What is real: act runs `.github/workflows/pr.yml` (which calls the reusable gitml-pr.yml) and
`pr-comment.yml` (which calls gitml-comment.yml) on the host; gitml is installed in the job from
the checked-out source, reproduces the reference pipeline on a PR that changes a hyper-parameter,
compares it with main, and talks to the GitHub REST emulation through GITHUB_API_URL.

What is stood in: act cannot clone actions from GitHub, so each pinned remote action is mapped to
a small local composite action (tests/workflows/stand-ins/, see its README) with
``--local-repository``. The checkout stand-in clones a local bare repository that holds main, the
PR branches and ``refs/pull/N/merge`` as GitHub does; the cache stand-in is a cache hit on the
host's uv cache, so installing gitml in the job takes seconds and no download.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import git
from tests.workflows.act_harness import (
    READ_TOKEN,
    REPOSITORY,
    STAND_INS,
    WRITE_TOKEN,
    World,
    act_world,
    explain,
    pinned_actions,
    register,
)

pytestmark = pytest.mark.slow(minutes=5)


def test_every_pinned_action_has_a_stand_in() -> None:
    actions = pinned_actions()
    assert actions, "no pinned action found: is the regex still right?"
    missing = [a for a in actions if not (STAND_INS / a.split("@")[0] / "action.yml").is_file()]
    assert missing == [], f"add a stand-in under {STAND_INS} for {missing}"


@pytest.fixture
def world(tmp_path: Path):
    """The repository, and the GitHub emulation with a write and a read-only token."""
    with act_world(tmp_path, read_only_token=True) as world:
        world.create()
        yield world


@pytest.fixture
def offline_world(tmp_path: Path):
    """The repository only: GITHUB_API_URL points at a closed port."""
    with act_world(tmp_path, emulated=False) as world:
        world.create()
        yield world


def metric(report_json: Path, name: str) -> dict:
    data = json.loads(report_json.read_text())
    return next(m for m in data["metrics"] if m["name"] == name)


def test_pr_gets_one_sticky_comment_with_the_real_metrics_and_updates_it(world: World) -> None:
    pr = world.push_pr(1, "tune-depth", {"params.yaml": ("max_depth: 4", "max_depth: 3")})
    register(world, pr)

    code, log = world.run_pr(pr, WRITE_TOKEN)
    assert code == 0, explain(code, log)
    comments = world.emulator.issue_comments(REPOSITORY, 1)
    assert len(comments) == 1, comments
    body = comments[0]["body"]
    # the pipeline really ran in the job: the metrics differ from main's and reach the comment
    report = world.artifact(world.run_id) / "report.json"
    accuracy = metric(report, "accuracy")
    assert accuracy["head"] != accuracy["base"]
    assert f"{accuracy['head']:g}" in body and f"{accuracy['base']:g}" in body
    assert re.search(r"max\\?_depth \| 4 \| 3", body), body
    assert not (world.artifact(world.run_id) / "gitml-report" / "pr.json").exists()
    checks = [c for c in world.emulator.check_runs(REPOSITORY) if c["head_sha"] == pr["head"]]
    assert [(c["name"], c["conclusion"]) for c in checks] == [("gitml", "success")]
    first_id = comments[0]["id"]

    # a second push to the PR: the same comment is updated, none is added
    pr = world.push_pr(1, "tune-depth", {"params.yaml": ("n_estimators: 100", "n_estimators: 50")})
    register(world, pr)
    code, log = world.run_pr(pr, WRITE_TOKEN)
    assert code == 0, explain(code, log)
    comments = world.emulator.issue_comments(REPOSITORY, 1)
    assert [c["id"] for c in comments] == [first_id]
    assert re.search(r"n\\?_estimators \| 100 \| 50", comments[0]["body"]), comments[0]["body"]
    assert comments[0]["body"] != body


def test_failing_gates_fail_the_job_after_the_comment_check_run_and_artifact(world: World) -> None:
    edits = {"params.yaml": ("max_depth: 4", "max_depth: 1")}
    pr = world.push_pr(3, "stump", edits)
    pr = world.push_pr(3, "stump", {"params.yaml": ("n_estimators: 100", "n_estimators: 1")})
    register(world, pr)

    code, log = world.run_pr(pr, WRITE_TOKEN)
    assert code != 0, explain(code, log)
    assert "Job 'gitml experiment' failed" in log
    comments = world.emulator.issue_comments(REPOSITORY, 3)
    assert len(comments) == 1 and "gates failed" in comments[0]["body"], comments
    checks = [c for c in world.emulator.check_runs(REPOSITORY) if c["head_sha"] == pr["head"]]
    assert [(c["name"], c["conclusion"]) for c in checks] == [("gitml", "failure")]
    report = json.loads((world.artifact(world.run_id) / "report.json").read_text())
    assert report["verdict"] == "fail"


def test_fork_pr_posts_nothing_then_the_fork_safe_workflow_posts_the_artifact(
    world: World,
) -> None:
    pr = world.push_pr(2, "fork-tune", {"params.yaml": ("max_depth: 4", "max_depth: 5")})
    register(world, pr, fork=True)

    code, log = world.run_pr(pr, READ_TOKEN, fork=True)
    assert code == 0, explain(code, log)
    pr_run = world.run_id
    assert world.emulator.issue_comments(REPOSITORY, 2) == []
    writes = [r for r in world.emulator.requests if r.method != "GET" and 200 <= r.status < 300]
    assert writes == [], writes
    saved = world.artifact(pr_run) / "gitml-report"
    pr_file = json.loads((saved / "pr.json").read_text())
    assert pr_file["pr"] == 2 and pr_file["reason"] == "forbidden"

    code, log = world.run_fork_safe(pr, pr_run, WRITE_TOKEN)
    assert code == 0, explain(code, log)
    comments = world.emulator.issue_comments(REPOSITORY, 2)
    assert len(comments) == 1, comments
    assert comments[0]["body"].strip() == (saved / "report.md").read_text().strip()
    assert re.search(r"max\\?_depth \| 4 \| 5", comments[0]["body"])
    # the fork-safe run checked out main only, never the PR's code
    main = git(world.work, "rev-parse", "main")
    assert f"checked out refs/heads/main at {main}" in log
    assert "refs/pull/" not in log


def test_the_composite_action_installs_gitml_and_runs_one_command(offline_world: World) -> None:
    world = offline_world
    event = {"ref": "refs/heads/main", "repository": world.repository()}
    code, log = world.act("push", "ci.yml", event, WRITE_TOKEN, job="action")
    assert code == 0, explain(code, log)
    assert re.search(r"\| gitml, version \d", log), explain(code, log)
