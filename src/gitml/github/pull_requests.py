"""Pull requests gitml opens (retraining, the GitOps hand-off): find gitml's open one, open it,
update it, close it.

Through the same client as ``gitml comment`` (bounded retries, rate limits, GitHub Enterprise via
``GITHUB_API_URL``). gitml's pull request is the open one whose body holds its marker (``<!--
gitml:retrain model=NAME -->``, ``<!-- gitml:deploy ... -->``) as a line of its own, whose head
branch is in the same repository, and which the exact account gitml acts as opened (login and
id, as the sticky comment is matched: ``github.sticky.Identity``), found across every page of
open pull requests. Another account's pull request quoting the marker is never pushed to or
edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from gitml.core import markers
from gitml.core.secrets import mask
from gitml.github.api import GitHubApi
from gitml.github.client import RetrySettings
from gitml.github.context import DEFAULT_API_URL, GitHubContext
from gitml.github.errors import ApiError


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
    """Open, find, update and close gitml's pull requests in one repository."""

    def __init__(self, context: GitHubContext, settings: RetrySettings):
        self.context = context
        self.api = GitHubApi.connect(context, settings)
        self._repo: Any = None  # PyGithub's Repository, read on first use

    def repo(self):
        if self._repo is None:
            name = self.context.repository or ""
            # the client is lazy: no request until the repository is used
            self._repo = self.api("reading the repository", lambda: self.api.gh.get_repo(name))
        return self._repo

    def find_open(self, wanted: str, base: str) -> PullRequest | None:
        """gitml's open pull request into ``base`` marked ``wanted`` (the oldest, if several)."""
        name = self.context.repository
        viewer: list = []  # asked once, and only when a marked pull request exists

        def ours(pull) -> bool:
            if not viewer:
                viewer.append(self.api.viewer())
            user = pull.user
            return user is not None and (user.login, user.id) == (viewer[0].login, viewer[0].id)

        def scan() -> list[PullRequest]:
            found = []
            for pull in self.repo().get_pulls(state="open", base=base):
                head_repo = pull.head.repo.full_name if pull.head.repo else None
                if markers.holds(pull.body, wanted) and head_repo == name and ours(pull):
                    found.append(self._info(pull))
            return found

        found = self.api("listing the open pull requests", scan)
        return min(found, key=lambda p: p.number) if found else None

    def create(self, base: str, branch: str, title: str, body: str) -> PullRequest:
        title, body = mask(title), mask(body)
        pull = self.api(
            f"opening the pull request from {branch}",
            lambda: self.repo().create_pull(
                base=base, head=branch, title=title, body=body, maintainer_can_modify=True
            ),
        )
        return self._info(pull)

    def update(self, existing: PullRequest, title: str, body: str) -> bool:
        """Edit title and body; False when both are already so (no request sent)."""
        title, body = mask(title), mask(body)
        if existing.title == title and existing.body == body:
            return False
        number = existing.number

        def edit() -> None:
            self.repo().get_pull(number).edit(title=title, body=body)

        self.api(f"updating pull request #{number}", edit, missing=f"pull request #{number}")
        return True

    def close(self, existing: PullRequest) -> None:
        """Close ``existing`` (its branch stays)."""
        number = existing.number

        def edit() -> None:
            self.repo().get_pull(number).edit(state="closed")

        self.api(f"closing pull request #{number}", edit, missing=f"pull request #{number}")

    def default_branch(self) -> str:
        """The repository's default branch, as GitHub reports it."""
        return str(self.api("reading the repository", lambda: self.repo().default_branch))

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
