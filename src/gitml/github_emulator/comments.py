"""Comments on issues and pull requests, and on commits: list, create, get, update, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from gitml.github_emulator.commits import known_commit
from gitml.github_emulator.errors import checked_body, not_found
from gitml.github_emulator.limits import now
from gitml.github_emulator.pagination import page
from gitml.github_emulator.shapes import commit_comment_json, issue_comment_json
from gitml.github_emulator.state import Comment, CommitComment, IssueComment, Repository

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator

C = TypeVar("C", bound=Comment)


def _find(groups: dict[int, list[C]] | dict[str, list[C]], comment_id: str) -> C:
    """A comment by id among comments grouped by issue number or commit sha; 404 if absent."""
    for comments in groups.values():
        for comment in comments:
            if comment.id == int(comment_id):
                return comment
    raise not_found()


def _issue_number(repo: Repository, number: str) -> int:
    n = int(number)
    if n not in repo.issues:
        raise not_found()
    return n


# -- on issues and pull requests ---------------------------------------------------------------


def list_issue_comments(emu: GitHubEmulator, repo: Repository, token, query, payload, number):
    n = _issue_number(repo, number)
    items = [issue_comment_json(emu, repo, c) for c in repo.issue_comments[n]]
    return page(emu, repo, f"/issues/{n}/comments", query, items)


def create_issue_comment(emu: GitHubEmulator, repo: Repository, token, query, payload, number):
    n = _issue_number(repo, number)
    body = checked_body(payload, "IssueComment")
    comment = IssueComment(**emu.comment_fields(body, token.author()), issue=n)
    repo.issue_comments[n].append(comment)
    data = issue_comment_json(emu, repo, comment)
    return 201, data, {"location": data["url"]}


def get_issue_comment(emu: GitHubEmulator, repo: Repository, token, query, payload, comment_id):
    comment = _find(repo.issue_comments, comment_id)
    return 200, issue_comment_json(emu, repo, comment), {}


def update_issue_comment(emu: GitHubEmulator, repo: Repository, token, query, payload, comment_id):
    comment = _find(repo.issue_comments, comment_id)
    comment.body = checked_body(payload, "IssueComment")
    comment.updated_at = now()
    return 200, issue_comment_json(emu, repo, comment), {}


def delete_issue_comment(emu: GitHubEmulator, repo: Repository, token, query, payload, comment_id):
    comment = _find(repo.issue_comments, comment_id)
    repo.issue_comments[comment.issue].remove(comment)
    return 204, None, {}


# -- on commits --------------------------------------------------------------------------------


def list_commit_comments(emu: GitHubEmulator, repo: Repository, token, query, payload, sha):
    known_commit(repo, sha)
    items = [commit_comment_json(emu, repo, c) for c in repo.commit_comments.get(sha, [])]
    return page(emu, repo, f"/commits/{sha}/comments", query, items)


def create_commit_comment(emu: GitHubEmulator, repo: Repository, token, query, payload, sha):
    known_commit(repo, sha)
    body = checked_body(payload, "CommitComment")
    comment = CommitComment(**emu.comment_fields(body, token.author()), commit_id=sha)
    repo.commit_comments.setdefault(sha, []).append(comment)
    data = commit_comment_json(emu, repo, comment)
    return 201, data, {"location": data["url"]}


def get_commit_comment(emu: GitHubEmulator, repo: Repository, token, query, payload, comment_id):
    comment = _find(repo.commit_comments, comment_id)
    return 200, commit_comment_json(emu, repo, comment), {}


def update_commit_comment(emu: GitHubEmulator, repo: Repository, token, query, payload, comment_id):
    comment = _find(repo.commit_comments, comment_id)
    comment.body = checked_body(payload, "CommitComment")
    comment.updated_at = now()
    return 200, commit_comment_json(emu, repo, comment), {}


def delete_commit_comment(emu: GitHubEmulator, repo: Repository, token, query, payload, comment_id):
    comment = _find(repo.commit_comments, comment_id)
    repo.commit_comments[comment.commit_id].remove(comment)
    return 204, None, {}
