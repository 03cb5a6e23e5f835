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
* a comment or issue body over 65,536 characters gets 422 ``Validation Failed``, a release body
  over 125,000 likewise; a second release of a tag, or a second asset of a name, 422
  ``already_exists``; an issue without
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
    GET    /repos/{o}/{r}/pulls/{n}/reviews
    GET    /repos/{o}/{r}/releases                    POST (create; 422 already_exists per tag)
    GET    /repos/{o}/{r}/releases/tags/{tag}
    GET    /repos/{o}/{r}/releases/{id}               PATCH (update), DELETE
    GET    /repos/{o}/{r}/releases/{id}/assets
    GET    /repos/{o}/{r}/releases/assets/{id}        DELETE
    POST   {origin}/api/uploads/repos/{o}/{r}/releases/{id}/assets?name=&label=   (raw bytes)
    GET    {origin}/{o}/{r}/releases/download/{tag}/{name}                        (raw bytes)
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

The modules: ``state`` (dataclasses), ``shapes`` (GitHub's JSON), ``routes`` and the handlers
by resource (``pulls``, ``issues``, ``comments``, ``commits``, ``checks``, ``releases``), ``faults``,
``pagination``, ``dispatch`` (one request), ``server`` (HTTP), ``cli`` (the process).

As a process (prints ``url=...`` on its first stdout line; dumps state on SIGTERM/SIGINT)::

    python -m gitml.github_emulator --port 0 --seed seed.json --state-file state.json
"""

from gitml.github_emulator.cli import main
from gitml.github_emulator.emulator import GitHubEmulator
from gitml.github_emulator.errors import EmulatorError
from gitml.github_emulator.faults import PRIMARY_MESSAGE, SECONDARY_MESSAGE, Fault
from gitml.github_emulator.limits import (
    ACTIONS_BOT,
    API_VERSION,
    DEFAULT_PER_PAGE,
    DOCS,
    MAX_COMMENT_BODY,
    MAX_PER_PAGE,
    WRITE_METHODS,
)
from gitml.github_emulator.state import LoggedRequest, Token

__all__ = [
    "ACTIONS_BOT",
    "API_VERSION",
    "DEFAULT_PER_PAGE",
    "DOCS",
    "MAX_COMMENT_BODY",
    "MAX_PER_PAGE",
    "PRIMARY_MESSAGE",
    "SECONDARY_MESSAGE",
    "WRITE_METHODS",
    "EmulatorError",
    "Fault",
    "GitHubEmulator",
    "LoggedRequest",
    "Token",
    "main",
]
