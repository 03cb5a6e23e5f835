"""``gitml init`` runs in real temporary git repositories, with DVC initialised or not."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, git
from tests.projects import Project


@pytest.fixture
def bare_git(tmp_path: Path) -> Project:
    """An empty git repository on branch main, without DVC."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return Project(root)


@pytest.fixture(scope="session")
def pinned_sha() -> str:
    """The commit gitml init pins by default here: this checkout's, since gitml is installed editable."""
    return git(REPO_ROOT, "rev-parse", "HEAD")
