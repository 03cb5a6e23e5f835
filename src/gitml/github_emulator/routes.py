"""Which handler answers a request, and the checks GitHub makes before it does.

Unknown repositories, pull requests, issues and comments get 404 ``Not Found`` (so does a
private repository without a token); an unknown token gets 401 ``Bad credentials``; a write
without a token 401 ``Requires authentication``; a write with a read-only token (a pull request
from a fork) 403 ``Resource not accessible by integration``; ``GET /user`` with an installation
token 403. ``/repositories/{id}/...`` is the same as ``/repos/{owner}/{name}/...``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gitml.github_emulator import checks, comments, commits, issues, pulls, releases
from gitml.github_emulator.errors import EmulatorError, not_found
from gitml.github_emulator.limits import WRITE_METHODS
from gitml.github_emulator.shapes import user_json
from gitml.github_emulator.state import Repository, Token

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator

#: (status, JSON body or None, extra headers)
Response = tuple[int, Any, dict[str, str]]
Handler = Callable[..., Response]

_SHA = r"([0-9A-Za-z._-]+)"
#: path after ``/repos/{owner}/{name}`` -> {method: handler}; groups become arguments
ROUTES: list[tuple[str, dict[str, Handler]]] = [
    (r"", {"GET": commits.get_repo}),
    (r"/pulls", {"GET": pulls.list_pulls, "POST": pulls.create_pull}),
    (r"/pulls/(\d+)", {"GET": pulls.get_pull, "PATCH": pulls.update_pull}),
    (r"/pulls/(\d+)/reviews", {"GET": pulls.list_reviews}),
    (r"/issues", {"GET": issues.list_issues, "POST": issues.create_issue}),
    (r"/issues/(\d+)", {"GET": issues.get_issue, "PATCH": issues.update_issue}),
    (
        r"/issues/(\d+)/comments",
        {"GET": comments.list_issue_comments, "POST": comments.create_issue_comment},
    ),
    (
        r"/issues/comments/(\d+)",
        {
            "GET": comments.get_issue_comment,
            "PATCH": comments.update_issue_comment,
            "DELETE": comments.delete_issue_comment,
        },
    ),
    (rf"/commits/{_SHA}", {"GET": commits.get_commit}),
    (rf"/commits/{_SHA}/pulls", {"GET": commits.commit_pulls}),
    (
        rf"/commits/{_SHA}/comments",
        {"GET": comments.list_commit_comments, "POST": comments.create_commit_comment},
    ),
    (
        r"/comments/(\d+)",
        {
            "GET": comments.get_commit_comment,
            "PATCH": comments.update_commit_comment,
            "DELETE": comments.delete_commit_comment,
        },
    ),
    (r"/check-runs", {"POST": checks.create_check_run}),
    (r"/check-runs/(\d+)", {"GET": checks.get_check_run}),
    (rf"/statuses/{_SHA}", {"POST": checks.create_status, "GET": checks.list_statuses}),
    (rf"/commits/{_SHA}/statuses", {"GET": checks.list_statuses}),
    (r"/releases", {"GET": releases.list_releases, "POST": releases.create_release}),
    (r"/releases/tags/(.+)", {"GET": releases.get_release_by_tag}),
    (
        r"/releases/(\d+)",
        {
            "GET": releases.get_release,
            "PATCH": releases.update_release,
            "DELETE": releases.delete_release,
        },
    ),
    (
        r"/releases/(\d+)/assets",
        {"GET": releases.list_assets, "POST": releases.upload_asset},
    ),
    (
        r"/releases/assets/(\d+)",
        {"GET": releases.get_asset, "DELETE": releases.delete_asset},
    ),
]


def _by_id(emu: GitHubEmulator, path: str) -> str:
    """``/repositories/{id}/rest`` as ``/repos/{owner}/{name}/rest``; other paths unchanged."""
    match = re.fullmatch(r"/repositories/(\d+)(/.*)?", path)
    if not match:
        return path
    repo = next((r for r in emu.repos.values() if r.id == int(match.group(1))), None)
    if repo is None:
        raise not_found()
    return f"/repos/{repo.full_name}{match.group(2) or ''}"


def _get_user(emu: GitHubEmulator, token: Token | None) -> Response:
    if token is None:
        raise EmulatorError(401, "Requires authentication")
    if token.kind == "app":
        raise EmulatorError(403, "Resource not accessible by integration")
    return 200, user_json(emu, token.login), {}


def _may_write(token: Token | None) -> Token:
    if token is None:
        raise EmulatorError(401, "Requires authentication")
    if not token.write:
        raise EmulatorError(403, "Resource not accessible by integration")
    return token


def _repository(emu: GitHubEmulator, path: str, token: Token | None) -> tuple[Repository, str]:
    """The repository a ``/repos/...`` path names (404 if unknown or hidden) and the rest."""
    match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
    if not match:
        raise not_found()
    repo = emu.repos.get(f"{match.group(1)}/{match.group(2)}")
    if repo is None or (repo.private and token is None):
        raise not_found()
    return repo, match.group(3) or ""


def route(emu: GitHubEmulator, method: str, path: str, query, payload, token) -> Response:
    """Answer one API request (the lock is held); raises EmulatorError for GitHub's errors."""
    path = _by_id(emu, path)
    if path == "/user" and method == "GET":
        return _get_user(emu, token)
    repo, rest = _repository(emu, path, token)
    for pattern, handlers in ROUTES:
        found = re.fullmatch(pattern, rest)
        if found:
            handler = handlers.get(method)
            if handler is None:
                raise not_found()
            if method in WRITE_METHODS:
                _may_write(token)
            return handler(emu, repo, token, query, payload or {}, *found.groups())
    raise not_found()


def authenticate(tokens: dict[str, Token], headers: dict[str, str]) -> Token | None:
    """The token of an ``Authorization: token|bearer ...`` header; 401 for an unknown one."""
    value = headers.get("authorization")
    if not value:
        return None
    scheme, _, secret = value.partition(" ")
    token = tokens.get(secret.strip()) if scheme.lower() in ("token", "bearer") else None
    if token is None:
        raise EmulatorError(401, "Bad credentials")
    return token
