"""A tiny real git + DVC project whose one stage computes a known score from its params, so a
sweep's leaderboard can be checked against the formula and against each run's own metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import git
from tests.sweep.helpers import DVC_YAML, PYPROJECT, TRAIN, SweepProject


@pytest.fixture
def sweep_project(tmp_path: Path) -> SweepProject:
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    project = SweepProject(root)
    project.dvc("init", "-q")
    project.dvc("remote", "add", "-d", "-q", "local", str(tmp_path / "remote"))
    (root / "train.py").write_text(TRAIN)
    (root / "params.yaml").write_text("train:\n  depth: 4\n  kind: a\n")
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / ".gitignore").write_text(".gitml/\n")
    project.dvc("repro", "-q")
    project.dvc("push", "-q", "--run-cache")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "baseline")
    return project
