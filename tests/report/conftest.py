"""Real git + DVC projects in temporary folders, built with small helpers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import git

BIN = Path(sys.executable).parent
GITML = str(BIN / "gitml")
DVC = str(BIN / "dvc")


def run_cli(cwd: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run a console script from this environment (gitml, dvc) and capture its output."""
    tool = GITML if args[0] == "gitml" else DVC
    result = subprocess.run([tool, *args[1:]], cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


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

    def gitml(self, *args: str) -> subprocess.CompletedProcess:
        return run_cli(self.root, "gitml", *args)

    def report_json(self, *args: str) -> dict:
        out = self.root / "out.json"
        result = self.gitml("report", *args, "--json", str(out))
        assert result.returncode in (0, 1), result.stderr
        return json.loads(out.read_text())


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    run_cli(root, "dvc", "init", "-q", check=True)
    git(root, "commit", "-q", "-m", "dvc init")
    return Project(root)
