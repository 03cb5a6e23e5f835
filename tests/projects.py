"""Small builders for real temporary git + DVC projects with a shared bare remote."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import git

PYPROJECT = """\
[tool.gitml.metrics]
accuracy = "higher"

[[tool.gitml.gates]]
metric = "accuracy"
min = 0.80
max_regression = 0.02

[tool.gitml.promote]
artifact = "classifier"
"""

DVC_YAML = """\
metrics:
  - metrics.json
artifacts:
  classifier:
    path: models/model.joblib
    type: model
"""


def make_project(path: Path) -> Path:
    """A git + DVC project declaring the `classifier` artifact, one commit with accuracy 0.90."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=path, check=True)
    (path / "pyproject.toml").write_text(PYPROJECT)
    (path / "dvc.yaml").write_text(DVC_YAML)
    commit_metrics(path, 0.90, "first model")
    return path


def commit_metrics(path: Path, accuracy: float, message: str) -> str:
    """Commit a new metrics.json (as a merged training run would) and return the commit sha."""
    (path / "metrics.json").write_text(json.dumps({"accuracy": accuracy}) + "\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", message)
    return git(path, "rev-parse", "HEAD")


def make_remote(tmp_path: Path) -> tuple[Path, Path]:
    """A bare remote seeded from a fresh project, and a first clone of it."""
    seed = make_project(tmp_path / "seed")
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(seed, "push", "-q", str(bare), "main")
    return bare, clone(bare, tmp_path / "clone-a")


def clone(bare: Path, dest: Path) -> Path:
    git(dest.parent, "clone", "-q", str(bare), str(dest))
    return dest


def remote_tags(bare: Path) -> list[str]:
    out = git(bare, "tag", "--list")
    return sorted(out.split()) if out else []
