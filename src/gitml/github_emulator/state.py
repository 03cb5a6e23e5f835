"""What the emulated GitHub holds: tokens, repositories and their pull requests (with their
reviews), issues, comments, check runs, commit statuses and releases, and the request log.

Records are dataclasses. They also answer ``record["field"]`` (read and write) because tests
written against the earlier dict-based state reach into it that way, e.g.
``emulator.repos["octo/ml"]["pulls"][5]["body"] = ...``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from gitml.github_emulator.limits import ACTIONS_BOT_LOGIN


class Record:
    """Item access on a dataclass's fields, for callers that treat the state as dicts."""

    def __getitem__(self, name: str) -> Any:
        if name not in self._field_names():
            raise KeyError(name)
        return getattr(self, name)

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in self._field_names():
            raise KeyError(name)
        setattr(self, name, value)

    def __contains__(self, name: object) -> bool:
        return name in self._field_names()

    def _field_names(self) -> set[str]:
        return {item.name for item in fields(self)}  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """A deep copy as plain JSON-able data."""
        return asdict(self)  # type: ignore[call-overload]


@dataclass
class Token(Record):
    token: str
    login: str = ACTIONS_BOT_LOGIN
    #: "app": an installation token such as Actions' GITHUB_TOKEN; "user": a personal token.
    kind: str = "app"
    write: bool = True

    @property
    def user_type(self) -> str:
        """What GitHub shows as the author's type for what this token writes."""
        return "Bot" if self.kind == "app" else "User"

    def author(self) -> dict[str, str]:
        return {"login": self.login, "type": self.user_type}


@dataclass
class PullRequest(Record):
    number: int
    state: str
    title: str
    head_sha: str
    head_ref: str
    base_ref: str
    base_sha: str
    #: the head branch lives in another repository (``contributor/<name>``)
    fork: bool
    #: the commits of the pull request, oldest first, its head last
    commits: list[str]
    id: int
    created_at: str
    body: str | None = None
    draft: bool = False
    #: the author's JSON (set when created through the API), else octocat or contributor
    user: dict[str, Any] | None = None
    updated_at: str | None = None
    #: set by ``merge_pull``: who merged it, when, and the commit the merge made on the base
    merged_by: str | None = None
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    reviews: list[Review] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        """The record without GitHub's internal id (``pulls()`` and the state document)."""
        data = self.to_dict()
        del data["id"]
        return data


@dataclass
class Review(Record):
    """A pull request review: APPROVED, CHANGES_REQUESTED, COMMENTED or DISMISSED."""

    id: int
    login: str
    state: str
    body: str
    commit_id: str
    submitted_at: str


@dataclass
class ReleaseAsset(Record):
    """An asset of a release; its bytes are kept apart from the JSON-able fields."""

    id: int
    name: str
    label: str | None
    content_type: str
    size: int
    digest: str
    uploader: dict[str, Any]
    created_at: str
    updated_at: str
    data: bytes = field(default=b"", repr=False)

    def document(self) -> dict[str, Any]:
        data = self.to_dict()
        del data["data"]
        return data


@dataclass
class Release(Record):
    id: int
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    author: dict[str, Any]
    created_at: str
    published_at: str | None
    updated_at: str
    assets: list[ReleaseAsset] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        data = {k: v for k, v in self.to_dict().items() if k != "assets"}
        return {**data, "assets": [asset.document() for asset in self.assets]}


@dataclass
class Comment(Record):
    id: int
    body: str
    #: {"login": ..., "type": "User" | "Bot"}
    author: dict[str, str]
    created_at: str
    updated_at: str


@dataclass
class IssueComment(Comment):
    #: the issue or pull request number
    issue: int = 0


@dataclass
class CommitComment(Comment):
    commit_id: str = ""


@dataclass
class Issue(Record):
    """An issue created through the API or ``add_issue_record`` (title, body, labels, state)."""

    id: int
    number: int
    title: str
    body: str
    labels: list[str]
    state: str
    state_reason: str | None
    author: dict[str, str]
    created_at: str
    updated_at: str
    closed_at: str | None


@dataclass
class CheckRun(Record):
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    external_id: str
    details_url: str | None
    started_at: str
    completed_at: str | None
    output: dict[str, Any]


@dataclass
class CommitStatus(Record):
    """A commit status, stored as the JSON GitHub returns for it."""

    id: int
    node_id: str
    url: str
    state: str
    description: str | None
    target_url: str | None
    context: str
    created_at: str
    updated_at: str
    creator: dict[str, Any]


@dataclass
class Repository(Record):
    id: int
    full_name: str
    owner: str
    name: str
    private: bool
    default_branch: str
    pulls: dict[int, PullRequest] = field(default_factory=dict)
    #: every issue and pull request number (a pull request is an issue too)
    issues: set[int] = field(default_factory=set)
    commits: set[str] = field(default_factory=set)
    issue_comments: dict[int, list[IssueComment]] = field(default_factory=dict)
    commit_comments: dict[str, list[CommitComment]] = field(default_factory=dict)
    check_runs: list[CheckRun] = field(default_factory=list)
    statuses: dict[str, list[CommitStatus]] = field(default_factory=dict)
    #: issues created through the API or add_issue_record: number -> record
    issue_records: dict[int, Issue] = field(default_factory=dict)
    #: seeded branches (name -> sha), used when no git repository is linked
    branches: dict[str, str] = field(default_factory=dict)
    #: a (bare) git repository the branches and commits are read from live
    git_dir: str | None = None
    releases: list[Release] = field(default_factory=list)

    def next_number(self) -> int:
        """The number of the next issue or pull request (they share one sequence)."""
        return max([*self.issues, *self.pulls, 0]) + 1

    def document(self) -> dict[str, Any]:
        """The repository in the ``/_emulator/state`` document."""
        return {
            "id": self.id,
            "private": self.private,
            "pulls": {str(n): p.public() for n, p in self.pulls.items()},
            "issue_comments": {
                str(n): [c.to_dict() for c in items] for n, items in self.issue_comments.items()
            },
            "commit_comments": {
                sha: [c.to_dict() for c in items] for sha, items in self.commit_comments.items()
            },
            "check_runs": [run.to_dict() for run in self.check_runs],
            "statuses": {sha: [s.to_dict() for s in items] for sha, items in self.statuses.items()},
            "issues": {str(n): i.to_dict() for n, i in self.issue_records.items()},
            "releases": [release.document() for release in self.releases],
        }


@dataclass
class LoggedRequest:
    method: str
    #: path without the API prefix and without the query, e.g. ``/repos/o/r/issues/1/comments``
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    time: float
    status: int = 0
