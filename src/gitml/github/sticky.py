"""One sticky comment per pull request (or commit) and report id, found across every page.

The comment body ends with a hidden marker, ``<!-- gitml:report id=ID -->``. A comment is gitml's
when it holds the exact marker for the id *and* was written by the exact account gitml posts as,
compared by login and numeric id: the authenticated user when ``GET /user`` tells (a personal
token), else GitHub Actions' bot, ``github-actions[bot]`` (id 41898282), as which Actions'
``GITHUB_TOKEN`` writes (that installation token may not read ``/user``). So neither a person
quoting the marker nor another bot (another app, another tool copying the marker) ever has its
comment edited or deleted. Every page of comments is read (100 a page): a pull request with
hundreds of comments gets its comment updated, never duplicated. Duplicates left by an earlier
failure are removed, keeping the oldest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from gitml.core.limits import COMMENT_LIMIT
from gitml.errors import UsageError

#: GitHub rejects comment bodies longer than this many characters (422).
MAX_BODY = COMMENT_LIMIT
DEFAULT_ID = "default"
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MARKER_RE = re.compile(r"<!-- gitml:report id=([A-Za-z0-9][A-Za-z0-9._-]{0,63}) -->")


class Authored(Protocol):
    """Anything with a body and an author: a comment, an issue, a pull request."""

    @property
    def body(self) -> str | None: ...
    @property
    def user(self) -> Any: ...


class Comment(Authored, Protocol):
    @property
    def html_url(self) -> str: ...

    def edit(self, body: str) -> None: ...
    def delete(self) -> None: ...


class Thread(Protocol):
    """A pull request's issue (issue comments) or a commit (commit comments)."""

    def get_comments(self) -> Iterable[Comment]: ...
    def create_comment(self, body: str) -> Comment: ...


def check_id(report_id: str) -> str:
    if not ID_RE.fullmatch(report_id):
        raise UsageError(
            f"--id must be 1-64 letters, digits, '.', '_' or '-' and start with a letter or "
            f"digit, got {report_id!r}"
        )
    return report_id


def marker(report_id: str) -> str:
    return f"<!-- gitml:report id={check_id(report_id)} -->"


def marker_id(text: str) -> str | None:
    """The id of the first gitml marker in ``text`` (a report saved for the fork-safe workflow)."""
    found = MARKER_RE.search(text)
    return found.group(1) if found else None


def compose(report: str, report_id: str) -> str:
    """The comment body: the report without any earlier marker, then this id's marker."""
    text = MARKER_RE.sub("", report).rstrip()
    return f"{text}\n\n{marker(report_id)}\n"


def strip_marker(body: str) -> str:
    return MARKER_RE.sub("", body).rstrip() + "\n"


@dataclass(frozen=True)
class Identity:
    """The account a token writes as."""

    login: str
    id: int


#: The account Actions' ``GITHUB_TOKEN`` writes as (a GitHub App bot; its id is fixed).
ACTIONS_BOT = Identity("github-actions[bot]", 41898282)


#: what ``upsert`` did to the comment
UpsertAction = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class Upserted:
    action: UpsertAction
    url: str
    removed_duplicates: int = 0


def is_ours(comment: Authored, report_marker: str, author: Identity) -> bool:
    """The comment holds the marker and ``author`` wrote it (same login and same id)."""
    if report_marker not in (comment.body or ""):
        return False
    user = comment.user
    return user is not None and (user.login, user.id) == (author.login, author.id)


def upsert(thread: Thread, body: str, report_id: str, viewer: Callable[[], Identity]) -> Upserted:
    """Update this id's comment on ``thread`` or create it. ``viewer()`` names the account the
    token writes as; it is asked only when a marked comment exists."""
    if len(body) > MAX_BODY:
        raise ValueError(f"body of {len(body)} characters is over {MAX_BODY}")
    report_marker = marker(report_id)
    marked = [c for c in thread.get_comments() if report_marker in (c.body or "")]
    ours: list[Comment] = []
    if marked:
        author = viewer()
        ours = [c for c in marked if is_ours(c, report_marker, author)]
    if not ours:
        created = thread.create_comment(body)
        return Upserted("created", created.html_url)
    keep, *duplicates = ours
    for duplicate in duplicates:
        duplicate.delete()
    if keep.body == body:
        return Upserted("unchanged", keep.html_url, len(duplicates))
    keep.edit(body)
    return Upserted("updated", keep.html_url, len(duplicates))
