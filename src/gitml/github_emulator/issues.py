"""Issues: get, list (pull requests included, newest first, by ``state`` and ``labels``),
create and update. Labels are created on use; an issue without a title gets 422."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitml.github_emulator.errors import (
    EmulatorError,
    checked_body,
    invalid_request,
    not_found,
    validation_failed,
)
from gitml.github_emulator.limits import ISSUE_STATES, now
from gitml.github_emulator.pagination import page
from gitml.github_emulator.shapes import bare_issue_json, issue_json, pull_as_issue_json
from gitml.github_emulator.state import Issue, Repository, Token

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator


def new_issue(
    emu: GitHubEmulator,
    repo: Repository,
    title: str,
    body: str,
    labels: list[str],
    author: dict[str, str],
    state: str = "open",
) -> Issue:
    """Record an issue under the next number that issues and pull requests share."""
    number, created = repo.next_number(), now()
    record = Issue(
        id=emu.next_id(),
        number=number,
        title=title,
        body=body,
        labels=list(dict.fromkeys(labels)),
        state=state,
        state_reason=None,
        author=author,
        created_at=created,
        updated_at=created,
        closed_at=created if state == "closed" else None,
    )
    repo.issue_records[number] = record
    repo.issues.add(number)
    repo.issue_comments.setdefault(number, [])
    return record


def get_issue(emu: GitHubEmulator, repo: Repository, token, query, payload, number):
    n = int(number)
    if n in repo.issue_records:
        return 200, issue_json(emu, repo, repo.issue_records[n]), {}
    if n not in repo.issues:
        raise not_found()
    return 200, bare_issue_json(emu, repo, n), {}


def _state_invalid() -> EmulatorError:
    return validation_failed({"field": "state", "code": "invalid"})


def list_issues(emu: GitHubEmulator, repo: Repository, token, query, payload):
    state = query.get("state", "open")
    if state not in (*ISSUE_STATES, "all"):
        raise _state_invalid()
    wanted = [name.strip() for name in query.get("labels", "").split(",") if name.strip()]
    items: list[tuple[str, int, Any]] = [
        (r.created_at, r.number, r) for r in repo.issue_records.values()
    ]
    items += [(p.created_at, p.number, p) for p in repo.pulls.values()]
    # newest first, as GitHub's default sort=created&direction=desc
    ascending = query.get("direction") == "asc"
    items.sort(key=lambda item: (item[0], item[1]), reverse=not ascending)
    found = []
    for _created, number, item in items:
        data = (
            issue_json(emu, repo, item)
            if number in repo.issue_records
            else pull_as_issue_json(emu, repo, item)
        )
        if state != "all" and data["state"] != state:
            continue
        names = {label["name"] for label in data["labels"]}
        if all(name in names for name in wanted):
            found.append(data)
    return page(emu, repo, "/issues", query, found)


def _labels(payload: dict[str, Any]) -> list[str]:
    labels = payload.get("labels", [])
    names = [label.get("name") if isinstance(label, dict) else label for label in labels]
    if not isinstance(labels, list) or not all(isinstance(n, str) and n for n in names):
        raise invalid_request("For 'labels', items must be strings.")
    return [str(name) for name in names]


def create_issue(emu: GitHubEmulator, repo: Repository, token: Token, query, payload):
    title = payload.get("title")
    if not isinstance(title, str) or not title.strip():
        raise invalid_request('"title" wasn\'t supplied.')
    body = checked_body(payload, "Issue") if payload.get("body") is not None else ""
    record = new_issue(emu, repo, title, body, _labels(payload), token.author())
    data = issue_json(emu, repo, record)
    return 201, data, {"location": data["url"]}


def _set_state(record: Issue, payload: dict[str, Any]) -> None:
    state = payload["state"]
    if state not in ISSUE_STATES:
        raise _state_invalid()
    if state != record.state:
        record.closed_at = now() if state == "closed" else None
        record.state_reason = payload.get("state_reason") or (
            "completed" if state == "closed" else "reopened"
        )
    record.state = state


def update_issue(emu: GitHubEmulator, repo: Repository, token, query, payload, number):
    record = repo.issue_records.get(int(number))
    if record is None:
        raise not_found()
    if "body" in payload and payload["body"] is not None:
        record.body = checked_body(payload, "Issue")
    if "title" in payload:
        if not isinstance(payload["title"], str) or not payload["title"].strip():
            raise validation_failed({"field": "title", "code": "missing_field"})
        record.title = payload["title"]
    if "labels" in payload:
        record.labels = list(dict.fromkeys(_labels(payload)))
    if "state" in payload:
        _set_state(record, payload)
    record.updated_at = now()
    return 200, issue_json(emu, repo, record), {}
