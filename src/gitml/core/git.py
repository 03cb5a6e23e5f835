"""The one way gitml runs git: the ``git`` executable in a repository, with its failures told apart.

A command that talks to a remote (``fetch``, ``push``, ``pull``, ``ls-remote``, ``clone``) fails as
``RemoteError`` naming the remote; any other failure is the local repository's: ``GitError``.
Both exit with code 3 (the environment failed), and the message carries git's own last line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from gitml.errors import GitError, RemoteError, RevisionError

#: git subcommands that talk to a remote: their failures are the remote's (or the network's).
REMOTE_COMMANDS = frozenset({"fetch", "push", "pull", "ls-remote", "clone"})


def run_git(
    root: Path | str,
    *args: str,
    check: bool = True,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """``git ARGS`` in ``root`` with its output captured as text.

    With ``check`` a non-zero exit raises ``RemoteError`` for a command that talks to a remote,
    ``GitError`` otherwise; without it the caller reads the exit code. ``env`` replaces the
    process's environment (the demo passes its own instead of changing ``os.environ``).
    """
    result = subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=dict(env) if env is not None else None,
    )
    if check and result.returncode != 0:
        raise git_failure(args, result.stderr)
    return result


def git_failure(args: tuple[str, ...] | list[str], stderr: str) -> GitError | RemoteError:
    """The error for a failed ``git ARGS``: the remote's when the command talks to one."""
    shown = f"`git {' '.join(args)}` failed: {last_line(stderr)}"
    command, remote = _command_and_remote(list(args))
    if command in REMOTE_COMMANDS:
        where = f"the git remote '{remote}'" if remote else "the git remote"
        return RemoteError(f"{shown}; check that {where} is reachable and that you may use it")
    return GitError(shown)


def _command_and_remote(args: list[str]) -> tuple[str | None, str | None]:
    """git's subcommand (after global options such as ``-c key=value``) and, for a command
    that talks to a remote, the remote it names (the first argument that is not an option)."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in ("-c", "-C") else 1
    if index >= len(args):
        return None, None
    command = args[index]
    positional = [arg for arg in args[index + 1 :] if not arg.startswith("-")]
    return command, positional[0] if positional else None


def last_line(text: str) -> str:
    """git's last non-empty output line (its error), or "no output"."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def resolve(root: Path | str, rev: str) -> str:
    """The full sha of ``rev``; an unknown revision is a ``RevisionError``."""
    result = run_git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    if result.returncode != 0:
        raise unknown_revision(root, rev)
    return result.stdout.strip()


#: A revision written relative to another or by a reflog/peel operator: ``HEAD~1``, ``main^``,
#: ``@{u}``, ``v1^{commit}``, ``HEAD:path``.
_RELATIVE = re.compile(r"[~^@:{}]")
_SHA = re.compile(r"[0-9a-fA-F]{4,40}")
_SYMBOLIC = {"HEAD", "FETCH_HEAD", "ORIG_HEAD", "MERGE_HEAD"}


def unknown_revision(root: Path | str, rev: str) -> RevisionError:
    """The error for a revision git cannot resolve, with the fetch that brings it.

    ``REMOTE/BRANCH`` (REMOTE an existing remote) fetches BRANCH from REMOTE; a branch name
    fetches it into ``refs/remotes/origin/``; a sha or a revision such as ``HEAD~1`` is history
    the clone lacks, so the hint deepens it (in a shallow clone) or fetches the remote.
    """
    remotes = run_git(root, "remote", check=False).stdout.split()
    if not remotes:
        return RevisionError(
            f"unknown git revision '{rev}'; check the name (this repository has no git remote "
            "to fetch it from)"
        )
    name = rev.removeprefix("refs/remotes/")
    for remote in sorted(remotes, key=len, reverse=True):  # the longest remote name that fits
        branch = name[len(remote) + 1 :] if name.startswith(f"{remote}/") else ""
        if branch:
            return RevisionError(
                f"unknown git revision '{rev}'; fetch it first: "
                f"`git fetch --depth 1 {remote} {branch}:refs/remotes/{remote}/{branch}`"
            )
    remote = "origin" if "origin" in remotes else remotes[0]
    if _SHA.fullmatch(rev) or _RELATIVE.search(rev) or rev in _SYMBOLIC:
        shallow = run_git(root, "rev-parse", "--is-shallow-repository", check=False)
        if shallow.stdout.strip() == "true":
            return RevisionError(
                f"unknown git revision '{rev}'; this shallow clone lacks that history: fetch more "
                f"with `git fetch --deepen 50 {remote}`, or all of it with "
                f"`git fetch --unshallow {remote}`"
            )
        return RevisionError(
            f"unknown git revision '{rev}'; check the name, or fetch it first with "
            f"`git fetch {remote}`"
        )
    return RevisionError(
        f"unknown git revision '{rev}'; in a shallow clone fetch it first, e.g. "
        f"`git fetch --depth 1 {remote} {rev}:refs/remotes/{remote}/{rev}`, then use {remote}/{rev}"
    )


def output(root: Path | str, *args: str) -> str | None:
    """The stripped output of ``git ARGS``, or None when it fails or prints nothing (a question
    such as "is there an upstream?" whose "no" is not an error)."""
    result = run_git(root, *args, check=False)
    text = result.stdout.strip()
    return text if result.returncode == 0 and text else None


def commit_file(work: Path, path: str, message: str) -> str:
    """Commit ``path`` in the checkout ``work`` (a fallback identity when git has none)."""
    identity = []
    for key, fallback in (("user.name", "gitml deploy"), ("user.email", "gitml@users.noreply")):
        if not run_git(work, "config", key, check=False).stdout.strip():
            identity += ["-c", f"{key}={fallback}"]
    run_git(work, "add", "--", path)
    run_git(work, *identity, "commit", "--quiet", "--no-verify", "-m", message)
    return run_git(work, "rev-parse", "HEAD").stdout.strip()


@contextmanager
def temporary_worktree(root: Path, start: str, prefix: str = "gitml-") -> Iterator[Path]:
    """A temporary worktree of ``root`` at ``start`` (detached), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    path = folder / "work"
    try:
        run_git(root, "worktree", "add", "--quiet", "--detach", str(path), start)
        yield path
    finally:
        run_git(root, "worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(folder, ignore_errors=True)
        run_git(root, "worktree", "prune", check=False)
