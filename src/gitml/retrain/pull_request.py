"""Where the retraining pull request goes: this repository, named before any work."""

from __future__ import annotations

from collections.abc import Mapping

from gitml.errors import UsageError
from gitml.github.client import RetrySettings
from gitml.github.context import GitHubContext, resolve
from gitml.github.pull_requests import ApiError, PullRequest, PullRequests, compare_url


def target_context(
    env: Mapping[str, str], repository: str | None, api_url: str | None
) -> GitHubContext:
    """Where the pull request goes; a ``UsageError`` when no repository is named."""
    context = resolve(env, repository=repository, api_url=api_url)
    if not context.repository:
        raise UsageError(
            "no GitHub repository to open the pull request in: set GITHUB_REPOSITORY or "
            "pass --repo OWNER/NAME (or --no-pr to only push the branch)"
        )
    return context


def pull_requests(
    env: Mapping[str, str], repository: str | None, api_url: str | None
) -> PullRequests:
    """Checked before any work: a repository and a token, or a ``UsageError``."""
    return PullRequests(target_context(env, repository, api_url), RetrySettings.from_env(env))


__all__ = ["ApiError", "PullRequest", "PullRequests", "compare_url", "pull_requests"]
