"""Pull requests: list (GitHub's filters and order), get, open and update, and their reviews.

Opening one whose head or base branch does not exist, whose head has no commits past its base,
or whose head and base already have an open pull request gets GitHub's 422."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitml.github_emulator.branches import (
    branch_sha,
    commits_between,
    head_owner,
    refresh_heads,
)
from gitml.github_emulator.errors import (
    EmulatorError,
    invalid_request,
    not_found,
    validation_failed,
)
from gitml.github_emulator.limits import MAX_COMMENT_BODY, now
from gitml.github_emulator.pagination import page
from gitml.github_emulator.shapes import pull_json, review_json, user_json
from gitml.github_emulator.state import PullRequest, Repository, Token

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator


def _invalid(field_name: str, code: str = "invalid", message: str | None = None) -> EmulatorError:
    if message:
        return validation_failed({"resource": "PullRequest", "code": "custom", "message": message})
    return validation_failed({"resource": "PullRequest", "field": field_name, "code": code})


def _pull(repo: Repository, number: str) -> PullRequest:
    pr = repo.pulls.get(int(number))
    if pr is None:
        raise not_found()
    return pr


def _text(payload: dict[str, Any], name: str, required: bool) -> str | None:
    value = payload.get(name)
    if value is None:
        if required:
            raise _invalid(name, "missing_field")
        return None
    if not isinstance(value, str):
        raise invalid_request(f"For '{name}', {value!r} is not a string.")
    if name == "body" and len(value) > MAX_COMMENT_BODY:
        raise _invalid(
            "body", message=f"body is too long (maximum is {MAX_COMMENT_BODY} characters)"
        )
    return value


def list_pulls(emu: GitHubEmulator, repo: Repository, token, query, payload):
    """GitHub's filters: ``state`` (default open), ``head`` (``owner:branch``), ``base``;
    ``sort`` created (default), updated; ``direction`` desc by default, as GitHub's."""
    refresh_heads(repo)
    state = query.get("state", "open")
    pulls = [p for _, p in sorted(repo.pulls.items())]
    if state != "all":
        pulls = [p for p in pulls if p.state == state]
    if "head" in query:
        owner, _, ref = query["head"].rpartition(":")
        pulls = [
            p for p in pulls if p.head_ref == ref and (not owner or owner == head_owner(repo, p))
        ]
    if "base" in query:
        pulls = [p for p in pulls if p.base_ref == query["base"]]
    by_updated = query.get("sort") == "updated"
    pulls.sort(key=lambda p: ((p.updated_at if by_updated else None) or p.created_at, p.number))
    if query.get("direction", "desc") != "asc":
        pulls.reverse()
    return page(emu, repo, "/pulls", query, [pull_json(emu, repo, p) for p in pulls])


def get_pull(emu: GitHubEmulator, repo: Repository, token, query, payload, number):
    pr = _pull(repo, number)
    refresh_heads(repo)
    return 200, pull_json(emu, repo, pr), {}


def _branches(repo: Repository, payload: dict[str, Any]) -> tuple[str, str, str, str]:
    """(base, base sha, head ref, head sha) of a new pull request, or GitHub's 422."""
    base, head = payload.get("base"), payload.get("head")
    if not isinstance(base, str) or not base:
        raise _invalid("base", "missing_field")
    if not isinstance(head, str) or not head:
        raise _invalid("head", "missing_field")
    owner, _, head_ref = head.rpartition(":")
    if owner and owner != repo.owner:
        raise _invalid("head")  # pull requests from forks are not emulated
    base_sha, head_sha = branch_sha(repo, base), branch_sha(repo, head_ref)
    if base_sha is None:
        raise _invalid("base")
    if head_sha is None:
        raise _invalid("head")
    for pr in repo.pulls.values():
        if pr.state == "open" and pr.head_ref == head_ref and pr.base_ref == base:
            raise _invalid(
                "head", message=f"A pull request already exists for {repo.owner}:{head_ref}."
            )
    return base, base_sha, head_ref, head_sha


def create_pull(emu: GitHubEmulator, repo: Repository, token: Token, query, payload):
    title = _text(payload, "title", required=True)
    body = _text(payload, "body", required=False)
    base, base_sha, head_ref, head_sha = _branches(repo, payload)
    commits = commits_between(repo, base_sha, head_sha)
    if not commits:
        raise _invalid("head", message=f"No commits between {base} and {head_ref}")
    pr = emu.add_pull(
        repo.full_name,
        repo.next_number(),
        head_sha=head_sha,
        head_ref=head_ref,
        base_ref=base,
        base_sha=base_sha,
        commits=commits[:-1],
        title=title,
    )
    pr.body, pr.draft = body, bool(payload.get("draft", False))
    pr.user = user_json(emu, token.login, token.user_type)
    data = pull_json(emu, repo, pr)
    return 201, data, {"location": data["url"]}


def update_pull(emu: GitHubEmulator, repo: Repository, token, query, payload, number):
    pr = _pull(repo, number)
    title = _text(payload, "title", required=False)
    body = _text(payload, "body", required=False)
    state, base = payload.get("state"), payload.get("base")
    if state is not None and state not in ("open", "closed"):
        raise validation_failed({"resource": "PullRequest", "field": "state", "code": "invalid"})
    if base is not None and branch_sha(repo, base) is None:
        raise _invalid("base")
    if title is not None:
        pr.title = title
    if body is not None:
        pr.body = body
    if state is not None:
        pr.state = state
    if base is not None:
        pr.base_ref = base
    pr.updated_at = now()
    return 200, pull_json(emu, repo, pr), {}


def list_reviews(emu: GitHubEmulator, repo: Repository, token, query, payload, number):
    """The pull request's reviews, oldest first (GitHub's order)."""
    pr = _pull(repo, number)
    items = [review_json(emu, repo, pr, review) for review in pr.reviews]
    return page(emu, repo, f"/pulls/{number}/reviews", query, items)
