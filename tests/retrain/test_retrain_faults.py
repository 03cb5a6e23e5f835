"""Every refusal of gitml retrain, on real repositories: one clear error, the right exit code,
and nothing left half done."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gitml.errors import EXIT_FAILURE, EXIT_USAGE, DataError, GitHubError, RemoteError, UsageError
from gitml.retrain.retrain import RetrainRequest, retrain
from tests.cli import run_gitml
from tests.helpers import git
from tests.retrain.helpers import (
    BRANCH,
    DATE,
    REPOSITORY,
    env_for,
    labelled_rows,
    write_labelled,
)

# reproduces and retrains the pipeline: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)


def request(world, *files: Path, **options) -> RetrainRequest:
    return RetrainRequest(data=files, root=world.workspace, date=DATE, **options)


def remote_branches(world) -> list[str]:
    out = git(world.workspace, "ls-remote", "--heads", "origin")
    return [line.split("\trefs/heads/")[1] for line in out.splitlines()]


def assert_untouched(world) -> None:
    assert remote_branches(world) == ["main"]
    assert git(world.workspace, "branch", "--list", BRANCH) == ""
    assert len(git(world.workspace, "worktree", "list").splitlines()) == 1
    assert git(world.workspace, "status", "--porcelain") == ""


def test_a_git_remote_refusing_the_push_leaves_nothing_committed(world, github, tmp_path):
    hook = world.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'branch creation is restricted' >&2\nexit 1\n")
    hook.chmod(0o755)
    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 10, seed=3))
    with pytest.raises(RemoteError) as refused:
        retrain(request(world, labelled), env_for(github))
    assert refused.value.exit_code == EXIT_FAILURE
    assert refused.value.message.startswith(
        f"git remote 'origin' (../origin.git) refused the push of branch {BRANCH} "
        "(pre-receive hook declined: branch creation is restricted); nothing was committed on "
        "any branch"
    )
    assert_untouched(world)
    assert github.pulls(REPOSITORY) == []


def test_a_dvc_remote_refusing_the_data_stops_before_any_commit(world, github, tmp_path):
    shutil.rmtree(world.dvc_remote)
    world.dvc_remote.write_text("not a folder\n")  # every upload fails
    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 10, seed=3))
    with pytest.raises(RemoteError) as refused:
        retrain(request(world, labelled), env_for(github))
    assert refused.value.exit_code == EXIT_FAILURE
    assert refused.value.message.startswith("could not push to remote 'local' (")
    assert_untouched(world)


def test_a_branch_of_that_name_not_made_by_gitml_is_refused(world, github, tmp_path):
    git(world.workspace, "checkout", "--quiet", "-b", BRANCH)
    (world.workspace / "notes.txt").write_text("someone's work\n")
    git(world.workspace, "add", "notes.txt")
    git(world.workspace, "commit", "--quiet", "-m", "Someone's branch")
    git(world.workspace, "push", "--quiet", "origin", BRANCH)
    git(world.workspace, "checkout", "--quiet", "main")
    tip = git(world.workspace, "rev-parse", f"origin/{BRANCH}")
    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 10, seed=3))
    with pytest.raises(UsageError) as refused:
        retrain(request(world, labelled), env_for(github))
    assert refused.value.exit_code == EXIT_USAGE
    assert refused.value.message == (
        f"branch {BRANCH} already exists on git remote 'origin' (../origin.git) and is not "
        "gitml's retraining branch for classifier (its first commit has no 'Gitml-Retrain: "
        "classifier' trailer); pass --branch with another name, or delete that branch"
    )
    assert git(world.workspace, "ls-remote", "origin", BRANCH).split()[0] == tip


def test_github_failing_after_the_push_says_so_and_a_rerun_opens_the_pull_request(
    world, github, tmp_path
):
    github.fail("POST", f"/repos/{REPOSITORY}/pulls", 502, times=5)
    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 10, seed=3))
    with pytest.raises(GitHubError) as failed:
        retrain(request(world, labelled), env_for(github))
    assert failed.value.exit_code == EXIT_FAILURE
    assert failed.value.message == (
        f"branch {BRANCH} is on origin, but the pull request could not be opened: GitHub "
        "answered 502 while opening the pull request from "
        f"{BRANCH}, after 1 retries; run again later. Open it by hand at "
        f"{github.origin}/{REPOSITORY}/compare/main...{BRANCH}?expand=1, "
        "or run gitml retrain again: it finds the branch and opens the pull request"
    )
    assert remote_branches(world) == [BRANCH, "main"]
    pushed = git(world.workspace, "rev-parse", f"origin/{BRANCH}")

    github.faults.clear()
    again = retrain(request(world, labelled), env_for(github))
    assert again.commit is None and again.appended.added == 0
    assert again.pr_action == "created"
    pulls = github.pulls(REPOSITORY)
    assert [(p["head_ref"], p["head_sha"]) for p in pulls] == [(BRANCH, pushed)]
    assert "| 10 |" in pulls[0]["body"]


def test_a_file_that_does_not_match_is_refused_whole_naming_its_first_bad_row(
    world, github, tmp_path
):
    rows = labelled_rows(world, 6, seed=3).astype(object)
    rows.loc[3, "mean_area"] = "large"
    rows.loc[4, "target"] = 7
    bad = write_labelled(tmp_path / "bad.csv", rows)
    good = write_labelled(tmp_path / "good.csv", labelled_rows(world, 4, seed=5))
    with pytest.raises(DataError) as refused:
        retrain(request(world, good, bad), env_for(github))
    assert refused.value.exit_code == EXIT_FAILURE
    assert refused.value.message == (
        f"{bad} is refused: row 4 (line 5), column 'mean_area': 'large' is not a number; fix "
        "or remove that row, nothing was appended"
    )
    rows.loc[3, "mean_area"] = 500.0
    write_labelled(bad, rows)
    with pytest.raises(DataError, match=r"row 5 \(line 6\), column 'target': '7' is not a class"):
        retrain(request(world, bad), env_for(github))
    write_labelled(bad, rows.drop(columns=["worst_area"]).assign(colour="red"))
    with pytest.raises(DataError, match=r"missing worst_area; unknown colour\)"):
        retrain(request(world, bad), env_for(github))
    assert_untouched(world)


def test_an_empty_labelled_file_is_nothing_to_do(world, tmp_path):
    empty = tmp_path / "labelled.csv"
    empty.write_text("mean_radius,target\n")
    outputs = tmp_path / "github-output"
    result = run_gitml(
        "retrain", "--data", str(empty), "--no-pr", cwd=world.workspace,
        env={**os.environ, "GITHUB_OUTPUT": str(outputs)},
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"Nothing to do: {empty} has no rows.\n",
        "",
    )
    # no branch, no pull request: the workflow's later steps see empty outputs
    assert outputs.read_text() == "branch=\ncommit=\npr-number=\npr-url=\n"
    assert_untouched(world)


def test_without_a_token_nothing_is_done(world, tmp_path):
    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 3, seed=3))
    result = run_gitml(
        "retrain", "--data", str(labelled), "--repo", REPOSITORY, cwd=world.workspace
    )
    assert result.returncode == EXIT_USAGE
    assert result.stderr.startswith("ERROR: no GitHub token: set GITHUB_TOKEN")
    assert_untouched(world)


def remote_files(world) -> set[Path]:
    return {path for path in world.dvc_remote.rglob("*") if path.is_file()}


def test_a_failing_pipeline_leaves_nothing_committed_or_pushed(world, tmp_path):
    params = world.workspace / "params.yaml"
    params.write_text(
        params.read_text().replace("RandomForestClassifier", "NoSuchClassifier"), encoding="utf-8"
    )
    git(world.workspace, "commit", "--quiet", "-am", "A broken estimator")
    git(world.workspace, "push", "--quiet", "origin", "main")
    pushed_before = remote_files(world)
    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 10, seed=3))

    result = run_gitml("retrain", "--data", str(labelled), "--no-pr", cwd=world.workspace)

    assert result.returncode == EXIT_FAILURE, result
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR: ")]
    assert errors[-1].startswith(
        "ERROR: the pipeline failed on the new data, so nothing was committed or pushed: "
        "failed to reproduce 'train'"
    )
    assert errors[-1].endswith(
        "fix the pipeline and run gitml retrain again (or pass --no-repro to commit the data alone)"
    )
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # nothing reported as done
    assert remote_files(world) == pushed_before
    assert_untouched(world)
