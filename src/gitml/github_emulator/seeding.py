"""The seed document (``--seed FILE`` or ``POST /_emulator/seed``) loaded into an emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator


def _seed_repo(emu: GitHubEmulator, raw: dict[str, Any]) -> None:
    full_name = raw["full_name"]
    if full_name not in emu.repos:
        emu.add_repo(
            full_name,
            private=raw.get("private", False),
            default_branch=raw.get("default_branch", "main"),
        )
    for sha in raw.get("commits", []):
        emu.add_commit(full_name, sha)
    for name, sha in raw.get("branches", {}).items():
        emu.add_branch(full_name, name, sha)
    for pull in raw.get("pulls", []):
        emu.add_pull(full_name, **pull)
    for issue in raw.get("issues", []):
        emu.add_issue_record(full_name, **issue)
    for number, comments in raw.get("issue_comments", {}).items():
        for comment in comments:
            emu.add_issue_comment(
                full_name,
                int(number),
                comment["body"],
                login=comment.get("login", "octocat"),
                user_type=comment.get("user_type", "User"),
            )


def seed(emu: GitHubEmulator, document: dict[str, Any]) -> None:
    """Load tokens, repositories, pull requests, issues and comments from ``document``."""
    for token in document.get("tokens", []):
        emu.add_token(**token)
    for raw in document.get("repos", []):
        _seed_repo(emu, raw)
