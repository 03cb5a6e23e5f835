"""docs/workflow-reference.md is generated from the workflows and the action, and kept current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from gitml import workflow_reference

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGE = REPO_ROOT / "docs" / "workflow-reference.md"


def section(text: str, relative: str) -> str:
    """The part of the page about one file."""
    start = text.index(f"\n## `{relative}`\n")
    end = text.find("\n## `", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_page_is_current():
    current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    assert current == workflow_reference.render(REPO_ROOT), (
        "docs/workflow-reference.md is stale (a workflow or the action changed); regenerate it "
        f"from the repository's root with: {workflow_reference.REGENERATE}"
    )


def _row(text: str, name: str) -> str:
    rows = [line for line in text.splitlines() if line.startswith(f"| `{name}` |")]
    assert rows, f"no table row for `{name}`"
    return rows[0]


@pytest.mark.parametrize("relative", workflow_reference.WORKFLOWS)
def test_every_declared_name_is_documented_with_its_default(relative):
    """Read independently of the generator: every input, secret, output, job and permission."""
    data = yaml.safe_load((REPO_ROOT / relative).read_text(encoding="utf-8"))
    call = data[True]["workflow_call"]  # YAML 1.1 reads the key `on` as True
    text = section(PAGE.read_text(encoding="utf-8"), relative)
    for name, spec in call.get("inputs", {}).items():
        row = _row(text, name)
        if "default" not in spec and spec.get("required"):
            assert " | yes |  | " in row, (relative, name)  # required, so no default
            continue
        default = spec.get("default", "")
        assert (f"`{default}`" if default != "" else '`""`') in row, (relative, name)
    for name in call.get("secrets", {}):
        _row(text, name)
    for name in call.get("outputs", {}):
        _row(text, name)
    for job_id, job in data["jobs"].items():
        row = _row(text, job_id)
        for scope, level in job["permissions"].items():
            assert f"`{scope}: {level}`" in row, (relative, job_id, scope)


def test_every_action_input_and_output_is_documented():
    data = yaml.safe_load((REPO_ROOT / workflow_reference.ACTION).read_text(encoding="utf-8"))
    text = section(PAGE.read_text(encoding="utf-8"), workflow_reference.ACTION)
    for name, spec in data["inputs"].items():
        row = _row(text, name)
        if "default" in spec:
            default = spec["default"]
            assert (f"`{default}`" if default != "" else '`""`') in row, name
        assert ("| yes |" in row) == bool(spec.get("required")), name
    for name in data["outputs"]:
        _row(text, name)


def test_comment_block_keeps_its_order():
    comment = "Title.\n\nSteps, in order:\n  one  first\n  two  second\nThen prose.\n\nEnd."
    assert workflow_reference._comment_markdown(comment) == (
        "Title.\n\nSteps, in order:\n\n```text\none  first\ntwo  second\n```\n\nThen prose.\n\nEnd."
    )


def test_pinned_actions_reads_sha_and_version():
    text = (
        "    steps:\n"
        "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
        "      - uses: ./local/action\n"
        "        uses: owner/name@main\n"
    )
    assert workflow_reference.pinned_actions(text) == [
        ("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
        ("owner/name", "main", ""),
    ]


def test_check_names_the_regenerate_command(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)  # the command is run from the repository's root
    stale = tmp_path / "workflow-reference.md"
    stale.write_text("old\n", encoding="utf-8")
    assert workflow_reference.check(stale) == (
        f"{stale} is stale (a workflow or the action changed); regenerate it from the "
        f"repository's root with: {workflow_reference.REGENERATE}"
    )
    assert workflow_reference.main(["--check", str(stale)]) == 1
    stale.write_text(workflow_reference.render(REPO_ROOT), encoding="utf-8")
    assert workflow_reference.check(stale) is None


def test_no_third_party_action_is_pinned_to_a_moving_ref():
    """docs/security.md says every third-party action is pinned to a full commit SHA."""
    for relative in (*workflow_reference.WORKFLOWS, workflow_reference.ACTION):
        text = (REPO_ROOT / relative).read_text(encoding="utf-8")
        for action, ref, note in workflow_reference.pinned_actions(text):
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{relative}: {action}@{ref}"
            assert note, f"{relative}: {action}@{ref} has no `# vX` comment"
