"""GitHub's fixed values and limits that the emulation reproduces."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

#: GitHub rejects comment bodies longer than this (characters).
MAX_COMMENT_BODY = 65_536
#: GitHub rejects release bodies longer than this (characters): 422 ``body is too long``.
MAX_RELEASE_BODY = 125_000
#: GitHub's limit on one release asset (bytes): each file must be under 2 GiB.
MAX_ASSET_BYTES = 2 * 1024**3
#: GitHub's limit on the assets of one release.
MAX_RELEASE_ASSETS = 1000
REVIEW_STATES = {"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"}
#: GitHub commit status descriptions longer than this (characters) are rejected.
MAX_STATUS_DESCRIPTION = 140
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
API_VERSION = "2022-11-28"
DOCS = "https://docs.github.com/rest"
#: The account an Actions installation token (``GITHUB_TOKEN``) acts as.
#: The account Actions' GITHUB_TOKEN acts as (``/user`` is refused to it; its comments show this).
ACTIONS_BOT_LOGIN = "github-actions[bot]"
ACTIONS_BOT: dict[str, Any] = {"login": ACTIONS_BOT_LOGIN, "id": 41898282, "type": "Bot"}
WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
ISSUE_STATES = ("open", "closed")
STATUS_STATES = {"error", "failure", "pending", "success"}
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


def now() -> str:
    """The current time as GitHub writes it (UTC, seconds, ``Z``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
