"""The workflows and the composite action pass zizmor, GitHub's JSON schemas and actionlint.

Each linter also gets one known-bad file, so that a clean result cannot come from a linter that
checked nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.linters import check_schema, lint, zizmor

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = REPO_ROOT / "action" / "action.yml"

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


def test_there_is_something_to_lint() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"gitml-pr.yml", "gitml-comment.yml", "pr.yml", "pr-comment.yml", "ci.yml"} <= names
    assert {"gitml-monitor.yml", "monitor.yml"} <= names
    assert ACTION.is_file()


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
    result = check_schema(schema, path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_bad_action(tmp_path: Path) -> None:
    bad = tmp_path / "action.yml"
    bad.write_text("name: x\nruns:\n  using: composite\n  steps:\n    - run: echo\n")
    result = check_schema("vendor.github-actions", bad)
    assert result.returncode == 1


def test_actionlint_is_clean(actionlint: Path) -> None:
    findings = lint(actionlint, *WORKFLOWS)  # one outdated finding dropped: tests/linters.py
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
