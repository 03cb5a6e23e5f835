"""Who merged a commit's pull request and who approved it, from GitHub's API.

The pull request is the merged one whose merge commit is the commit (``GET
/commits/{sha}/pulls``, then its ``merged_by``); its approvals are the reviewers whose latest
review is ``APPROVED`` (``GET /pulls/{n}/reviews``), as GitHub counts them for branch protection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitml.github.api import GitHubApi


@dataclass(frozen=True)
class Approval:
    login: str
    submitted_at: str | None


@dataclass(frozen=True)
class MergeFacts:
    """The merged pull request a commit came from."""

    number: int
    title: str
    url: str
    author: str | None
    merged_by: str | None
    merged_at: str | None
    approvals: tuple[Approval, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "url": self.url,
            "author": self.author,
            "merged_by": self.merged_by,
            "merged_at": self.merged_at,
            "approvals": [
                {"login": a.login, "submitted_at": a.submitted_at} for a in self.approvals
            ],
        }


def _time(value: Any) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def merge_facts(api: GitHubApi, commit: str) -> MergeFacts | None:
    """The merged pull request whose merge commit is ``commit`` (else the merged one that holds
    it); None when the commit reached the branch without a pull request."""
    repo = api.gh.get_repo(str(api.context.repository))
    pulls = api(
        f"listing the pull requests of {commit[:12]}",
        lambda: [p for p in repo.get_commit(commit).get_pulls() if p.merged],
    )
    if not pulls:
        return None
    pull = next((p for p in pulls if p.merge_commit_sha == commit), pulls[0])
    reviews = api(f"reading the reviews of #{pull.number}", lambda: list(pull.get_reviews()))
    latest: dict[str, Any] = {}
    for review in reviews:
        if review.user is not None and review.state != "COMMENTED":
            latest[review.user.login] = review
    approvals = tuple(
        Approval(login, _time(review.submitted_at))
        for login, review in sorted(latest.items())
        if review.state == "APPROVED"
    )
    return MergeFacts(
        number=pull.number,
        title=pull.title,
        url=pull.html_url,
        author=pull.user.login if pull.user else None,
        merged_by=pull.merged_by.login if pull.merged_by else None,
        merged_at=_time(pull.merged_at),
        approvals=approvals,
    )
