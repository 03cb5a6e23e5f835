"""An unknown revision names the fetch that brings it, in real shallow clones (`git clone --depth 1`).

The hint depends on the kind of name: ``REMOTE/BRANCH`` fetches BRANCH from REMOTE, a branch name
fetches it into ``refs/remotes/origin/``, and a sha or ``HEAD~1`` needs more history. Each test
then runs the suggested command and checks that the revision resolves.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from gitml.core import git as core_git
from gitml.errors import RevisionError
from tests.cli import run_gitml
from tests.helpers import git
from tests.projects import commit_metrics, make_project


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A project with two commits on main and a `feature` branch one commit ahead."""
    root = make_project(tmp_path / "origin")
    commit_metrics(root, 0.91, "second model")
    git(root, "checkout", "-q", "-b", "feature")
    commit_metrics(root, 0.92, "feature model")
    git(root, "checkout", "-q", "main")
    return root


def shallow_clone(origin: Path, dest: Path) -> Path:
    """A one-commit clone of `feature`: it has neither main nor any older commit."""
    git(dest.parent, "clone", "-q", "--depth", "1", "-b", "feature", f"file://{origin}", str(dest))
    return dest


def suggested_command(stderr: str) -> str:
    """The first `git ...` command quoted in the ERROR line."""
    return stderr.split("`git ", 1)[1].split("`", 1)[0]


def run_hint(clone: Path, stderr: str) -> None:
    subprocess.run(["git", *shlex.split(suggested_command(stderr))], cwd=clone, check=True)


def test_remote_tracking_name_fetches_the_branch_from_that_remote(origin, tmp_path):
    clone = shallow_clone(origin, tmp_path / "clone")
    result = run_gitml("report", "--base", "origin/main", cwd=clone)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ERROR: unknown git revision 'origin/main'; fetch it first: "
        "`git fetch --depth 1 origin main:refs/remotes/origin/main`"
    )
    run_hint(clone, result.stderr)
    assert run_gitml("report", "--base", "origin/main", cwd=clone).returncode == 0


def test_remote_tracking_name_of_another_remote(origin, tmp_path):
    clone = shallow_clone(origin, tmp_path / "clone")
    git(clone, "remote", "add", "upstream", f"file://{origin}")
    result = run_gitml("report", "--base", "upstream/main", cwd=clone)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ERROR: unknown git revision 'upstream/main'; fetch it first: "
        "`git fetch --depth 1 upstream main:refs/remotes/upstream/main`"
    )
    run_hint(clone, result.stderr)
    assert run_gitml("report", "--base", "upstream/main", cwd=clone).returncode == 0


def test_plain_branch_name_fetches_it_into_origin(origin, tmp_path):
    clone = shallow_clone(origin, tmp_path / "clone")
    result = run_gitml("report", "--base", "main", cwd=clone)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ERROR: unknown git revision 'main'; in a shallow clone fetch it first, e.g. "
        "`git fetch --depth 1 origin main:refs/remotes/origin/main`, then use origin/main"
    )
    run_hint(clone, result.stderr)
    assert run_gitml("report", "--base", "origin/main", cwd=clone).returncode == 0


def test_branch_name_with_a_slash_is_not_taken_for_a_remote(origin, tmp_path):
    git(origin, "branch", "release/1.0", "main")
    clone = shallow_clone(origin, tmp_path / "clone")
    result = run_gitml("report", "--base", "release/1.0", cwd=clone)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ERROR: unknown git revision 'release/1.0'; in a shallow clone fetch it first, e.g. "
        "`git fetch --depth 1 origin release/1.0:refs/remotes/origin/release/1.0`, "
        "then use origin/release/1.0"
    )


@pytest.mark.parametrize("rev", ["HEAD~1", "sha"])
def test_history_revision_in_a_shallow_clone_deepens_it(origin, tmp_path, rev):
    clone = shallow_clone(origin, tmp_path / "clone")
    if rev == "sha":
        rev = git(origin, "rev-parse", "feature~1")
    result = run_gitml("report", "--base", rev, cwd=clone)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"ERROR: unknown git revision '{rev}'; this shallow clone lacks that history: fetch more "
        "with `git fetch --deepen 50 origin`, or all of it with `git fetch --unshallow origin`"
    )
    run_hint(clone, result.stderr)
    assert run_gitml("report", "--base", rev, cwd=clone).returncode == 0


def test_history_revision_in_a_full_clone_says_check_the_name(origin, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", f"file://{origin}", str(clone))
    result = run_gitml("report", "--base", "HEAD~5", cwd=clone)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ERROR: unknown git revision 'HEAD~5'; check the name, or fetch it first with "
        "`git fetch origin`"
    )


def test_promote_rev_gets_the_same_hint(origin, tmp_path):
    """`gitml promote --rev` and the serving commands resolve with git directly (registry.git)."""
    clone = shallow_clone(origin, tmp_path / "clone")
    result = run_gitml("promote", "--rev", "origin/main", "--no-push", cwd=clone)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ERROR: unknown git revision 'origin/main'; fetch it first: "
        "`git fetch --depth 1 origin main:refs/remotes/origin/main`"
    )
    with pytest.raises(RevisionError) as raised:
        core_git.resolve(clone, "HEAD~1")
    assert "this shallow clone lacks that history" in raised.value.message
    run_hint(clone, raised.value.message)
    assert core_git.resolve(clone, "HEAD~1") == git(origin, "rev-parse", "feature~1")
