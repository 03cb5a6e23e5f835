"""The GitHub side of retraining: find the model's open retraining PR, open it, update it.

Through the same client as ``gitml comment`` (bounded retries, rate limits, GitHub Enterprise via
``GITHUB_API_URL``). The model's pull request is the open one whose body holds
``<!-- gitml:retrain model=NAME -->`` and whose head branch is in this repository, found across
every page of open pull requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from gitml.errors import UsageError
from gitml.github.api import GitHubApi
from gitml.github.client import RetrySettings
from gitml.github.context import DEFAULT_API_URL, GitHubContext, resolve
from gitml.github.errors import ApiError
from gitml.retrain.body import marker


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str
    branch: str
    title: str
    body: str


def web_url(context: GitHubContext) -> str:
    """The web address matching the API: github.com, or a GitHub Enterprise host."""
    if context.api_url == DEFAULT_API_URL:
        return "https://github.com"
    parts = urlsplit(context.api_url)
    path = parts.path.removesuffix("/api/v3").rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def compare_url(context: GitHubContext, base: str, branch: str) -> str:
    """Where a person opens the pull request by hand."""
    return (
        f"{web_url(context)}/{context.repository}/compare/{quote(base)}...{quote(branch)}?expand=1"
    )


class PullRequests:
    """Open, find and update retraining pull requests of one repository."""

    def __init__(self, context: GitHubContext, settings: RetrySettings):
        self.context = context
        self.api = GitHubApi.connect(context, settings)
        self._repo: Any = None  # PyGithub's Repository, read on first use

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], repository: str | None, api_url: str | None
    ) -> PullRequests:
        """Checked before any work: a repository and a token, or a ``UsageError``."""
        context = resolve(env, repository=repository, api_url=api_url)
        if not context.repository:
            raise UsageError(
                "no GitHub repository to open the pull request in: set GITHUB_REPOSITORY or "
                "pass --repo OWNER/NAME (or --no-pr to only push the branch)"
            )
        return cls(context, RetrySettings.from_env(env))

    def repo(self):
        if self._repo is None:
            name = self.context.repository or ""
            # the client is lazy: no request until the repository is used
            self._repo = self.api("reading the repository", lambda: self.api.gh.get_repo(name))
        return self._repo

    def find_open(self, model: str, base: str) -> PullRequest | None:
        """The model's open retraining pull request (the oldest, if people made more)."""
        wanted = marker(model)
        name = self.context.repository

        def scan() -> list[PullRequest]:
            found = []
            for pull in self.repo().get_pulls(state="open", base=base):
                head_repo = pull.head.repo.full_name if pull.head.repo else None
                if wanted in (pull.body or "") and head_repo == name:
                    found.append(self._info(pull))
            return found

        found = self.api("listing the open pull requests", scan)
        return min(found, key=lambda p: p.number) if found else None

    def create(self, base: str, branch: str, title: str, body: str) -> PullRequest:
        pull = self.api(
            f"opening the pull request from {branch}",
            lambda: self.repo().create_pull(
                base=base, head=branch, title=title, body=body, maintainer_can_modify=True
            ),
        )
        return self._info(pull)

    def update(self, existing: PullRequest, title: str, body: str) -> bool:
        """Edit title and body; False when both are already so (no request sent)."""
        if existing.title == title and existing.body == body:
            return False
        number = existing.number

        def edit() -> None:
            self.repo().get_pull(number).edit(title=title, body=body)

        self.api(f"updating pull request #{number}", edit, missing=f"pull request #{number}")
        return True

    @staticmethod
    def _info(pull) -> PullRequest:
        return PullRequest(
            number=pull.number,
            url=pull.html_url,
            branch=pull.head.ref,
            title=pull.title or "",
            body=pull.body or "",
        )


__all__ = ["ApiError", "PullRequest", "PullRequests", "compare_url", "web_url"]
