"""Helpers every test folder uses: the repository's root, git, and the host isolation."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Point HOME at ``home``, drop the host's git config, GitHub context and tokens (also for
    module-scoped fixtures, which run before the autouse fixture)."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "gitml tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@gitml.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "gitml tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@gitml.invalid")
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    monkeypatch.setenv("DVC_SITE_CACHE_DIR", str(home / ".dvc-site"))
    monkeypatch.setenv("BENTOML_HOME", str(home / "bentoml"))
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "RUNNER_", "INPUT_")) or name in {"CI", "GH_TOKEN"}:
            monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` and return its stripped stdout; fail the test on a non-zero exit."""
    result = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return result.stdout.strip()
