"""An emulation of the GitHub REST endpoints gitml uses, on 127.0.0.1 (standard library only).

It behaves like GitHub where gitml depends on it:

* list endpoints page with ``per_page`` (default 30, capped at 100) and ``page``, and answer with a
  ``Link`` header (``rel="next"``, ``rel="last"``, ``rel="prev"``, ``rel="first"``) whose URLs use
  ``/repositories/{id}/...`` as GitHub's do;
* JSON ``url`` fields point back at the emulation (PyGithub follows them), ``html_url`` fields at
  its origin, like ``https://HOST/owner/repo`` next to ``https://HOST/api/v3`` on GitHub Enterprise;
* an unknown token gets 401 ``Bad credentials``; a write without a token 401 ``Requires
  authentication``; a write with a read-only token (a pull request from a fork) 403 ``Resource not
  accessible by integration``; a personal token creating a check run 403 ``You must authenticate via
  a GitHub App.``; ``GET /user`` with an installation token 403;
* a comment or issue body over 65,536 characters gets 422 ``Validation Failed``; an issue without
  a title 422; the issue list holds pull requests too (with a ``pull_request`` key), newest first,
  filtered by ``state`` (default open) and ``labels`` (all of them); labels are created on use;
* opening a pull request whose head or base branch does not exist, whose head has no commits past
  its base, or whose head and base already have an open pull request gets 422 ``Validation
  Failed`` with GitHub's error; branches are seeded (``add_branch``) or read live from a bare git
  repository (``link_git``), so a branch pushed in a test exists for the emulation too;
* unknown repositories, pull requests, issues and comments get 404 ``Not Found``;
* responses carry ``x-ratelimit-*`` headers, ``x-github-request-id`` and
  ``x-github-api-version-selected``.

Faults are queued per test: ``fail()`` for any status (5xx) with headers, ``rate_limit()`` for
primary (``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset``) and secondary (``retry-after``)
rate limits. Every request is logged (method, path, query, headers, JSON body, time) so tests assert
what was sent.

Endpoints (under an optional path prefix such as ``/api/v3``)::

    GET    /user
    GET    /repos/{o}/{r}
    GET    /repos/{o}/{r}/pulls?state=&head=&base=&sort=&direction=
    POST   /repos/{o}/{r}/pulls                       (create)
    GET    /repos/{o}/{r}/pulls/{n}                   PATCH (update title, body, state, base)
    GET    /repos/{o}/{r}/issues?state=&labels=      POST (create an issue)
    GET    /repos/{o}/{r}/issues/{n}                  PATCH (title, body, state, labels)
    GET    /repos/{o}/{r}/issues/{n}/comments         POST (create)
    GET    /repos/{o}/{r}/issues/comments/{id}        PATCH (update), DELETE
    GET    /repos/{o}/{r}/commits/{sha}
    GET    /repos/{o}/{r}/commits/{sha}/pulls
    GET    /repos/{o}/{r}/commits/{sha}/comments      POST (create)
    GET    /repos/{o}/{r}/comments/{id}               PATCH (update), DELETE
    POST   /repos/{o}/{r}/check-runs                  GET /repos/{o}/{r}/check-runs/{id}
    POST   /repos/{o}/{r}/statuses/{sha}              GET (list)
    /repositories/{id}/...                            same as /repos/{o}/{r}/...

Control endpoints, outside the prefix and without authentication, for a separate process::

    GET  /_emulator/state       repositories, comments, check runs, statuses, and the request log
    POST /_emulator/seed        body: a seed document (below)
    POST /_emulator/faults      body: {"method","path","status","headers","body","times"}
                                or {"rate_limit": {"kind","method","path","status","reset_in",
                                "retry_after","times"}}

Seed document (``--seed FILE`` or ``POST /_emulator/seed``)::

    {"tokens": [{"token": "t", "login": "github-actions[bot]", "kind": "app", "write": true}],
     "repos": [{"full_name": "octo/ml", "private": false, "commits": ["<sha>"],
                "pulls": [{"number": 1, "head_sha": "<sha>", "head_ref": "feature",
                           "base_ref": "main", "fork": false, "state": "open"}],
                "issue_comments": {"1": [{"body": "hi", "login": "alice"}]}}]}

Python::

    with GitHubEmulator(prefix="/api/v3") as gh:
        gh.add_token("t0k3n")
        gh.add_repo("octo/ml")
        gh.add_pull("octo/ml", 7, head_sha="a" * 40)
        gh.fail("POST", "/repos/*/issues/*/comments", 502)
        ...  # GITHUB_API_URL=gh.url
        assert len(gh.issue_comments("octo/ml", 7)) == 1

As a process (prints ``url=...`` on its first stdout line; dumps state on SIGTERM/SIGINT)::

    python -m gitml.testing.github_emulator --port 0 --seed seed.json --state-file state.json
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import itertools
import json
import re
import signal
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

#: GitHub rejects comment bodies longer than this (characters).
MAX_COMMENT_BODY = 65_536
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
API_VERSION = "2022-11-28"
DOCS = "https://docs.github.com/rest"
#: The account an Actions installation token (``GITHUB_TOKEN``) acts as.
ACTIONS_BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}

PRIMARY_MESSAGE = "API rate limit exceeded for installation ID 4242."
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:0000."
)


class _QuietServer(ThreadingHTTPServer):
    """A client that gives up mid-request (as gitml does on a long rate limit) is not an error."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Token:
    token: str
    login: str = ACTIONS_BOT["login"]
    #: "app": an installation token such as Actions' GITHUB_TOKEN; "user": a personal token.
    kind: str = "app"
    write: bool = True


@dataclass
class Fault:
    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    times: int = 1
    #: for rate limits: x-ratelimit-reset is computed when served, this many seconds ahead.
    reset_in: float | None = None


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


class EmulatorError(Exception):
    """A response to send: status, JSON body and extra headers."""

    def __init__(self, status: int, message: str, headers: dict | None = None, **extra: Any):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, "documentation_url": DOCS, "status": str(status), **extra}
        self.headers = headers or {}


def _not_found() -> EmulatorError:
    return EmulatorError(404, "Not Found")


