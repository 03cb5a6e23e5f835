"""The sides of a report as the reviewer knows them: in a pull request's run the head is the
checkout of a merge commit (DVC's ``workspace``), named by the pull request's branch and head
commit; the base ``origin/main`` by the branch it merges into and its commit."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.cli import run_gitml
from tests.helpers import git
from tests.projects import Project


def pull_request_checkout(project: Project) -> dict[str, str]:
    """main and a `feature/x` branch one commit apart, checked out as GitHub checks out a
    pull request: the merge of the branch into main, detached; `origin/main` fetched."""
    project.declare(["metrics.json"])
    project.write({"metrics.json": {"accuracy": 0.8}})
    base = project.commit("base")
    git(project.root, "update-ref", "refs/remotes/origin/main", base)
    git(project.root, "checkout", "-q", "-b", "feature/x")
    project.write({"metrics.json": {"accuracy": 0.9}})
    head = project.commit("better")
    git(project.root, "checkout", "-q", "main")
    project.write({"notes.txt": "main moved on\n"})
    project.commit("main moves on")
    git(project.root, "merge", "-q", "--no-ff", "-m", "merge", "feature/x")
    git(project.root, "checkout", "-q", "--detach", "HEAD")
    return {"base": base, "head": head, "merge": git(project.root, "rev-parse", "HEAD")}


def actions_env(tmp_path: Path, shas: dict[str, str]) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 3,
                    "head": {"sha": shas["head"], "ref": "feature/x"},
                    "base": {"sha": shas["base"], "ref": "main"},
                }
            }
        )
    )
    return {
        **os.environ,
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_HEAD_REF": "feature/x",
        "GITHUB_BASE_REF": "main",
        "GITHUB_SHA": shas["merge"],
    }


def test_a_pull_requests_run_names_its_branch_and_head_commit(project, tmp_path):
    shas = pull_request_checkout(project)
    env = actions_env(tmp_path, shas)
    args = ["report", "--base", "origin/main", "-o", "report.md", "--json", "report.json"]
    result = run_gitml(*args, cwd=project.root, env=env)
    assert result.returncode == 0, result.stderr
    markdown = (project.root / "report.md").read_text()
    head, base = shas["head"][:7], shas["base"][:7]
    assert (
        f"Comparing `feature/x` at `{head}` (the pull request's head; the run checked out its "
        f"merge) against `main` at `{base}`." in markdown
    )
    assert "`workspace`" not in markdown and "origin/main" not in markdown
    sides = json.loads((project.root / "report.json").read_text())["sides"]
    assert sides["head"] == {
        "rev": "workspace",
        "name": "feature/x",
        "sha": shas["head"],
        "note": "the pull request's head; the run checked out its merge",
    }
    assert sides["base"] == {
        "rev": "origin/main",
        "name": "main",
        "sha": shas["base"],
        "note": None,
    }
    html = (project.root / "report.html").read_text()
    assert f"Comparing feature/x at {head} (the pull request&#x27;s head" in html


def test_flags_name_the_sides_outside_actions(project):
    project.declare(["metrics.json"])
    project.write({"metrics.json": {"accuracy": 0.8}})
    base = project.commit("base")
    sha = "0123456789abcdef0123456789abcdef01234567"
    result = project.gitml(
        "report", "--base", "HEAD", "--head-name", "my `branch`", "--head-sha", sha,
        "--base-name", "trunk",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # a backtick cannot end the code span
    assert f"Comparing `my 'branch'` at `0123456` against `trunk` at `{base[:7]}`." in (
        result.stdout
    )
