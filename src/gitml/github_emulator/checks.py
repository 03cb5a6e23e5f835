"""Check runs (only a GitHub App may create them) and commit statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitml.github_emulator.commits import known_commit
from gitml.github_emulator.errors import (
    EmulatorError,
    invalid_request,
    not_found,
    validation_failed,
)
from gitml.github_emulator.limits import (
    CHECK_CONCLUSIONS,
    MAX_STATUS_DESCRIPTION,
    STATUS_STATES,
    now,
)
from gitml.github_emulator.pagination import page
from gitml.github_emulator.shapes import check_run_json, user_json
from gitml.github_emulator.state import CheckRun, CommitStatus, Repository, Token

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator


def _check_run_status(payload: dict[str, Any]) -> tuple[str, str | None]:
    """(status, conclusion) of a new check run, or GitHub's 422."""
    conclusion = payload.get("conclusion")
    status = payload.get("status", "completed" if conclusion else "queued")
    if conclusion is not None and conclusion not in CHECK_CONCLUSIONS:
        raise invalid_request("conclusion is not a member of the enum.")
    if status == "completed" and conclusion is None:
        raise invalid_request('"conclusion" wasn\'t supplied.')
    return status, conclusion


def create_check_run(emu: GitHubEmulator, repo: Repository, token: Token, query, payload):
    if token.kind != "app":
        raise EmulatorError(403, "You must authenticate via a GitHub App.")
    name, head_sha = payload.get("name"), payload.get("head_sha")
    if not isinstance(name, str) or not name or not isinstance(head_sha, str):
        raise invalid_request('"name", "head_sha" weren\'t supplied.')
    known_commit(repo, head_sha)
    status, conclusion = _check_run_status(payload)
    run = CheckRun(
        id=emu.next_id(),
        name=name,
        head_sha=head_sha,
        status=status,
        conclusion=conclusion,
        external_id=payload.get("external_id", ""),
        details_url=payload.get("details_url"),
        started_at=payload.get("started_at", now()),
        completed_at=payload.get("completed_at") or (now() if conclusion else None),
        output={
            "title": None,
            "summary": None,
            "text": None,
            "annotations_count": 0,
            **(payload.get("output") or {}),
        },
    )
    repo.check_runs.append(run)
    return 201, check_run_json(emu, repo, run), {}


def get_check_run(emu: GitHubEmulator, repo: Repository, token, query, payload, run_id):
    for run in repo.check_runs:
        if run.id == int(run_id):
            return 200, check_run_json(emu, repo, run), {}
    raise not_found()


def _status_fields(payload: dict[str, Any]) -> tuple[str, str | None]:
    """(state, description) of a new commit status, or GitHub's 422."""
    state = payload.get("state")
    if state not in STATUS_STATES:
        raise validation_failed({"resource": "Status", "code": "custom", "field": "state"})
    description = payload.get("description")
    if description is not None and len(description) > MAX_STATUS_DESCRIPTION:
        raise validation_failed(
            {
                "resource": "Status",
                "code": "custom",
                "field": "description",
                "message": "description is too long "
                f"(maximum is {MAX_STATUS_DESCRIPTION} characters)",
            }
        )
    return state, description


def create_status(emu: GitHubEmulator, repo: Repository, token: Token, query, payload, sha):
    known_commit(repo, sha)
    state, description = _status_fields(payload)
    created, status_id = now(), emu.next_id()
    status = CommitStatus(
        id=status_id,
        node_id=f"SC_{status_id}",
        url=f"{emu.url}/repos/{repo.full_name}/statuses/{sha}",
        state=state,
        description=description,
        target_url=payload.get("target_url"),
        context=payload.get("context") or "default",
        created_at=created,
        updated_at=created,
        creator=user_json(emu, token.login, token.user_type),
    )
    repo.statuses.setdefault(sha, []).append(status)
    return 201, status.to_dict(), {}


def list_statuses(emu: GitHubEmulator, repo: Repository, token, query, payload, sha):
    items = [s.to_dict() for s in reversed(repo.statuses.get(sha, []))]
    return page(emu, repo, f"/statuses/{sha}", query, items)
