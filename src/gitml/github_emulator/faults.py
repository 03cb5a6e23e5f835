"""Faults queued by a test: any status (5xx) with headers, and GitHub's rate limits.

A fault answers the next ``times`` requests whose method and path (glob, without the API
prefix and query) match, before authentication and routing, as a proxy or GitHub's edge would.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass, field
from typing import Any

from gitml.github_emulator.errors import REASONS
from gitml.github_emulator.limits import DOCS

PRIMARY_MESSAGE = "API rate limit exceeded for installation ID 4242."
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:0000."
)
RATE_LIMIT_DOCS = f"{DOCS}/overview/rate-limits-for-the-rest-api"
#: The requests an hour GitHub allows an installation token (the ``x-ratelimit-limit``).
RATE_LIMIT = 5000


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

    def response_headers(self) -> dict[str, str]:
        """The headers to send now (a primary rate limit's reset time counts from now)."""
        headers = dict(self.headers)
        if self.reset_in is not None:
            headers["x-ratelimit-reset"] = str(int(time.time() + self.reset_in))
        return headers


def status_fault(
    method: str, path: str, status: int, headers: dict[str, str] | None, body: Any, times: int
) -> Fault:
    """Any status; the default body is GitHub's JSON error for it."""
    if body is None:
        body = {"message": REASONS.get(status, "Error"), "documentation_url": DOCS}
    return Fault(method.upper(), path, status, dict(headers or {}), body, times)


def primary_rate_limit(
    method: str, path: str, status: int, reset_in: float, retry_after: int | None, times: int
) -> Fault:
    """``x-ratelimit-remaining: 0`` with ``x-ratelimit-reset`` = now + ``reset_in``."""
    headers = {
        "x-ratelimit-limit": str(RATE_LIMIT),
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": str(RATE_LIMIT),
        "x-ratelimit-resource": "core",
    }
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    body = {"message": PRIMARY_MESSAGE, "documentation_url": RATE_LIMIT_DOCS}
    return Fault(method.upper(), path, status, headers, body, times, reset_in=reset_in)


def secondary_rate_limit(
    method: str, path: str, status: int, retry_after: int | None, times: int
) -> Fault:
    """``retry-after`` (default 1 second) and GitHub's secondary-limit message."""
    headers = {"retry-after": str(1 if retry_after is None else retry_after)}
    body = {"message": SECONDARY_MESSAGE, "documentation_url": RATE_LIMIT_DOCS}
    return Fault(method.upper(), path, status, headers, body, times)


def matches(want_method: str, want_path: str, method: str, path: str) -> bool:
    """``want_method`` is a method or ``*``; ``want_path`` a glob over the path."""
    return want_method in ("*", method) and fnmatch.fnmatchcase(path, want_path)


def take_fault(faults: list[Fault], method: str, path: str) -> Fault | None:
    """The first queued fault for this request, used up once (removed when spent)."""
    for fault in faults:
        if matches(fault.method, fault.path, method, path):
            fault.times -= 1
            if fault.times <= 0:
                faults.remove(fault)
            return fault
    return None


def rate_headers(used: int) -> dict[str, str]:
    """The ``x-ratelimit-*`` headers of an ordinary response after ``used`` requests."""
    return {
        "x-ratelimit-limit": str(RATE_LIMIT),
        "x-ratelimit-remaining": str(max(RATE_LIMIT - used, 1)),
        "x-ratelimit-used": str(used),
        "x-ratelimit-reset": str(int(time.time()) + 3600),
        "x-ratelimit-resource": "core",
    }
