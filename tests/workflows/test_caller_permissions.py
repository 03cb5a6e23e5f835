"""Every caller of a reusable workflow grants what each of that workflow's jobs asks for.

GitHub checks this when a run starts, before any job's `if:` is evaluated: a caller that grants
less than a nested job requests (even one that would be skipped, such as the monitoring
workflow's retrain job with `retrain` off) makes the whole run fail with "The nested job ... is
requesting ..., but is only allowed ...". Checked for this repository's callers and for every
caller example in the docs, which users copy.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
CALLED = re.compile(r"^(?:\./|gitml/gitml/)\.github/workflows/(gitml-[a-z]+\.yml)")
LEVEL = {"none": 0, "read": 1, "write": 2}
FENCE = re.compile(r"^```ya?ml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def requested(workflow: str) -> dict[str, str]:
    """The most each scope is asked for by any job of the reusable ``workflow``."""
    jobs = yaml.safe_load((WORKFLOWS / workflow).read_text())["jobs"]
    most: dict[str, str] = {}
    for job in jobs.values():
        for scope, level in (job.get("permissions") or {}).items():
            if LEVEL[level] > LEVEL[most.get(scope, "none")]:
                most[scope] = level
    return most


def calling_jobs(document: dict) -> list[tuple[str, str, dict]]:
    """(job id, called workflow, the job's grant) for each job that calls a gitml workflow."""
    found = []
    for job_id, job in (document.get("jobs") or {}).items():
        called = CALLED.match(str(job.get("uses", "")))
        if called:
            grant = job.get("permissions", document.get("permissions", {}))
            found.append((job_id, called[1], grant))
    return found


def callers() -> list[tuple[str, str, str, dict]]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        found += [(path.name, *call) for call in calling_jobs(document)]
    for page in [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]:
        for number, block in enumerate(FENCE.findall(page.read_text())):
            document = yaml.safe_load(block)
            if isinstance(document, dict):
                where = f"{page.relative_to(REPO_ROOT)} block {number + 1}"
                found += [(where, *call) for call in calling_jobs(document)]
    return found


CALLERS = callers()


def test_the_callers_are_found() -> None:
    places = {(where.split(" block")[0], workflow) for where, _, workflow, _ in CALLERS}
    assert ("monitor.yml", "gitml-monitor.yml") in places
    assert ("docs/monitor.md", "gitml-monitor.yml") in places
    assert ("docs/workflows.md", "gitml-monitor.yml") in places


@pytest.mark.parametrize(
    ("where", "job", "workflow", "grant"), CALLERS, ids=[f"{c[0]}:{c[1]}" for c in CALLERS]
)
def test_the_caller_grants_what_the_nested_jobs_request(
    where: str, job: str, workflow: str, grant: dict
) -> None:
    assert isinstance(grant, dict), f"{where}: job {job} grants {grant!r}; grant scopes one by one"
    short = {
        scope: level
        for scope, level in requested(workflow).items()
        if LEVEL[grant.get(scope, "none")] < LEVEL[level]
    }
    assert not short, (
        f"{where}: job {job} calls {workflow} but grants less than its jobs request: {short}"
    )
