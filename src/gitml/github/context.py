"""Where to post: repository, token, pull request and commit, from Actions' environment and flags.

Read from the standard Actions variables (``GITHUB_API_URL``, ``GITHUB_REPOSITORY``,
``GITHUB_TOKEN``, ``GITHUB_EVENT_NAME``, ``GITHUB_EVENT_PATH``, ``GITHUB_SHA``) and the event
payload; each flag overrides its variable. Pure: no requests are made here.

Which commit a check run belongs to is the pull request's *head* commit: on ``pull_request`` events
``GITHUB_SHA`` is a merge commit that GitHub does not show on the pull request, so the head SHA is
taken from the payload. On ``workflow_run`` the pull request list is empty for pull requests from
forks; the fork-safe workflow passes ``--pr`` (or ``--pr-from``) instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gitml.core.secrets import hold
from gitml.errors import UsageError

DEFAULT_API_URL = "https://api.github.com"
PULL_REQUEST_EVENTS = {
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
}
REPOSITORY_RE = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


#: where the pull request number came from: a flag (``--pr``, ``pr.json``) or the event payload
PrSource = Literal["flag", "event"]


@dataclass(frozen=True)
class GitHubContext:
    """Everything needed to talk to GitHub about one pull request or commit."""

    api_url: str
    repository: str | None
    #: never printed: ``repr`` leaves it out
    token: str | None = field(repr=False)
    event_name: str | None = None
    #: pull request number, or None when it must be found from the commit (push) or is absent
    pr: int | None = None
    #: the pull request's head commit (or the pushed commit); None when it must be looked up
    sha: str | None = None
    #: where ``pr`` came from (None: nowhere)
    pr_source: PrSource | None = None
    #: the event says the pull request's head is in another repository
    fork: bool = False


def _payload(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(
            f"cannot read the event payload GITHUB_EVENT_PATH={path} ({error}); "
            "unset it or point it at the event's JSON"
        ) from None
    return data if isinstance(data, dict) else {}


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _sha(value: Any) -> str | None:
    return value if isinstance(value, str) and SHA_RE.fullmatch(value) else None


def from_event(
    event_name: str | None, payload: dict[str, Any]
) -> tuple[int | None, str | None, bool]:
    """(pull request number, head SHA, from a fork) as the event payload tells them."""
    if event_name in PULL_REQUEST_EVENTS:
        pr = payload.get("pull_request")
        head_repo = _get(pr, "head", "repo", "full_name")
        base_repo = _get(pr, "base", "repo", "full_name")
        fork = head_repo is None or head_repo != base_repo
        return _number(_get(pr, "number")), _sha(_get(pr, "head", "sha")), fork
    if event_name == "workflow_run":
        run = payload.get("workflow_run") or {}
        pulls = run.get("pull_requests") or []
        head_sha = _sha(run.get("head_sha"))
        fork = _get(run, "head_repository", "full_name") != _get(run, "repository", "full_name")
        if pulls and isinstance(pulls[0], dict):
            return (
                _number(pulls[0].get("number")),
                _sha(_get(pulls[0], "head", "sha")) or head_sha,
                fork,
            )
        return None, head_sha, fork
    if event_name == "issue_comment" and _get(payload, "issue", "pull_request"):
        return _number(_get(payload, "issue", "number")), None, False
    if event_name == "push":
        return None, _sha(payload.get("after")), False
    return None, None, False


def triggering_run_head(env: Mapping[str, str]) -> str | None:
    """The head commit of the run that triggered this ``workflow_run`` job, else None.

    GitHub writes it into the event, so unlike anything in the triggering run's artifact (written
    by a pull request's code) it can be trusted.
    """
    if env.get("GITHUB_EVENT_NAME") != "workflow_run":
        return None
    return _sha(_get(_payload(env), "workflow_run", "head_sha"))


def resolve(
    env: Mapping[str, str],
    *,
    repository: str | None = None,
    pr: int | None = None,
    sha: str | None = None,
    api_url: str | None = None,
) -> GitHubContext:
    """Combine flags (keyword arguments) with the environment; flags win."""
    api_url = (api_url or env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    if not re.match(r"https?://[^/]+", api_url):
        raise UsageError(f"the GitHub API URL must start with https:// or http://, got {api_url!r}")
    repository = repository or env.get("GITHUB_REPOSITORY") or None
    if repository is not None and not REPOSITORY_RE.fullmatch(repository):
        raise UsageError(f"the repository must be OWNER/NAME, got {repository!r}")
    if sha is not None and not SHA_RE.fullmatch(sha):
        raise UsageError(f"--sha must be a full commit SHA (40 hex digits), got {sha!r}")
    if pr is not None and pr < 1:
        raise UsageError(f"--pr must be a pull request number, got {pr}")
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or None
    hold(token)  # masked in everything gitml posts or prints from now on

    event_name = env.get("GITHUB_EVENT_NAME") or None
    event_pr, event_sha, fork = from_event(event_name, _payload(env))
    pr_source: PrSource | None
    if pr is not None:
        # the event's head SHA belongs to the event's pull request only
        if pr != event_pr:
            event_sha, fork = None, False
        pr_source = "flag"
    elif event_pr is not None:
        pr, pr_source = event_pr, "event"
    else:
        pr_source = None
    if sha is None:
        sha = event_sha
        if sha is None and pr is None and event_name not in PULL_REQUEST_EVENTS | {"workflow_run"}:
            sha = _sha(env.get("GITHUB_SHA"))
    return GitHubContext(
        api_url=api_url,
        repository=repository,
        token=token,
        event_name=event_name,
        pr=pr,
        sha=sha,
        pr_source=pr_source,
        fork=fork,
    )


@dataclass(frozen=True)
class PullRequestSides:
    """What the Actions environment says about the two sides a pull request's run compares."""

    #: the pull request's branch and head commit (``GITHUB_HEAD_REF``, the event's head SHA)
    head_ref: str | None = None
    head_sha: str | None = None
    #: the branch it merges into (``GITHUB_BASE_REF``)
    base_ref: str | None = None


def pull_request_sides(env: Mapping[str, str]) -> PullRequestSides:
    """The pull request's branch, head commit and base branch, as Actions gives them.

    On ``pull_request`` events the checkout is a merge commit (``GITHUB_SHA``) that the pull
    request never shows: the head commit is the event's ``pull_request.head.sha``. On a push the
    commit is ``GITHUB_SHA`` and the branch ``GITHUB_REF_NAME``. Outside Actions: all None.
    """
    event_name = env.get("GITHUB_EVENT_NAME") or None
    if not env.get("GITHUB_ACTIONS") and not event_name:
        return PullRequestSides()
    try:
        payload = _payload(env)
    except UsageError:  # an unreadable payload names no side; `gitml comment` says why
        payload = {}
    if event_name in PULL_REQUEST_EVENTS:
        return PullRequestSides(
            head_ref=env.get("GITHUB_HEAD_REF")
            or _text(_get(payload, "pull_request", "head", "ref")),
            head_sha=_sha(_get(payload, "pull_request", "head", "sha")),
            base_ref=env.get("GITHUB_BASE_REF")
            or _text(_get(payload, "pull_request", "base", "ref")),
        )
    return PullRequestSides(
        head_ref=env.get("GITHUB_REF_NAME") or None,
        head_sha=_sha(env.get("GITHUB_SHA")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
