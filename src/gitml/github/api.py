"""The GitHub API as gitml's features call it: one client, and failures as one-line errors.

``GitHubApi.connect(context, settings)`` builds the PyGithub client (``client.make_client``:
bounded retries, rate limits, GitHub Enterprise) and wraps it; calling the ``GitHubApi`` with a
step's name and a function runs that function, turning PyGithub's exceptions and connection errors
into an ``ApiError`` whose message names the step, the cause and the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import requests
from github import Github
from github.GithubException import (
    BadCredentialsException,
    GithubException,
    RateLimitExceededExceedsMaxWait,
    RateLimitExceededException,
)

from gitml.github import sticky
from gitml.github.client import RetrySettings, make_client
from gitml.github.context import GitHubContext
from gitml.github.errors import ApiError

T = TypeVar("T")


class GitHubApi:
    """Runs API calls, turning PyGithub and connection errors into one-line ``ApiError``s."""

    def __init__(self, gh: Github, context: GitHubContext, settings: RetrySettings):
        self.gh = gh
        self.context = context
        self.settings = settings

    @classmethod
    def connect(cls, context: GitHubContext, settings: RetrySettings) -> GitHubApi:
        """The client for ``context`` (its API URL and token); no request is sent yet."""
        return cls(make_client(context, settings), context, settings)

    def close(self) -> None:
        self.gh.close()

    def __call__(self, what: str, call: Callable[[], T], missing: str | None = None) -> T:
        """Run ``call``; ``what`` names the step in errors, ``missing`` what a 404 means."""
        try:
            return call()
        except RateLimitExceededExceedsMaxWait as error:
            wait = error.wait or 0
            raise ApiError(
                f"GitHub rate limit while {what}: it asks to wait {wait:.0f}s, more than "
                f"GITML_GITHUB_MAX_WAIT={self.settings.max_wait:g}s; run again later or raise "
                "GITML_GITHUB_MAX_WAIT",
                error.status,
                rate_limited=True,
            ) from None
        except RateLimitExceededException as error:
            raise ApiError(
                f"GitHub rate limit while {what}, still exceeded after "
                f"{self.settings.retries} retries; run again later",
                error.status,
                rate_limited=True,
            ) from None
        except BadCredentialsException as error:
            raise ApiError(
                f"GitHub rejected the token (401 Bad credentials) while {what}; check GITHUB_TOKEN",
                error.status,
            ) from None
        except GithubException as error:
            raise self._status_error(what, missing, error) from None
        except requests.exceptions.RequestException as error:
            raise ApiError(
                f"cannot reach the GitHub API at {self.context.api_url} while {what} "
                f"({type(error).__name__}); check GITHUB_API_URL and the network"
            ) from None

    def _status_error(self, what: str, missing: str | None, error: GithubException) -> ApiError:
        if error.status == 404:
            return ApiError(self._explain_404(what, missing), 404)
        if error.status == 429 or error.status >= 500:
            return ApiError(
                f"GitHub answered {error.status} while {what}, after "
                f"{self.settings.retries} retries; run again later",
                error.status,
                rate_limited=error.status == 429,
            )
        return ApiError(
            f"GitHub answered {error.status} while {what}: {_message(error)}", error.status
        )

    def _explain_404(self, what: str, missing: str | None) -> str:
        name = self.context.repository or ""
        try:
            self.gh.get_repo(name).complete()
        except GithubException as error:
            if error.status == 404:
                return (
                    f"repository {name} not found at {self.context.api_url} (or the token "
                    "cannot see it); check GITHUB_REPOSITORY or --repo"
                )
        except requests.exceptions.RequestException:
            pass
        if missing:
            return f"{missing} not found in {name} (404 while {what})"
        return f"GitHub answered 404 Not Found while {what} in {name}"

    def viewer(self) -> sticky.Identity:
        """The account the token writes as (what ``sticky.upsert`` asks when it must)."""
        try:
            return self("reading the authenticated account", self._read_viewer)
        except ApiError as error:
            # Actions' GITHUB_TOKEN (an installation token) may not read /user: it writes as
            # github-actions[bot]
            if error.status in (403, 404):
                return sticky.ACTIONS_BOT
            raise

    def _read_viewer(self) -> sticky.Identity:
        user = self.gh.get_user()  # lazy: the request happens on the first attribute
        return sticky.Identity(user.login, user.id)


def _message(error: GithubException) -> str:
    data = error.data
    message = data.get("message") if isinstance(data, dict) else None
    details = (
        [e.get("message") for e in (data.get("errors") or []) if isinstance(e, dict)]
        if isinstance(data, dict)
        else []
    )
    text = message or str(data)
    return f"{text} ({'; '.join(d for d in details if d)})" if any(details) else text
