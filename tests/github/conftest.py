"""Fixtures for the GitHub layer: an emulated GitHub on 127.0.0.1 and the Actions environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitml.github_emulator import GitHubEmulator

REPO = "octo/ml"
TOKEN = "ghs_TESTTOKEN0123456789abcdefSECRET"
READ_ONLY_TOKEN = "ghs_READONLY0123456789abcdefSECRET"
HEAD_SHA = "a" * 40
MERGE_SHA = "b" * 40
PR = 7


@pytest.fixture
def emulator():
    """A started emulation with one repository, a write and a read-only token, and PR #7."""
    with GitHubEmulator() as emu:
        emu.add_token(TOKEN)
        emu.add_token(READ_ONLY_TOKEN, write=False)
        emu.add_repo(REPO)
        emu.add_pull(REPO, PR, head_sha=HEAD_SHA)
        emu.add_commit(REPO, MERGE_SHA)
        yield emu


@pytest.fixture
def actions_env(emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The environment of a ``pull_request`` job for PR #7, pointed at the emulation.

    Retries are kept fast: the longest wait is capped and writes are not spaced out.
    """
    event = tmp_path / "event.json"
    event.write_text(json.dumps(pull_request_event()), encoding="utf-8")
    summary = tmp_path / "step_summary.md"
    output = tmp_path / "github_output"
    summary.write_text("", encoding="utf-8")
    output.write_text("", encoding="utf-8")
    values = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": emulator.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_SHA": MERGE_SHA,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        "GITML_GITHUB_MAX_WAIT": "5",
        "GITML_GITHUB_WRITE_INTERVAL": "0",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return values


def pull_request_event(number: int = PR, head_sha: str = HEAD_SHA, fork: bool = False) -> dict:
    """A trimmed ``pull_request`` payload with the fields GitHub sends and gitml reads."""
    head_repo = "contributor/ml" if fork else REPO
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"sha": head_sha, "ref": "feature", "repo": {"full_name": head_repo}},
            "base": {"sha": "0" * 40, "ref": "main", "repo": {"full_name": REPO}},
        },
        "repository": {"full_name": REPO},
    }
