"""GitHubEmulator: the object a test holds. Seed it, queue faults, read what was sent."""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict
from http.server import ThreadingHTTPServer
from typing import Any

from gitml.github_emulator import faults as fault_kinds
from gitml.github_emulator.branches import refresh_heads
from gitml.github_emulator.faults import Fault, matches
from gitml.github_emulator.issues import new_issue
from gitml.github_emulator.limits import ACTIONS_BOT_LOGIN, REVIEW_STATES, now
from gitml.github_emulator.seeding import seed
from gitml.github_emulator.server import serve
from gitml.github_emulator.state import (
    IssueComment,
    LoggedRequest,
    PullRequest,
    Repository,
    Review,
    Token,
)


def _redact(headers: dict[str, str]) -> dict[str, str]:
    return {k: ("***" if k == "authorization" else v) for k, v in headers.items()}


class GitHubEmulator:
    """GitHub's REST API for one test: seed it, inject faults, read what was sent."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, prefix: str = ""):
        self.host = host
        self.port = port
        self.prefix = ("/" + prefix.strip("/")) if prefix.strip("/") else ""
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repository] = {}
        self.faults: list[Fault] = []
        self.requests: list[LoggedRequest] = []
        #: held while a request reads or changes the state (the server answers in threads)
        self.lock = threading.RLock()
        self._ids = itertools.count(1_000_000_001)
        self._repo_ids = itertools.count(500_000_001)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> GitHubEmulator:
        self._server, self._thread = serve(self, self.host, self.port)
        self.port = self._server.server_address[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GitHubEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL, as ``GITHUB_API_URL`` holds it (no trailing slash)."""
        return self.origin + self.prefix

    def next_id(self) -> int:
        """The next id of a pull request, issue, comment, check run or status."""
        return next(self._ids)

    def comment_fields(self, body: str, author: dict[str, str]) -> dict[str, Any]:
        """The fields every new comment has (id, body, author, times)."""
        created = now()
        return {
            "id": self.next_id(),
            "body": body,
            "author": author,
            "created_at": created,
            "updated_at": created,
        }

    # -- seeding -----------------------------------------------------------------------------

    def add_token(
        self,
        token: str,
        *,
        login: str = ACTIONS_BOT_LOGIN,
        kind: str = "app",
        write: bool = True,
    ) -> Token:
        if kind not in ("app", "user"):
            raise ValueError("kind is 'app' (installation token) or 'user' (personal token)")
        with self.lock:
            self.tokens[token] = Token(token=token, login=login, kind=kind, write=write)
            return self.tokens[token]

    def add_repo(
        self, full_name: str, *, private: bool = False, default_branch: str = "main"
    ) -> Repository:
        owner, _, name = full_name.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repository must be owner/name, got {full_name!r}")
        with self.lock:
            repo = Repository(
                id=next(self._repo_ids),
                full_name=full_name,
                owner=owner,
                name=name,
                private=private,
                default_branch=default_branch,
            )
            self.repos[full_name] = repo
            return repo

    def add_commit(self, full_name: str, sha: str) -> None:
        with self.lock:
            self._repo(full_name).commits.add(sha)

    def add_pull(
        self,
        full_name: str,
        number: int,
        *,
        head_sha: str,
        head_ref: str = "feature",
        base_ref: str = "main",
        base_sha: str = "0" * 40,
        fork: bool = False,
        state: str = "open",
        commits: list[str] | None = None,
        title: str | None = None,
    ) -> PullRequest:
        """A pull request (also an issue with the same number). ``fork``: head in another repo."""
        with self.lock:
            repo = self._repo(full_name)
            pr = PullRequest(
                number=number,
                state=state,
                title=title or f"Pull request {number}",
                head_sha=head_sha,
                head_ref=head_ref,
                base_ref=base_ref,
                base_sha=base_sha,
                fork=fork,
                commits=[*(commits or []), head_sha],
                id=self.next_id(),
                created_at=now(),
            )
            repo.pulls[number] = pr
            repo.issues.add(number)
            repo.commits.update(pr.commits)
            repo.issue_comments.setdefault(number, [])
            return pr

    def merge_pull(
        self, full_name: str, number: int, *, merge_commit_sha: str, merged_by: str = "octocat"
    ) -> PullRequest:
        """Mark a pull request merged by ``merged_by`` into ``merge_commit_sha`` (closed)."""
        with self.lock:
            repo = self._repo(full_name)
            pr = repo.pulls[number]
            pr.state, pr.merged_by, pr.merged_at = "closed", merged_by, now()
            pr.merge_commit_sha = merge_commit_sha
            repo.commits.add(merge_commit_sha)
            return pr

    def add_review(
        self, full_name: str, number: int, login: str, state: str = "APPROVED", body: str = ""
    ) -> Review:
        """A review of pull request ``number`` on its head commit."""
        if state not in REVIEW_STATES:
            raise ValueError(f"state is one of {sorted(REVIEW_STATES)}")
        with self.lock:
            pr = self._repo(full_name).pulls[number]
            review = Review(self.next_id(), login, state, body, pr.head_sha, now())
            pr.reviews.append(review)
            return review

    def add_issue(self, full_name: str, number: int) -> None:
        with self.lock:
            repo = self._repo(full_name)
            repo.issues.add(number)
            repo.issue_comments.setdefault(number, [])

    def add_issue_comment(
        self,
        full_name: str,
        number: int,
        body: str,
        *,
        login: str = "octocat",
        user_type: str = "User",
    ) -> IssueComment:
        with self.lock:
            repo = self._repo(full_name)
            if number not in repo.issues:
                raise KeyError(f"no issue or pull request #{number} in {full_name}")
            author = {"login": login, "type": user_type}
            comment = IssueComment(**self.comment_fields(body, author), issue=number)
            repo.issue_comments[number].append(comment)
            return comment

    def add_issue_comments(self, full_name: str, number: int, count: int, **kwargs: Any) -> None:
        for index in range(count):
            self.add_issue_comment(full_name, number, f"comment {index + 1}", **kwargs)

    def add_issue_record(
        self,
        full_name: str,
        title: str,
        body: str = "",
        *,
        labels: list[str] | None = None,
        state: str = "open",
        login: str = "octocat",
        user_type: str = "User",
    ):
        """An issue with title, body, labels and state (numbered after every issue and PR)."""
        with self.lock:
            repo = self._repo(full_name)
            author = {"login": login, "type": user_type}
            return new_issue(self, repo, title, body, labels or [], author, state)

    def add_branch(self, full_name: str, name: str, sha: str) -> None:
        """A branch of the repository (for pull requests), when no git repository is linked."""
        with self.lock:
            repo = self._repo(full_name)
            repo.branches[name] = sha
            repo.commits.add(sha)

    def link_git(self, full_name: str, git_dir: str) -> None:
        """Read the repository's branches and commits live from a (bare) git repository."""
        with self.lock:
            self._repo(full_name).git_dir = str(git_dir)

    def seed(self, document: dict[str, Any]) -> None:
        """Load tokens, repositories, pull requests and comments from a seed document."""
        seed(self, document)

    # -- faults ------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests matching ``method`` and glob ``path`` with ``status``.

        ``path`` is matched without the prefix and query, e.g. ``/repos/*/issues/*/comments``;
        ``method`` may be ``*``. The default body is GitHub's JSON error for the status.
        """
        fault = fault_kinds.status_fault(method, path, status, headers, body, times)
        with self.lock:
            self.faults.append(fault)

    def rate_limit(
        self,
        method: str = "*",
        path: str = "*",
        *,
        kind: str = "primary",
        status: int = 403,
        reset_in: float = 0,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with a rate-limit error, as GitHub does.

        primary: ``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset`` = now + ``reset_in``
        (computed when served); secondary: ``retry-after`` (default 1) and GitHub's message.
        ``status`` is 403 or 429 (GitHub sends either).
        """
        if kind == "primary":
            fault = fault_kinds.primary_rate_limit(
                method, path, status, reset_in, retry_after, times
            )
        elif kind == "secondary":
            fault = fault_kinds.secondary_rate_limit(method, path, status, retry_after, times)
        else:
            raise ValueError("kind is 'primary' or 'secondary'")
        with self.lock:
            self.faults.append(fault)

    # -- reading state -----------------------------------------------------------------------

    def issues(self, full_name: str) -> list[dict[str, Any]]:
        """The issues created through the API or ``add_issue_record``, oldest first."""
        with self.lock:
            records = self._repo(full_name).issue_records
            return [records[n].to_dict() for n in sorted(records)]

    def pulls(self, full_name: str, state: str = "all") -> list[dict[str, Any]]:
        """The repository's pull requests (``state``: open, closed or all), by number."""
        with self.lock:
            repo = self._repo(full_name)
            refresh_heads(repo)
            return [
                p.public()
                for _, p in sorted(repo.pulls.items())
                if state == "all" or p.state == state
            ]

    def issue_comments(self, full_name: str, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return [c.to_dict() for c in self._repo(full_name).issue_comments.get(number, [])]

    def commit_comments(self, full_name: str, sha: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c.to_dict() for c in self._repo(full_name).commit_comments.get(sha, [])]

    def check_runs(self, full_name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [run.to_dict() for run in self._repo(full_name).check_runs]

    def statuses(self, full_name: str, sha: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            by_sha = self._repo(full_name).statuses
            if sha is not None:
                return [s.to_dict() for s in by_sha.get(sha, [])]
            return [s.to_dict() for items in by_sha.values() for s in items]

    def releases(self, full_name: str) -> list[dict[str, Any]]:
        """The repository's releases (oldest first), their assets without their bytes."""
        with self.lock:
            return [release.document() for release in self._repo(full_name).releases]

    def asset_bytes(self, full_name: str, tag: str, name: str) -> bytes:
        """What an asset of the release on ``tag`` holds."""
        with self.lock:
            for release in self._repo(full_name).releases:
                for asset in release.assets if release.tag_name == tag else []:
                    if asset.name == name:
                        return asset.data
        raise KeyError(f"no asset {name} in the release of {tag}")

    def requests_to(self, method: str = "*", path: str = "*") -> list[LoggedRequest]:
        with self.lock:
            return [r for r in self.requests if matches(method, path, r.method, r.path)]

    def state(self) -> dict[str, Any]:
        """Everything as JSON-able data (the ``/_emulator/state`` document)."""
        with self.lock:
            repos = {name: repo.document() for name, repo in self.repos.items()}
            requests = [{**asdict(r), "headers": _redact(r.headers)} for r in self.requests]
            return {"url": self.url, "repos": repos, "requests": requests}

    def _repo(self, full_name: str) -> Repository:
        try:
            return self.repos[full_name]
        except KeyError:
            raise KeyError(f"unknown repository {full_name}; add it with add_repo()") from None
