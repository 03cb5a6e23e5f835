"""The few git plumbing calls the registry needs, through the ``git`` executable.

GTO creates and reads tags; pushing and fetching them is done here, with ``git push --atomic`` so
that a version tag and its stage tag reach the shared remote together or not at all.
"""

from __future__ import annotations

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
        raise RevisionError(f"unknown git revision '{rev}'; check the name or fetch it first")
    return result.stdout.strip()


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
