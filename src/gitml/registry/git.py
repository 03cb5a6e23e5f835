"""The few git plumbing calls the registry needs, through the ``git`` executable.

GTO creates and reads tags; pushing and fetching them is done here, with ``git push --atomic`` so
that a version tag and its stage tag reach the shared remote together or not at all.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from gitml.errors import RemoteError, RevisionError, UsageError


class PushRejected(Exception):
    """The remote refused a tag: another clone pushed the same name first."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def run_git(root: Path | str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RemoteError(f"`git {' '.join(args)}` failed: {_last_line(result.stderr)}")
    return result


def _last_line(text: str) -> str:
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


def git_dir(root: Path | str) -> Path:
    """The common git directory (shared by worktrees), where the promotion lock lives."""
    out = run_git(root, "rev-parse", "--git-common-dir").stdout.strip()
    path = Path(out)
    return path if path.is_absolute() else (Path(root) / path).resolve()


def has_remote(root: Path | str, remote: str) -> bool:
    return run_git(root, "remote", "get-url", remote, check=False).returncode == 0


def require_remote(root: Path | str, remote: str) -> None:
    if not has_remote(root, remote):
        raise UsageError(
            f"no git remote '{remote}' to push the registry tags to; add it, pass --remote, "
            "or use --no-push"
        )


def fetch_tags(root: Path | str, remote: str) -> None:
    """Make local tags equal the remote's for every tag the remote has (the remote wins)."""
    run_git(root, "fetch", "--quiet", remote, "+refs/tags/*:refs/tags/*")


def push_tags(root: Path | str, remote: str, tags: list[str]) -> None:
    """Push ``tags`` atomically; a tag that already exists remotely raises ``PushRejected``."""
    refspecs = [f"refs/tags/{tag}:refs/tags/{tag}" for tag in tags]
    result = run_git(root, "push", "--atomic", "--porcelain", remote, *refspecs, check=False)
    if result.returncode == 0:
        return
    text = result.stdout + result.stderr
    if "[rejected]" in text or "already exists" in text or "atomic push failed" in text:
        raise PushRejected(_last_line(text))
    raise RemoteError(
        f"could not push tags {', '.join(tags)} to '{remote}': {_last_line(result.stderr)}; "
        "check the remote URL and that the token may write contents"
    )


def delete_local_tags(root: Path | str, tags: list[str]) -> None:
    if tags:
        run_git(root, "tag", "-d", *tags, check=False)


def tag_exists(root: Path | str, tag: str) -> bool:
    return (
        run_git(
            root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}", check=False
        ).returncode
        == 0
    )