class GitHubEmulator:
    """GitHub's REST API for one test: seed it, inject faults, read what was sent."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, prefix: str = ""):
        self.host = host
        self.port = port
        self.prefix = ("/" + prefix.strip("/")) if prefix.strip("/") else ""
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, dict[str, Any]] = {}
        self.faults: list[Fault] = []
        self.requests: list[LoggedRequest] = []
        self._lock = threading.RLock()
        self._ids = itertools.count(1_000_000_001)
        self._repo_ids = itertools.count(500_000_001)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> GitHubEmulator:
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = _QuietServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="github-emulator", daemon=True
        )
        self._thread.start()
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

    # -- seeding -----------------------------------------------------------------------------

    def add_token(
        self,
        token: str,
        *,
        login: str = ACTIONS_BOT["login"],
        kind: str = "app",
        write: bool = True,
    ) -> Token:
        if kind not in ("app", "user"):
            raise ValueError("kind is 'app' (installation token) or 'user' (personal token)")
        with self._lock:
            self.tokens[token] = Token(token=token, login=login, kind=kind, write=write)
            return self.tokens[token]

    def add_repo(self, full_name: str, *, private: bool = False, default_branch: str = "main"):
        owner, _, name = full_name.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repository must be owner/name, got {full_name!r}")
        with self._lock:
            repo = {
                "id": next(self._repo_ids),
                "full_name": full_name,
                "owner": owner,
                "name": name,
                "private": private,
                "default_branch": default_branch,
                "pulls": {},
                "issues": set(),
                "commits": set(),
                "issue_comments": {},
                "commit_comments": {},
                "check_runs": [],
                "statuses": {},
                # issues created through the API or add_issue_record: number -> record
                "issue_records": {},
            }
            self.repos[full_name] = repo
            return repo

    def add_commit(self, full_name: str, sha: str) -> None:
        with self._lock:
            self._repo(full_name)["commits"].add(sha)

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
    ) -> dict[str, Any]:
        """A pull request (also an issue with the same number). ``fork``: head in another repo."""
        with self._lock:
            repo = self._repo(full_name)
            pr = {
                "number": number,
                "state": state,
                "title": title or f"Pull request {number}",
                "head_sha": head_sha,
                "head_ref": head_ref,
                "base_ref": base_ref,
                "base_sha": base_sha,
                "fork": fork,
                "commits": [*(commits or []), head_sha],
                "id": next(self._ids),
                "created_at": _now(),
            }
            repo["pulls"][number] = pr
            repo["issues"].add(number)
            repo["commits"].update(pr["commits"])
            repo["issue_comments"].setdefault(number, [])
            return pr

    def add_issue(self, full_name: str, number: int) -> None:
        with self._lock:
            repo = self._repo(full_name)
            repo["issues"].add(number)
            repo["issue_comments"].setdefault(number, [])

    def add_issue_comment(
        self,
        full_name: str,
        number: int,
        body: str,
        *,
        login: str = "octocat",
        user_type: str = "User",
    ) -> dict[str, Any]:
        with self._lock:
            repo = self._repo(full_name)
            if number not in repo["issues"]:
                raise KeyError(f"no issue or pull request #{number} in {full_name}")
            comment = self._new_comment(body, {"login": login, "type": user_type}, issue=number)
            repo["issue_comments"][number].append(comment)
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
    ) -> dict[str, Any]:
        """An issue with title, body, labels and state (numbered after every issue and PR)."""
        with self._lock:
            repo = self._repo(full_name)
            author = {"login": login, "type": user_type}
            return _new_issue(self, repo, title, body, labels or [], author, state)

    def issues(self, full_name: str) -> list[dict[str, Any]]:
        """The issues created through the API or ``add_issue_record``, oldest first."""
        with self._lock:
            records = self._repo(full_name)["issue_records"]
            return copy.deepcopy([records[n] for n in sorted(records)])

    def add_branch(self, full_name: str, name: str, sha: str) -> None:
        """A branch of the repository (for pull requests), when no git repository is linked."""
        with self._lock:
            repo = self._repo(full_name)
            repo.setdefault("branches", {})[name] = sha
            repo["commits"].add(sha)

    def link_git(self, full_name: str, git_dir: str) -> None:
        """Read the repository's branches and commits live from a (bare) git repository."""
        with self._lock:
            self._repo(full_name)["git_dir"] = str(git_dir)

    def pulls(self, full_name: str, state: str = "all") -> list[dict[str, Any]]:
        """The repository's pull requests (``state``: open, closed or all), by number."""
        with self._lock:
            repo = self._repo(full_name)
            _refresh_heads(repo)
            return [
                copy.deepcopy(_public_pull(p))
                for _, p in sorted(repo["pulls"].items())
                if state == "all" or p["state"] == state
            ]

    def seed(self, document: dict[str, Any]) -> None:
        """Load tokens, repositories, pull requests and comments from a seed document."""
        for token in document.get("tokens", []):
            self.add_token(**token)
        for raw in document.get("repos", []):
            full_name = raw["full_name"]
            if full_name not in self.repos:
                self.add_repo(
                    full_name,
                    private=raw.get("private", False),
                    default_branch=raw.get("default_branch", "main"),
                )
            for sha in raw.get("commits", []):
                self.add_commit(full_name, sha)
            for name, sha in raw.get("branches", {}).items():
                self.add_branch(full_name, name, sha)
            for pull in raw.get("pulls", []):
                self.add_pull(full_name, **pull)
            for issue in raw.get("issues", []):
                self.add_issue_record(full_name, **issue)
            for number, comments in raw.get("issue_comments", {}).items():
                for comment in comments:
                    self.add_issue_comment(
                        full_name,
                        int(number),
                        comment["body"],
                        login=comment.get("login", "octocat"),
                        user_type=comment.get("user_type", "User"),
                    )

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
        if body is None:
            body = {"message": _REASONS.get(status, "Error"), "documentation_url": DOCS}
        with self._lock:
            self.faults.append(
                Fault(method.upper(), path, status, dict(headers or {}), body, times)
            )

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
            headers = {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-used": "5000",
                "x-ratelimit-resource": "core",
            }
            if retry_after is not None:
                headers["retry-after"] = str(retry_after)
            body = {
                "message": PRIMARY_MESSAGE,
                "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
            }
            fault = Fault(method.upper(), path, status, headers, body, times, reset_in=reset_in)
        elif kind == "secondary":
            headers = {"retry-after": str(1 if retry_after is None else retry_after)}
            body = {
                "message": SECONDARY_MESSAGE,
                "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
            }
            fault = Fault(method.upper(), path, status, headers, body, times)
        else:
            raise ValueError("kind is 'primary' or 'secondary'")
        with self._lock:
            self.faults.append(fault)

    # -- reading state -----------------------------------------------------------------------

    def issue_comments(self, full_name: str, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._repo(full_name)["issue_comments"].get(number, []))

    def commit_comments(self, full_name: str, sha: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._repo(full_name)["commit_comments"].get(sha, []))

    def check_runs(self, full_name: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._repo(full_name)["check_runs"])

    def statuses(self, full_name: str, sha: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            by_sha = self._repo(full_name)["statuses"]
            if sha is not None:
                return copy.deepcopy(by_sha.get(sha, []))
            return copy.deepcopy([s for items in by_sha.values() for s in items])

    def requests_to(self, method: str = "*", path: str = "*") -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if _matches(method, path, r.method, r.path)]

    def state(self) -> dict[str, Any]:
        """Everything as JSON-able data (the ``/_emulator/state`` document)."""
        with self._lock:
            repos = {}
            for name, repo in self.repos.items():
                repos[name] = {
                    "id": repo["id"],
                    "private": repo["private"],
                    "pulls": {str(n): _public_pull(p) for n, p in repo["pulls"].items()},
                    "issue_comments": {
                        str(n): copy.deepcopy(c) for n, c in repo["issue_comments"].items()
                    },
                    "commit_comments": copy.deepcopy(repo["commit_comments"]),
                    "check_runs": copy.deepcopy(repo["check_runs"]),
                    "statuses": copy.deepcopy(repo["statuses"]),
                    "issues": {str(n): copy.deepcopy(i) for n, i in repo["issue_records"].items()},
                }
            requests = [{**asdict(r), "headers": _redact(r.headers)} for r in self.requests]
            return {"url": self.url, "repos": repos, "requests": requests}

    # -- internals ---------------------------------------------------------------------------

    def _repo(self, full_name: str) -> dict[str, Any]:
        try:
            return self.repos[full_name]
        except KeyError:
            raise KeyError(f"unknown repository {full_name}; add it with add_repo()") from None

    def _user(self, login: str, user_type: str = "User") -> dict[str, Any]:
        if login == ACTIONS_BOT["login"]:
            user_id, user_type, html = (
                ACTIONS_BOT["id"],
                "Bot",
                "https://github.com/apps/github-actions",
            )
        elif user_type == "Bot" and login.endswith("[bot]"):
            # another GitHub App's bot: its own fixed id, its page under /apps/
            user_id = 2000 + sum(login.encode())
            html = f"{self.origin}/apps/{login.removesuffix('[bot]')}"
        else:
            user_id = 1000 + sum(login.encode())
            html = f"{self.origin}/{login}"
        return {
            "login": login,
            "id": user_id,
            "node_id": f"U_{user_id}",
            "type": user_type,
            "site_admin": False,
            "url": f"{self.url}/users/{quote(login)}",
            "html_url": html,
        }

    def _new_comment(self, body: str, author: dict[str, str], **where: Any) -> dict[str, Any]:
        now = _now()
        return {
            "id": next(self._ids),
            "body": body,
            "author": author,
            "created_at": now,
            "updated_at": now,
            **where,
        }

    def _repo_json(self, repo: dict[str, Any]) -> dict[str, Any]:
        base = f"{self.url}/repos/{repo['full_name']}"
        return {
            "id": repo["id"],
            "node_id": f"R_{repo['id']}",
            "name": repo["name"],
            "full_name": repo["full_name"],
            "owner": self._user(repo["owner"], "Organization"),
            "private": repo["private"],
            "visibility": "private" if repo["private"] else "public",
            "fork": False,
            "default_branch": repo["default_branch"],
            "url": base,
            "html_url": f"{self.origin}/{repo['full_name']}",
            "issues_url": base + "/issues{/number}",
            "pulls_url": base + "/pulls{/number}",
            "comments_url": base + "/comments{/number}",
            "commits_url": base + "/commits{/sha}",
            "statuses_url": base + "/statuses/{sha}",
        }

    def _pull_json(self, repo: dict[str, Any], pr: dict[str, Any]) -> dict[str, Any]:
        base = f"{self.url}/repos/{repo['full_name']}"
        n = pr["number"]
        head_repo = self._repo_json(repo)
        if pr["fork"]:
            head_repo = {
                **head_repo,
                "full_name": f"contributor/{repo['name']}",
                "fork": True,
                "owner": self._user("contributor"),
                "id": repo["id"] + 1,
            }
        return {
            "id": pr["id"],
            "node_id": f"PR_{pr['id']}",
            "number": n,
            "state": pr["state"],
            "title": pr["title"],
            "body": pr.get("body"),
            "draft": pr.get("draft", False),
            "merged": False,
            "user": pr.get("user") or self._user("contributor" if pr["fork"] else "octocat"),
            "url": f"{base}/pulls/{n}",
            "html_url": f"{self.origin}/{repo['full_name']}/pull/{n}",
            "issue_url": f"{base}/issues/{n}",
            "comments_url": f"{base}/issues/{n}/comments",
            "statuses_url": f"{base}/statuses/{pr['head_sha']}",
            "head": {
                "label": f"{head_repo['owner']['login']}:{pr['head_ref']}",
                "ref": pr["head_ref"],
                "sha": pr["head_sha"],
                "repo": head_repo,
                "user": head_repo["owner"],
            },
            "base": {
                "label": f"{repo['owner']}:{pr['base_ref']}",
                "ref": pr["base_ref"],
                "sha": pr["base_sha"],
                "repo": self._repo_json(repo),
                "user": self._user(repo["owner"], "Organization"),
            },
            "created_at": pr["created_at"],
            "updated_at": pr.get("updated_at", pr["created_at"]),
        }

    def _issue_comment_json(self, repo: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        base = f"{self.url}/repos/{repo['full_name']}"
        kind = "pull" if c["issue"] in repo["pulls"] else "issues"
        return {
            "id": c["id"],
            "node_id": f"IC_{c['id']}",
            "url": f"{base}/issues/comments/{c['id']}",
            "html_url": f"{self.origin}/{repo['full_name']}/{kind}/{c['issue']}"
            f"#issuecomment-{c['id']}",
            "issue_url": f"{base}/issues/{c['issue']}",
            "body": c["body"],
            "user": self._user(c["author"]["login"], c["author"]["type"]),
            "author_association": "NONE",
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
        }

    def _commit_comment_json(self, repo: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": c["id"],
            "node_id": f"CC_{c['id']}",
            "url": f"{self.url}/repos/{repo['full_name']}/comments/{c['id']}",
            "html_url": f"{self.origin}/{repo['full_name']}/commit/{c['commit_id']}"
            f"#commitcomment-{c['id']}",
            "body": c["body"],
            "user": self._user(c["author"]["login"], c["author"]["type"]),
            "commit_id": c["commit_id"],
            "path": None,
            "position": None,
            "line": None,
            "author_association": "NONE",
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
        }

    # -- request handling --------------------------------------------------------------------

    def _handle(self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes):
        """Return (status, headers, body) for one request."""
        split = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        if split.path.startswith("/_emulator/"):
            return self._control(method, split.path, raw_body)

        prefix = self.prefix
        if prefix and not (split.path == prefix or split.path.startswith(prefix + "/")):
            path = None
        else:
            path = split.path[len(prefix) :] or "/"
        try:
            payload = json.loads(raw_body) if raw_body else None
        except ValueError:
            payload = _BAD_JSON
        entry = LoggedRequest(method, path or split.path, query, headers, payload, time.time())
        with self._lock:
            self.requests.append(entry)
            fault = self._take_fault(method, entry.path)
        if fault is not None:
            out_headers = dict(fault.headers)
            if fault.reset_in is not None:
                out_headers["x-ratelimit-reset"] = str(int(time.time() + fault.reset_in))
            entry.status = fault.status
            return fault.status, out_headers, fault.body
        try:
            if path is None:
                raise _not_found()
            if payload is _BAD_JSON:
                raise EmulatorError(400, "Problems parsing JSON")
            token = self._authenticate(headers)
            with self._lock:
                status, body, extra = self._route(method, path, query, payload, token)
        except EmulatorError as error:
            status, body, extra = error.status, error.body, error.headers
        entry.status = status
        return status, {**self._rate_headers(), **extra}, body

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if _matches(fault.method, fault.path, method, path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _rate_headers(self) -> dict[str, str]:
        used = len(self.requests)
        return {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(max(5000 - used, 1)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
        }

    def _authenticate(self, headers: dict[str, str]) -> Token | None:
        value = headers.get("authorization")
        if not value:
            return None
        scheme, _, secret = value.partition(" ")
        token = self.tokens.get(secret.strip()) if scheme.lower() in ("token", "bearer") else None
        if token is None:
            raise EmulatorError(401, "Bad credentials")
        return token

    def _route(self, method, path, query, payload, token):
        match = re.fullmatch(r"/repositories/(\d+)(/.*)?", path)
        if match:
            by_id = {r["id"]: r for r in self.repos.values()}
            repo = by_id.get(int(match.group(1)))
            if repo is None:
                raise _not_found()
            path = f"/repos/{repo['full_name']}{match.group(2) or ''}"

        if path == "/user" and method == "GET":
            if token is None:
                raise EmulatorError(401, "Requires authentication")
            if token.kind == "app":
                raise EmulatorError(403, "Resource not accessible by integration")
            return 200, self._user(token.login), {}

        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not match:
            raise _not_found()
        repo = self.repos.get(f"{match.group(1)}/{match.group(2)}")
        if repo is None or (repo["private"] and token is None):
            raise _not_found()
        rest = match.group(3) or ""

        for pattern, handlers in _ROUTES:
            found = re.fullmatch(pattern, rest)
            if found:
                handler = handlers.get(method)
                if handler is None:
                    raise _not_found()
                if method in WRITE_METHODS:
                    if token is None:
                        raise EmulatorError(401, "Requires authentication")
                    if not token.write:
                        raise EmulatorError(403, "Resource not accessible by integration")
                return handler(self, repo, token, query, payload or {}, *found.groups())
        raise _not_found()

    def _page(self, repo, rest: str, query: dict[str, str], items: list[Any]):
        try:
            per_page = int(query.get("per_page", DEFAULT_PER_PAGE))
        except ValueError:
            per_page = DEFAULT_PER_PAGE
        per_page = DEFAULT_PER_PAGE if per_page < 1 else min(per_page, MAX_PER_PAGE)
        try:
            page = max(int(query.get("page", 1)), 1)
        except ValueError:
            page = 1
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page : page * per_page]

        def link(number: int) -> str:
            params = {**query, "per_page": str(per_page), "page": str(number)}
            return f"<{self.url}/repositories/{repo['id']}{rest}?{urlencode(params)}>"

        links = []
        if page < last:
            links += [f'{link(page + 1)}; rel="next"', f'{link(last)}; rel="last"']
        if page > 1:
            links += [f'{link(page - 1)}; rel="prev"', f'{link(1)}; rel="first"']
        return 200, chunk, ({"link": ", ".join(links)} if links else {})

    def _control(self, method: str, path: str, raw_body: bytes):
        try:
            payload = json.loads(raw_body) if raw_body else {}
        except ValueError:
            return 400, {}, {"message": "Problems parsing JSON"}
        if path == "/_emulator/state" and method == "GET":
            return 200, {}, self.state()
        if path == "/_emulator/seed" and method == "POST":
            self.seed(payload)
            return 204, {}, None
        if path == "/_emulator/faults" and method == "POST":
            if "rate_limit" in payload:
                self.rate_limit(**payload["rate_limit"])
            else:
                self.fail(**payload)
            return 204, {}, None
        return 404, {}, {"message": "Not Found"}


# -- route handlers (called with the lock held) ------------------------------------------------


def _get_repo(emu, repo, token, query, payload):
    return 200, emu._repo_json(repo), {}


def _list_pulls(emu, repo, token, query, payload):
    """GitHub's filters: ``state`` (default open), ``head`` (``owner:branch``), ``base``;
    ``sort`` created (default), updated; ``direction`` desc by default, as GitHub's."""
    _refresh_heads(repo)
    state = query.get("state", "open")
    pulls = [p for _, p in sorted(repo["pulls"].items())]
    if state != "all":
        pulls = [p for p in pulls if p["state"] == state]
    if "head" in query:
        owner, _, ref = query["head"].rpartition(":")
        pulls = [
            p
            for p in pulls
            if p["head_ref"] == ref and (not owner or owner == _head_owner(repo, p))
        ]
    if "base" in query:
        pulls = [p for p in pulls if p["base_ref"] == query["base"]]
    key = "updated_at" if query.get("sort") == "updated" else "created_at"
    pulls.sort(key=lambda p: (p.get(key) or p["created_at"], p["number"]))
    if query.get("direction", "desc") != "asc":
        pulls.reverse()
    return emu._page(repo, "/pulls", query, [emu._pull_json(repo, p) for p in pulls])


def _get_pull(emu, repo, token, query, payload, number):
    pr = repo["pulls"].get(int(number))
    if pr is None:
        raise _not_found()
    _refresh_heads(repo)
    return 200, emu._pull_json(repo, pr), {}


# -- pull requests: branches, creating and updating ---------------------------------------------


def _head_owner(repo, pr) -> str:
    return "contributor" if pr["fork"] else repo["owner"]


def _git(repo, *args: str) -> str | None:
    import subprocess

    result = subprocess.run(
        ["git", "--git-dir", repo["git_dir"], *args], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def _branch_sha(repo, name: str) -> str | None:
    if "git_dir" in repo:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}^{{commit}}")
    return repo.get("branches", {}).get(name)


def _commits_between(repo, base_sha: str, head_sha: str) -> list[str]:
    """Commits on head that base lacks, oldest first (GitHub's "commits" of a pull request)."""
    if "git_dir" in repo:
        out = _git(repo, "rev-list", "--reverse", f"{base_sha}..{head_sha}")
        return out.split() if out else []
    return [] if base_sha == head_sha else [head_sha]


def _refresh_heads(repo) -> None:
    """An open pull request follows its branch, as on GitHub when someone pushes to it."""
    if "git_dir" not in repo:
        return
    for pr in repo["pulls"].values():
        if pr["state"] != "open" or pr["fork"]:
            continue
        sha = _branch_sha(repo, pr["head_ref"])
        if sha and sha != pr["head_sha"]:
            base_sha = _branch_sha(repo, pr["base_ref"]) or pr["base_sha"]
            pr["head_sha"], pr["base_sha"] = sha, base_sha
            pr["commits"] = _commits_between(repo, base_sha, sha) or [sha]
            repo["commits"].update(pr["commits"])


def _invalid(field_name: str, code: str = "invalid", message: str | None = None) -> EmulatorError:
    error = {"resource": "PullRequest", "field": field_name, "code": code}
    if message:
        error = {"resource": "PullRequest", "code": "custom", "message": message}
    return EmulatorError(422, "Validation Failed", errors=[error])


def _pull_text(payload, name: str, required: bool) -> str | None:
    value = payload.get(name)
    if value is None:
        if required:
            raise _invalid(name, "missing_field")
        return None
    if not isinstance(value, str):
        raise EmulatorError(422, f"Invalid request.\n\nFor '{name}', {value!r} is not a string.")
    if name == "body" and len(value) > MAX_COMMENT_BODY:
        raise _invalid(
            "body", message=f"body is too long (maximum is {MAX_COMMENT_BODY} characters)"
        )
    return value


def _create_pull(emu, repo, token, query, payload):
    title = _pull_text(payload, "title", required=True)
    body = _pull_text(payload, "body", required=False)
    base, head = payload.get("base"), payload.get("head")
    if not isinstance(base, str) or not base:
        raise _invalid("base", "missing_field")
    if not isinstance(head, str) or not head:
        raise _invalid("head", "missing_field")
    owner, _, head_ref = head.rpartition(":")
    if owner and owner != repo["owner"]:
        raise _invalid("head")  # pull requests from forks are not emulated
    base_sha, head_sha = _branch_sha(repo, base), _branch_sha(repo, head_ref)
    if base_sha is None:
        raise _invalid("base")
    if head_sha is None:
        raise _invalid("head")
    for pr in repo["pulls"].values():
        if pr["state"] == "open" and pr["head_ref"] == head_ref and pr["base_ref"] == base:
            raise _invalid(
                "head", message=f"A pull request already exists for {repo['owner']}:{head_ref}."
            )
    commits = _commits_between(repo, base_sha, head_sha)
    if not commits:
        raise _invalid("head", message=f"No commits between {base} and {head_ref}")
    number = max([*repo["pulls"], *repo["issues"], 0]) + 1
    pr = emu.add_pull(
        repo["full_name"],
        number,
        head_sha=head_sha,
        head_ref=head_ref,
        base_ref=base,
        base_sha=base_sha,
        commits=commits[:-1],
        title=title,
    )
    pr.update(body=body, draft=bool(payload.get("draft", False)))
    pr["user"] = emu._user(token.login, "Bot" if token.kind == "app" else "User")
    data = emu._pull_json(repo, pr)
    return 201, data, {"location": data["url"]}


def _update_pull(emu, repo, token, query, payload, number):
    pr = repo["pulls"].get(int(number))
    if pr is None:
        raise _not_found()
    title = _pull_text(payload, "title", required=False)
    body = _pull_text(payload, "body", required=False)
    state, base = payload.get("state"), payload.get("base")
    if state is not None and state not in ("open", "closed"):
        raise EmulatorError(
            422,
            "Validation Failed",
            errors=[{"resource": "PullRequest", "field": "state", "code": "invalid"}],
        )
    if base is not None and _branch_sha(repo, base) is None:
        raise _invalid("base")
    if title is not None:
        pr["title"] = title
    if body is not None:
        pr["body"] = body
    if state is not None:
        pr["state"] = state
    if base is not None:
        pr["base_ref"] = base
    pr["updated_at"] = _now()
    return 200, emu._pull_json(repo, pr), {}


def _get_issue(emu, repo, token, query, payload, number):
    n = int(number)
    if n in repo["issue_records"]:
        return 200, _issue_json(emu, repo, repo["issue_records"][n]), {}
    if n not in repo["issues"]:
        raise _not_found()
    base = f"{emu.url}/repos/{repo['full_name']}"
    body = {
        "id": n,
        "number": n,
        "state": repo["pulls"][n]["state"] if n in repo["pulls"] else "open",
        "title": f"Issue {n}",
        "url": f"{base}/issues/{n}",
        "comments_url": f"{base}/issues/{n}/comments",
        "html_url": f"{emu.origin}/{repo['full_name']}/issues/{n}",
        "user": emu._user("octocat"),
        "comments": len(repo["issue_comments"].get(n, [])),
    }
    if n in repo["pulls"]:
        body["pull_request"] = {"url": f"{base}/pulls/{n}"}
    return 200, body, {}


def _check_body(payload: dict[str, Any], resource: str) -> str:
    body = payload.get("body")
    if not isinstance(body, str):
        raise EmulatorError(
            422,
            'Invalid request.\n\n"body" wasn\'t supplied.',
        )
    if len(body) > MAX_COMMENT_BODY:
        raise EmulatorError(
            422,
            "Validation Failed",
            errors=[
                {
                    "resource": resource,
                    "code": "custom",
                    "field": "body",
                    "message": f"body is too long (maximum is {MAX_COMMENT_BODY} characters)",
                }
            ],
        )
    return body


def _author(emu, token) -> dict[str, str]:
    if token.kind == "app":
        return {"login": token.login, "type": "Bot"}
    return {"login": token.login, "type": "User"}


def _list_issue_comments(emu, repo, token, query, payload, number):
    n = int(number)
    if n not in repo["issues"]:
        raise _not_found()
    items = [emu._issue_comment_json(repo, c) for c in repo["issue_comments"][n]]
    return emu._page(repo, f"/issues/{n}/comments", query, items)


def _create_issue_comment(emu, repo, token, query, payload, number):
    n = int(number)
    if n not in repo["issues"]:
        raise _not_found()
    body = _check_body(payload, "IssueComment")
    comment = emu._new_comment(body, _author(emu, token), issue=n)
    repo["issue_comments"][n].append(comment)
    data = emu._issue_comment_json(repo, comment)
    return 201, data, {"location": data["url"]}


def _find_comment(groups: dict, comment_id) -> dict:
    """A comment by id among comments grouped by issue number or commit sha; 404 if absent."""
    for comments in groups.values():
        for comment in comments:
            if comment["id"] == int(comment_id):
                return comment
    raise _not_found()


def _find_issue_comment(repo, comment_id):
    return _find_comment(repo["issue_comments"], comment_id)


def _get_issue_comment(emu, repo, token, query, payload, comment_id):
    return 200, emu._issue_comment_json(repo, _find_issue_comment(repo, comment_id)), {}


def _update_issue_comment(emu, repo, token, query, payload, comment_id):
    comment = _find_issue_comment(repo, comment_id)
    comment["body"] = _check_body(payload, "IssueComment")
    comment["updated_at"] = _now()
    return 200, emu._issue_comment_json(repo, comment), {}


def _delete_issue_comment(emu, repo, token, query, payload, comment_id):
    comment = _find_issue_comment(repo, comment_id)
    repo["issue_comments"][comment["issue"]].remove(comment)
    return 204, None, {}


def _known_commit(repo, sha: str) -> str:
    if sha not in repo["commits"]:
        raise EmulatorError(422, f"No commit found for SHA: {sha}")
    return sha


def _get_commit(emu, repo, token, query, payload, sha):
    _known_commit(repo, sha)
    base = f"{emu.url}/repos/{repo['full_name']}"
    return (
        200,
        {
            "sha": sha,
            "node_id": f"C_{sha}",
            "url": f"{base}/commits/{sha}",
            "html_url": f"{emu.origin}/{repo['full_name']}/commit/{sha}",
            "comments_url": f"{base}/commits/{sha}/comments",
        },
        {},
    )


def _commit_pulls(emu, repo, token, query, payload, sha):
    _known_commit(repo, sha)
    pulls = [p for _, p in sorted(repo["pulls"].items()) if sha in p["commits"]]
    return emu._page(repo, f"/commits/{sha}/pulls", query, [emu._pull_json(repo, p) for p in pulls])


def _list_commit_comments(emu, repo, token, query, payload, sha):
    _known_commit(repo, sha)
    items = [emu._commit_comment_json(repo, c) for c in repo["commit_comments"].get(sha, [])]
    return emu._page(repo, f"/commits/{sha}/comments", query, items)


def _create_commit_comment(emu, repo, token, query, payload, sha):
    _known_commit(repo, sha)
    body = _check_body(payload, "CommitComment")
    comment = emu._new_comment(body, _author(emu, token), commit_id=sha)
    repo["commit_comments"].setdefault(sha, []).append(comment)
    data = emu._commit_comment_json(repo, comment)
    return 201, data, {"location": data["url"]}


def _find_commit_comment(repo, comment_id):
    return _find_comment(repo["commit_comments"], comment_id)


def _get_commit_comment(emu, repo, token, query, payload, comment_id):
    return 200, emu._commit_comment_json(repo, _find_commit_comment(repo, comment_id)), {}


def _update_commit_comment(emu, repo, token, query, payload, comment_id):
    comment = _find_commit_comment(repo, comment_id)
    comment["body"] = _check_body(payload, "CommitComment")
    comment["updated_at"] = _now()
    return 200, emu._commit_comment_json(repo, comment), {}


def _delete_commit_comment(emu, repo, token, query, payload, comment_id):
    comment = _find_commit_comment(repo, comment_id)
    repo["commit_comments"][comment["commit_id"]].remove(comment)
    return 204, None, {}


ISSUE_STATES = ("open", "closed")


def _label_json(emu, repo, name: str) -> dict[str, Any]:
    label_id = 7_000_000 + sum(name.encode())
    return {
        "id": label_id,
        "node_id": f"LA_{label_id}",
        "url": f"{emu.url}/repos/{repo['full_name']}/labels/{quote(name)}",
        "name": name,
        "color": "ededed",
        "default": False,
        "description": None,
    }


def _new_issue(emu, repo, title, body, labels, author, state="open") -> dict[str, Any]:
    number = max([*repo["issues"], *repo["pulls"], 0]) + 1
    now = _now()
    record = {
        "id": next(emu._ids),
        "number": number,
        "title": title,
        "body": body,
        "labels": list(dict.fromkeys(labels)),
        "state": state,
        "state_reason": None,
        "author": author,
        "created_at": now,
        "updated_at": now,
        "closed_at": now if state == "closed" else None,
    }
    repo["issue_records"][number] = record
    repo["issues"].add(number)
    repo["issue_comments"].setdefault(number, [])
    return record


def _issue_json(emu, repo, record: dict[str, Any]) -> dict[str, Any]:
    base = f"{emu.url}/repos/{repo['full_name']}"
    n = record["number"]
    return {
        "id": record["id"],
        "node_id": f"I_{record['id']}",
        "number": n,
        "title": record["title"],
        "body": record["body"],
        "state": record["state"],
        "state_reason": record["state_reason"],
        "labels": [_label_json(emu, repo, name) for name in record["labels"]],
        "user": emu._user(record["author"]["login"], record["author"]["type"]),
        "url": f"{base}/issues/{n}",
        "repository_url": base,
        "comments_url": f"{base}/issues/{n}/comments",
        "html_url": f"{emu.origin}/{repo['full_name']}/issues/{n}",
        "comments": len(repo["issue_comments"].get(n, [])),
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
        "closed_at": record["closed_at"],
    }


def _pull_as_issue(emu, repo, pr: dict[str, Any]) -> dict[str, Any]:
    data = _get_issue(emu, repo, None, {}, {}, pr["number"])[1]
    return {**data, "title": pr["title"], "labels": [], "created_at": pr["created_at"]}


def _list_issues(emu, repo, token, query, payload):
    state = query.get("state", "open")
    if state not in (*ISSUE_STATES, "all"):
        raise EmulatorError(
            422, "Validation Failed", errors=[{"field": "state", "code": "invalid"}]
        )
    wanted = [name.strip() for name in query.get("labels", "").split(",") if name.strip()]
    items = [(r["created_at"], r["number"], r) for r in repo["issue_records"].values()]
    items += [(p["created_at"], p["number"], p) for p in repo["pulls"].values()]
    # newest first, as GitHub's default sort=created&direction=desc
    ascending = query.get("direction") == "asc"
    items.sort(key=lambda item: (item[0], item[1]), reverse=not ascending)
    found = []
    for _created, number, item in items:
        data = (
            _issue_json(emu, repo, item)
            if number in repo["issue_records"]
            else _pull_as_issue(emu, repo, item)
        )
        if state != "all" and data["state"] != state:
            continue
        names = {label["name"] for label in data["labels"]}
        if all(name in names for name in wanted):
            found.append(data)
    return emu._page(repo, "/issues", query, found)


def _issue_labels(payload: dict[str, Any]) -> list[str]:
    labels = payload.get("labels", [])
    names = [label.get("name") if isinstance(label, dict) else label for label in labels]
    if not isinstance(labels, list) or not all(isinstance(n, str) and n for n in names):
        raise EmulatorError(422, "Invalid request.\n\nFor 'labels', items must be strings.")
    return names


def _create_issue(emu, repo, token, query, payload):
    title = payload.get("title")
    if not isinstance(title, str) or not title.strip():
        raise EmulatorError(422, 'Invalid request.\n\n"title" wasn\'t supplied.')
    body = _check_body(payload, "Issue") if payload.get("body") is not None else ""
    record = _new_issue(emu, repo, title, body, _issue_labels(payload), _author(emu, token))
    data = _issue_json(emu, repo, record)
    return 201, data, {"location": data["url"]}


def _update_issue(emu, repo, token, query, payload, number):
    record = repo["issue_records"].get(int(number))
    if record is None:
        raise _not_found()
    if "body" in payload and payload["body"] is not None:
        record["body"] = _check_body(payload, "Issue")
    if "title" in payload:
        if not isinstance(payload["title"], str) or not payload["title"].strip():
            raise EmulatorError(
                422, "Validation Failed", errors=[{"field": "title", "code": "missing_field"}]
            )
        record["title"] = payload["title"]
    if "labels" in payload:
        record["labels"] = list(dict.fromkeys(_issue_labels(payload)))
    if "state" in payload:
        state = payload["state"]
        if state not in ISSUE_STATES:
            raise EmulatorError(
                422, "Validation Failed", errors=[{"field": "state", "code": "invalid"}]
            )
        if state != record["state"]:
            record["closed_at"] = _now() if state == "closed" else None
            record["state_reason"] = payload.get("state_reason") or (
                "completed" if state == "closed" else "reopened"
            )
        record["state"] = state
    record["updated_at"] = _now()
    return 200, _issue_json(emu, repo, record), {}


CHECK_CONCLUSIONS = {
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "stale",
    "timed_out",
}


def _check_run_json(emu, repo, run):
    return {
        **run,
        "node_id": f"CR_{run['id']}",
        "url": f"{emu.url}/repos/{repo['full_name']}/check-runs/{run['id']}",
        "html_url": f"{emu.origin}/{repo['full_name']}/runs/{run['id']}",
        "app": {"id": 15368, "slug": "github-actions", "name": "GitHub Actions"},
    }


def _create_check_run(emu, repo, token, query, payload):
    if token.kind != "app":
        raise EmulatorError(403, "You must authenticate via a GitHub App.")
    name, head_sha = payload.get("name"), payload.get("head_sha")
    if not isinstance(name, str) or not name or not isinstance(head_sha, str):
        raise EmulatorError(422, 'Invalid request.\n\n"name", "head_sha" weren\'t supplied.')
    _known_commit(repo, head_sha)
    conclusion = payload.get("conclusion")
    status = payload.get("status", "completed" if conclusion else "queued")
    if conclusion is not None and conclusion not in CHECK_CONCLUSIONS:
        raise EmulatorError(422, "Invalid request.\n\nconclusion is not a member of the enum.")
    if status == "completed" and conclusion is None:
        raise EmulatorError(422, 'Invalid request.\n\n"conclusion" wasn\'t supplied.')
    run = {
        "id": next(emu._ids),
        "name": name,
        "head_sha": head_sha,
        "status": status,
        "conclusion": conclusion,
        "external_id": payload.get("external_id", ""),
        "details_url": payload.get("details_url"),
        "started_at": payload.get("started_at", _now()),
        "completed_at": payload.get("completed_at") or (_now() if conclusion else None),
        "output": {
            "title": None,
            "summary": None,
            "text": None,
            "annotations_count": 0,
            **(payload.get("output") or {}),
        },
    }
    repo["check_runs"].append(run)
    return 201, _check_run_json(emu, repo, run), {}


def _get_check_run(emu, repo, token, query, payload, run_id):
    for run in repo["check_runs"]:
        if run["id"] == int(run_id):
            return 200, _check_run_json(emu, repo, run), {}
    raise _not_found()


STATUS_STATES = {"error", "failure", "pending", "success"}


def _create_status(emu, repo, token, query, payload, sha):
    _known_commit(repo, sha)
    state = payload.get("state")
    if state not in STATUS_STATES:
        raise EmulatorError(
            422,
            "Validation Failed",
            errors=[{"resource": "Status", "code": "custom", "field": "state"}],
        )
    description = payload.get("description")
    if description is not None and len(description) > 140:
        raise EmulatorError(
            422,
            "Validation Failed",
            errors=[
                {
                    "resource": "Status",
                    "code": "custom",
                    "field": "description",
                    "message": "description is too long (maximum is 140 characters)",
                }
            ],
        )
    now = _now()
    status_id = next(emu._ids)
    status = {
        "id": status_id,
        "node_id": f"SC_{status_id}",
        "url": f"{emu.url}/repos/{repo['full_name']}/statuses/{sha}",
        "state": state,
        "description": description,
        "target_url": payload.get("target_url"),
        "context": payload.get("context") or "default",
        "created_at": now,
        "updated_at": now,
        "creator": emu._user(token.login, "Bot" if token.kind == "app" else "User"),
    }
    repo["statuses"].setdefault(sha, []).append(status)
    return 201, status, {}


def _list_statuses(emu, repo, token, query, payload, sha):
    return emu._page(repo, f"/statuses/{sha}", query, list(reversed(repo["statuses"].get(sha, []))))


_SHA = r"([0-9A-Za-z._-]+)"
_ROUTES: list[tuple[str, dict[str, Any]]] = [
    (r"", {"GET": _get_repo}),
    (r"/pulls", {"GET": _list_pulls, "POST": _create_pull}),
    (r"/pulls/(\d+)", {"GET": _get_pull, "PATCH": _update_pull}),
    (r"/issues", {"GET": _list_issues, "POST": _create_issue}),
    (r"/issues/(\d+)", {"GET": _get_issue, "PATCH": _update_issue}),
    (r"/issues/(\d+)/comments", {"GET": _list_issue_comments, "POST": _create_issue_comment}),
    (
        r"/issues/comments/(\d+)",
        {
            "GET": _get_issue_comment,
            "PATCH": _update_issue_comment,
            "DELETE": _delete_issue_comment,
        },
    ),
    (rf"/commits/{_SHA}", {"GET": _get_commit}),
    (rf"/commits/{_SHA}/pulls", {"GET": _commit_pulls}),
    (rf"/commits/{_SHA}/comments", {"GET": _list_commit_comments, "POST": _create_commit_comment}),
    (
        r"/comments/(\d+)",
        {
            "GET": _get_commit_comment,
            "PATCH": _update_commit_comment,
            "DELETE": _delete_commit_comment,
        },
    ),
    (r"/check-runs", {"POST": _create_check_run}),
    (r"/check-runs/(\d+)", {"GET": _get_check_run}),
    (rf"/statuses/{_SHA}", {"POST": _create_status, "GET": _list_statuses}),
    (rf"/commits/{_SHA}/statuses", {"GET": _list_statuses}),
]

_REASONS = {
    400: "Bad Request",
    401: "Bad credentials",
    403: "Forbidden",
    404: "Not Found",
    422: "Validation Failed",
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
    504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting "
    "your request and contact us if the problem persists.",
}
_BAD_JSON = object()


def _matches(want_method: str, want_path: str, method: str, path: str) -> bool:
    return want_method in ("*", method) and fnmatch.fnmatchcase(path, want_path)


def _public_pull(pr: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in pr.items() if k != "id"}


def _redact(headers: dict[str, str]) -> dict[str, str]:
    return {k: ("***" if k == "authorization" else v) for k, v in headers.items()}


class _Handler(BaseHTTPRequestHandler):
    emulator: GitHubEmulator
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the request log
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, body = self.emulator._handle(self.command, self.path, headers, raw_body)
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-github-api-version-selected", API_VERSION)
        self.send_header("x-github-media-type", "github.v3; format=json")
        self.send_header("x-github-request-id", uuid.uuid4().hex[:20].upper())
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


def main(argv: list[str] | None = None) -> int:
    """Run the emulation as a process until SIGTERM/SIGINT; print ``url=...`` first."""
    parser = argparse.ArgumentParser(
        prog="python -m gitml.testing.github_emulator", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--prefix", default="", help="API path prefix, e.g. /api/v3")
    parser.add_argument("--seed", help="seed document (JSON) to load at start")
    parser.add_argument("--state-file", help="write the state here on exit (JSON)")
    parser.add_argument("--url-file", help="also write the base URL to this file")
    args = parser.parse_args(argv)

    emulator = GitHubEmulator(host=args.host, port=args.port, prefix=args.prefix)
    if args.seed:
        with open(args.seed, encoding="utf-8") as handle:
            emulator.seed(json.load(handle))
    emulator.start()
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"url={emulator.url}", flush=True)
    if args.url_file:
        with open(args.url_file, "w", encoding="utf-8") as handle:
            handle.write(emulator.url + "\n")
    while not stopping.wait(0.2):
        pass
    emulator.stop()
    if args.state_file:
        with open(args.state_file, "w", encoding="utf-8") as handle:
            json.dump(emulator.state(), handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
