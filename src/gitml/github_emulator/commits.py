"""The repository, its commits, and the pull requests that contain a commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitml.github_emulator.errors import EmulatorError
from gitml.github_emulator.pagination import page
from gitml.github_emulator.shapes import commit_json, pull_json, repo_json
from gitml.github_emulator.state import Repository

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator


def known_commit(repo: Repository, sha: str) -> str:
    """``sha`` when the repository has that commit, else GitHub's 422."""
    if sha not in repo.commits:
        raise EmulatorError(422, f"No commit found for SHA: {sha}")
    return sha


def get_repo(emu: GitHubEmulator, repo: Repository, token, query, payload):
    return 200, repo_json(emu, repo), {}


def get_commit(emu: GitHubEmulator, repo: Repository, token, query, payload, sha):
    known_commit(repo, sha)
    return 200, commit_json(emu, repo, sha), {}


def commit_pulls(emu: GitHubEmulator, repo: Repository, token, query, payload, sha):
    known_commit(repo, sha)
    # a merged pull request is associated with its merge commit too, as on GitHub
    pulls = [
        p for _, p in sorted(repo.pulls.items()) if sha in p.commits or p.merge_commit_sha == sha
    ]
    return page(emu, repo, f"/commits/{sha}/pulls", query, [pull_json(emu, repo, p) for p in pulls])
