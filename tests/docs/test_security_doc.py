"""docs/security.md's permissions table matches what each job of the workflows is granted."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from gitml import workflow_reference

REPO_ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `(gitml-[a-z]+\.yml)` \| `([\w-]+)` \| ([^|]+) \|", re.MULTILINE)


def documented() -> dict[tuple[str, str], set[str]]:
    text = (REPO_ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    return {
        (workflow, job): set(re.findall(r"`([\w-]+: \w+)`", permissions))
        for workflow, job, permissions in ROW.findall(text)
    }


def declared() -> dict[tuple[str, str], set[str]]:
    found = {}
    for relative in workflow_reference.WORKFLOWS:
        data = yaml.safe_load((REPO_ROOT / relative).read_text(encoding="utf-8"))
        assert data["permissions"] == {}, f"{relative}: top-level permissions must be {{}}"
        for job_id, job in data["jobs"].items():
            found[(Path(relative).name, job_id)] = {
                f"{scope}: {level}" for scope, level in job["permissions"].items()
            }
    return found


def test_permissions_table_matches_the_workflows():
    assert documented() == declared(), (
        "docs/security.md's 'Permissions per job' table differs from the workflows' jobs"
    )
