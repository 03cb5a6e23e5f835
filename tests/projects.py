"""Real temporary git + DVC projects: ``Project`` (the ``project`` fixture of the root conftest)
and small builders of a registry project with a shared bare remote."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.cli import CliResult, run_dvc, run_gitml
from tests.helpers import git


class Project:
    """A git repository with DVC initialised; metrics and params declared at the top of dvc.yaml."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, files: dict[str, object]) -> None:
        for name, content in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, (dict, list)):
                text = (
                    yaml.safe_dump(content, sort_keys=False)
                    if name.endswith((".yaml", ".yml"))
                    else json.dumps(content)
                )
            else:
                text = str(content)
            path.write_text(text, encoding="utf-8")

    def declare(self, metrics: list[str], params: list[str] | None = None, extra: str = "") -> None:
        lines = ["metrics:", *(f"  - {m}" for m in metrics)]
        if params:
            lines += ["params:", *(f"  - {p}" for p in params)]
        (self.root / "dvc.yaml").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")

    def commit(self, message: str) -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)
        return git(self.root, "rev-parse", "HEAD")

    def gitml(self, *args: str) -> CliResult:
        return run_gitml(*args, cwd=self.root)

    def report_json(self, *args: str) -> dict:
        out = self.root / "out.json"
        result = self.gitml("report", *args, "--json", str(out))
        assert result.returncode in (0, 1), result.stderr
        return json.loads(out.read_text())


def new_project(root: Path) -> Project:
    """A git repository on main with DVC initialised and committed."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    run_dvc("init", "-q", cwd=root, expect=0)
    git(root, "commit", "-q", "-m", "dvc init")
    return Project(root)


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
    run_dvc("init", "-q", cwd=path, expect=0)
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
