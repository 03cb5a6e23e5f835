"""The PyGithub client gitml uses: bounded retries that honour GitHub's rate-limit headers.

Retries (``GitmlRetry``, built on PyGithub's ``GithubRetry`` and urllib3's ``Retry``):

* 5xx answers and connection errors: up to ``GITML_GITHUB_RETRIES`` (default 5) retries with
  exponential backoff (0, 2, 4, 8 ... seconds), each wait at most ``GITML_GITHUB_MAX_WAIT``.
* rate limits, 403 or 429: ``Retry-After`` is waited out; a primary limit
  (``x-ratelimit-remaining: 0``) is waited out until ``x-ratelimit-reset``; a secondary limit
  without headers waits a minute, as GitHub asks. When the wait GitHub asks for is longer than
  ``GITML_GITHUB_MAX_WAIT`` (default 120 s) gitml stops at once with an error saying so, rather
  than sleeping for an hour in a CI job.
* other 403s (a read-only token) and 4xx are not retried.

POST is retried too (as PyGithub does): a 5xx after GitHub created the comment can leave a
duplicate, which the next run removes (see ``sticky``). Writes are spaced by
``GITML_GITHUB_WRITE_INTERVAL`` seconds (default 1), as GitHub advises for mutating requests.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from github import Auth, Github, GithubRetry
from github.GithubException import RateLimitExceededExceedsMaxWait
from urllib3.util.retry import Retry

from gitml.errors import UsageError
from gitml.github.context import GitHubContext

log = logging.getLogger(__name__)

#: GitHub's advice for a secondary rate limit without a Retry-After header.
SECONDARY_RATE_WAIT = 60
USER_AGENT = "gitml"


@dataclass(frozen=True)
class RetrySettings:
    retries: int = 5
    max_wait: float = 120.0
    write_interval: float = 1.0
    backoff_factor: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RetrySettings:
        def number(name: str, default: float, kind: type = float) -> Any:
            raw = env.get(name)
            if raw in (None, ""):
                return default
            try:
                value = kind(raw)
            except ValueError:
                value = -1
            if value < 0:
                raise UsageError(f"{name} must be a non-negative number, got {raw!r}")
            return value

        return cls(
            retries=number("GITML_GITHUB_RETRIES", cls.retries, int),
            max_wait=number("GITML_GITHUB_MAX_WAIT", cls.max_wait),
            write_interval=number("GITML_GITHUB_WRITE_INTERVAL", cls.write_interval),
        )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(email.utils.mktime_tz(parsed) - time.time(), 0.0)


def rate_limit_wait(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds GitHub asks to wait before retrying, from a 403/429's headers; None if not said."""
    wait = _retry_after(headers.get("Retry-After"))
    if wait is not None:
        return wait
    reset = headers.get("X-RateLimit-Reset")
    if headers.get("X-RateLimit-Remaining") == "0" and reset and reset.isdigit():
        now = time.time() if now is None else now
        # plus one second: the reset happens somewhere within that second
        return max(int(reset) - now, 0.0) + 1.0
    return None


class GitmlRetry(GithubRetry):
    """``GithubRetry`` that also reads 429s and rate-limit headers, and caps every wait."""

    #: the wait this retry must sleep, decided in ``increment`` from the response's headers
    _wait: float | None = None

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        if response is not None and response.status in (403, 429):
            wait = rate_limit_wait(response.headers)
            if wait is None and response.status == 429:
                wait = float(self.secondary_rate_wait)
            if wait is not None:
                if self.max_rate_limit_wait is not None and wait > self.max_rate_limit_wait:
                    raise RateLimitExceededExceedsMaxWait(
                        response.status,
                        {"message": f"rate limited; GitHub asks to wait {wait:.0f}s"},
                        dict(response.headers),
                        wait=wait,
                    )
                retry = Retry.increment(self, method, url, response, error, _pool, _stacktrace)
                retry._wait = wait
                log.warning(
                    "GitHub rate limit (%s) on %s; waiting %.0fs as it asks",
                    response.status,
                    method,
                    wait,
                )
                return retry
        decided = super().increment(method, url, response, error, _pool, _stacktrace)
        # logged once the retry is decided (the call above raises when retries are exhausted)
        if response is not None and response.status >= 500:
            log.warning("GitHub answered %s to %s; retrying", response.status, method)
        elif error is not None:
            log.warning("no answer from GitHub to %s (%s); retrying", method, type(error).__name__)
        return decided

    def sleep(self, response: Any = None) -> None:
        wait = self._wait
        if wait is None and response is not None:
            # a 5xx with Retry-After (503): wait as asked, but no longer than the cap
            asked = _retry_after(response.headers.get("Retry-After"))
            if asked is not None:
                wait = min(asked, self.backoff_max)
        if wait is None:
            super()._sleep_backoff()
        elif wait > 0:
            time.sleep(wait)


def make_retry(settings: RetrySettings) -> GitmlRetry:
    return GitmlRetry(
        total=settings.retries,
        connect=min(settings.retries, 2),
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.max_wait,
        secondary_rate_wait=SECONDARY_RATE_WAIT,
        max_rate_limit_wait=settings.max_wait,
        status_forcelist=[429, *range(500, 600)],
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"},
        # after the last retry, hand the response to PyGithub, which raises a GithubException
        raise_on_status=False,
    )


def _route_pygithub_logs() -> None:
    """PyGithub gives its logger its own stderr handler at INFO; send its records through gitml's
    logging instead (WARNING, DEBUG with ``-v``; PyGithub masks the token in its debug lines)."""
    logger = logging.getLogger("github")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # urllib3 logs each retry with its internals; gitml logs its own one-line warnings
        logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)


def make_client(context: GitHubContext, settings: RetrySettings) -> Github:
    """A lazy PyGithub client for ``context.api_url`` (github.com or GitHub Enterprise Server)."""
    _route_pygithub_logs()
    if not context.token:
        raise UsageError(
            "no GitHub token: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: "
            "${{ github.token }})"
        )
    return Github(
        base_url=context.api_url,
        auth=Auth.Token(context.token),
        user_agent=USER_AGENT,
        per_page=100,
        retry=make_retry(settings),
        seconds_between_requests=0,
        seconds_between_writes=settings.write_interval,
        lazy=True,
    )
