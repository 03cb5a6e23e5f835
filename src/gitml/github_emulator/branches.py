"""Branches and commits of a repository: seeded (``add_branch``) or read live from a bare git
repository (``link_git``), so a branch pushed in a test exists for the emulation too."""

from __future__ import annotations

import subprocess

from gitml.github_emulator.state import PullRequest, Repository


def head_owner(repo: Repository, pr: PullRequest) -> str:
    """The owner of the pull request's head branch (a fork's is ``contributor``)."""
    return "contributor" if pr.fork else repo.owner


def _git(repo: Repository, *args: str) -> str | None:
    result = subprocess.run(
        ["git", "--git-dir", str(repo.git_dir), *args], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def branch_sha(repo: Repository, name: str) -> str | None:
    """The commit a branch points at, or None when there is no such branch."""
    if repo.git_dir is not None:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}^{{commit}}")
    return repo.branches.get(name)


def commits_between(repo: Repository, base_sha: str, head_sha: str) -> list[str]:
    """Commits on head that base lacks, oldest first (GitHub's "commits" of a pull request)."""
    if repo.git_dir is not None:
        out = _git(repo, "rev-list", "--reverse", f"{base_sha}..{head_sha}")
        return out.split() if out else []
    return [] if base_sha == head_sha else [head_sha]


def refresh_heads(repo: Repository) -> None:
    """An open pull request follows its branch, as on GitHub when someone pushes to it."""
    if repo.git_dir is None:
        return
    for pr in repo.pulls.values():
        if pr.state != "open" or pr.fork:
            continue
        sha = branch_sha(repo, pr.head_ref)
        if sha and sha != pr.head_sha:
            base_sha = branch_sha(repo, pr.base_ref) or pr.base_sha
            pr.head_sha, pr.base_sha = sha, base_sha
            pr.commits = commits_between(repo, base_sha, sha) or [sha]
            repo.commits.update(pr.commits)
