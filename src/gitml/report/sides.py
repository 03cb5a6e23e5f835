"""The two sides of a report as a reviewer knows them: a branch and a commit, not ``workspace``.

In a pull request's run the head is the checkout (DVC's ``workspace``), which is a merge commit the
pull request never shows: it is named by the pull request's branch and head commit from the
Actions environment (``GITHUB_HEAD_REF``, the event's ``pull_request.head.sha``), and the base
``origin/main`` by the branch it merges into (``GITHUB_BASE_REF``) and the commit the run read.
Flags override both. On a laptop the workspace is the current branch and the short SHA of HEAD,
and "uncommitted changes" only when git says there are some.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gitml.core.git import run_git
from gitml.core.model import Side
from gitml.dvc_adapter import WORKSPACE
from gitml.github.context import pull_request_sides


@dataclass(frozen=True)
class SideNames:
    """What the caller says about the sides (``--head-name``, ``--head-sha``, ``--base-name``);
    each wins over the environment."""

    head_name: str | None = None
    head_sha: str | None = None
    base_name: str | None = None


def _git(root: Path | str, *args: str) -> str | None:
    """git's answer, or None when it has none (no commits, a detached HEAD, an experiment)."""
    result = run_git(root, *args, check=False)
    return result.stdout.strip() or None if result.returncode == 0 else None


def _commit(root: Path | str, rev: str) -> str | None:
    return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")


def _base_name(rev: str, base_ref: str | None) -> str:
    """``origin/main`` read as ``main`` when it is the branch the pull request merges into."""
    if base_ref and rev in (base_ref, f"origin/{base_ref}", f"refs/remotes/origin/{base_ref}"):
        return base_ref
    return rev


def _workspace(root: Path | str, names: SideNames, env: Mapping[str, str]) -> Side:
    """The workspace as the run's pull request (or push), else as the local branch."""
    ci = pull_request_sides(env)
    name, sha = names.head_name or ci.head_ref, names.head_sha or ci.head_sha
    checkout = _commit(root, "HEAD")
    if name or sha:
        note = None
        if ci.head_sha and checkout and checkout != ci.head_sha and sha == ci.head_sha:
            note = "the pull request's head; the run checked out its merge"
        return Side(WORKSPACE, name or (sha or "HEAD")[:7], sha or checkout, note)
    branch = _git(root, "symbolic-ref", "--short", "-q", "HEAD")
    if _git(root, "status", "--porcelain", "--untracked-files=no") is not None:
        on = f" on {branch}" if branch else ""
        return Side(WORKSPACE, WORKSPACE, checkout, f"uncommitted changes{on}")
    return Side(WORKSPACE, branch or (checkout[:7] if checkout else WORKSPACE), checkout)


def describe_sides(
    root: Path | str,
    base: str,
    head: str,
    names: SideNames | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[Side, Side]:
    """The base and head sides of a comparison of ``head`` against ``base``."""
    names = names or SideNames()
    env = os.environ if env is None else env
    base_ref = pull_request_sides(env).base_ref
    base_side = Side(base, names.base_name or _base_name(base, base_ref), _commit(root, base))
    if head == WORKSPACE:
        return base_side, _workspace(root, names, env)
    return base_side, Side(head, names.head_name or head, names.head_sha or _commit(root, head))


def describe(side: Side) -> str:
    """``name`` at ``abc1234`` (note), as a sentence part; the SHA alone when it is the name."""
    name, sha = side.name, side.sha or ""
    at = f" at {side.short_sha}" if sha and not sha.startswith(name) else ""
    return f"{name}{at}" + (f" ({side.note})" if side.note else "")
