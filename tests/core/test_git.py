"""The one git runner tells the local repository's failures from a remote's."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gitml.core.git import git_failure, output, resolve, run_git
from gitml.errors import EXIT_FAILURE, EXIT_USAGE, GitError, RemoteError, RevisionError


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone with one commit of a bare repository whose hook refuses every push."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(origin)], check=True)
    hook = origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    work = tmp_path / "work"
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(work)], check=True)
    run_git(work, "remote", "add", "origin", str(origin))
    (work / "a.txt").write_text("a\n")
    run_git(work, "add", "a.txt")
    run_git(work, "commit", "--quiet", "-m", "first")
    return work


def test_a_local_failure_is_a_git_error(clone):
    with pytest.raises(GitError) as failed:
        run_git(clone, "-c", "user.name=x", "commit", "--quiet", "-m", "nothing to commit")
    assert not isinstance(failed.value, RemoteError)
    assert failed.value.exit_code == EXIT_FAILURE
    assert failed.value.message.startswith("`git -c user.name=x commit --quiet -m nothing to")


def test_a_refused_push_is_the_remote_s_failure_and_names_it(clone):
    with pytest.raises(RemoteError) as refused:
        run_git(clone, "push", "--quiet", "origin", "main")
    assert refused.value.exit_code == EXIT_FAILURE
    message = refused.value.message
    assert message.startswith("`git push --quiet origin main` failed: ")
    assert message.endswith(
        "check that the git remote 'origin' is reachable and that you may use it"
    )


def test_an_unreachable_remote_is_the_remote_s_failure(clone, tmp_path):
    run_git(clone, "remote", "add", "gone", str(tmp_path / "missing.git"))
    with pytest.raises(RemoteError, match="the git remote 'gone'"):
        run_git(clone, "fetch", "gone")


def test_without_check_the_caller_reads_the_exit_code(clone):
    assert run_git(clone, "rev-parse", "--verify", "--quiet", "nope", check=False).returncode != 0
    assert output(clone, "rev-parse", "--verify", "--quiet", "nope") is None
    assert output(clone, "rev-parse", "--abbrev-ref", "HEAD") == "main"


def test_an_unknown_revision_names_the_fetch(clone):
    assert len(resolve(clone, "HEAD")) == 40
    with pytest.raises(RevisionError) as unknown:
        resolve(clone, "origin/feature")
    assert unknown.value.exit_code == EXIT_USAGE
    assert "git fetch --depth 1 origin feature:refs/remotes/origin/feature" in unknown.value.message


def test_which_commands_are_remote_ones():
    assert isinstance(git_failure(["ls-remote", "--heads", "up"], "fatal: x"), RemoteError)
    assert "'up'" in git_failure(["ls-remote", "--heads", "up"], "").message
    assert type(git_failure(["worktree", "add", "x"], "fatal: x")) is GitError
    assert git_failure(["status"], "").message == "`git status` failed: no output"
