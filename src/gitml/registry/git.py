"""The few git plumbing calls the registry needs, through the ``git`` executable.

GTO creates and reads tags; pushing and fetching them is done here, with ``git push --atomic`` so
that a version tag and its stage tag reach the shared remote together or not at all.
"""

from __future__ import annotations

from pathlib import Path

from gitml.core.git import last_line, run_git
from gitml.errors import RemoteError, UsageError


class PushRejected(Exception):
    """The remote refused a tag: another clone pushed the same name first."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


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
        raise PushRejected(last_line(text))
    raise RemoteError(
        f"could not push tags {', '.join(tags)} to '{remote}': {last_line(result.stderr)}; "
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
