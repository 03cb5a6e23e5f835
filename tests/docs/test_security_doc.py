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


PROMISE = re.compile(r"^\| (?!promise \||---)(.+?) \| (.+) \|$", re.MULTILINE)
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def promises() -> list[tuple[str, list[tuple[str, str]]]]:
    text = (REPO_ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    section = text.split("## Promises and the tests that check them", 1)[1].split("\n## ", 1)[0]
    return [(promise, TEST_ID.findall(tests)) for promise, tests in PROMISE.findall(section)]


def test_every_promise_names_tests_that_exist():
    """Each row of the promises table names at least one test, and each test it names is a test
    function in that file: a promise whose test is renamed or deleted fails here."""
    import ast

    found = promises()
    assert len(found) >= 15, "the promises table is missing"
    for promise, tests in found:
        assert tests, f"promise without a test: {promise}"
        for path, name in tests:
            tree = ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"))
            defined = {
                node.name
                for node in tree.body
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
            assert name in defined, f"{path}::{name} (for: {promise}) does not exist"
