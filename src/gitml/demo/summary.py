"""The demo's closing summary: each step with its time, both pull requests, the three versions,
the files to open."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from gitml.demo import DemoResult
from gitml.report.terminal import columns


def render_summary(result: DemoResult) -> str:
    """Steps and times, the model that answered, the files to open and what to try next."""
    folder = result.folder
    facts = folder.facts
    gitml = shlex.quote(gitml_executable())
    rows = [
        [
            f"{index}.",
            step.title,
            f"{step.seconds:.1f}s" + (" (earlier run)" if step.earlier else ""),
        ]
        for index, step in enumerate(result.steps, start=1)
    ]
    latest = _latest_release(facts)
    lines = [
        f"gitml demo: done in {result.seconds:.1f}s"
        + (" (resumed: steps done earlier were not run again)" if result.resumed else ""),
        "",
        *columns(rows),
        "",
        *pull_request_lines(result),
        f"Monitoring: verdict {facts.get('monitor_verdict', '?')} on the shifted traffic; the "
        f"monitoring issue is {facts.get('monitor_issue_url', '?')} (saved in "
        f"{folder.github / 'monitoring-issue.md'})",
        *production_lines(facts),
        "",
        "Versions of classifier:",
        *version_lines(facts),
        "",
        "Files to open:",
        *columns([[str(path), what] for what, path in result.files()]),
        "",
        "Try next:",
        f"  cd {shlex.quote(str(folder.workspace))} && git fetch --quiet --tags && {gitml} models",
        f"  cd {shlex.quote(str(folder.ci_main))} && "
        f"BENTOML_HOME={shlex.quote(str(folder.bentoml_home))} {gitml} serve "
        f"--stage {latest.get('stage', 'staging')}",
    ]
    return "\n".join(lines) + "\n"


def pull_request_lines(result: DemoResult) -> list[str]:
    """One line per pull request: what it was, its verdict, where its comment went."""
    folder = result.folder
    lines = []
    for number, pull in sorted(folder.facts.get("pulls", {}).items(), key=lambda i: int(i[0])):
        lines.append(
            f"Pull request #{number} ({pull.get('title', '?')}, branch {pull.get('branch', '?')}): "
            f"verdict {pull.get('verdict', '?')}; "
            + ("merged" if "merge" in pull else "not merged")
            + f"; the comment was posted to {pull.get('comment_url', '?')} (saved in "
            f"{folder.github / f'pull-{number}-comment.md'})"
        )
    return lines


def production_lines(facts: dict) -> list[str]:
    """The prod move's validation verdict and the rollback."""
    validation, rollback = facts.get("validation"), facts.get("rollback")
    if not validation:
        return []
    lines = [
        f"Prod: {validation.get('version', '?')} validated on prod's logged traffic (verdict "
        f"{validation.get('verdict', '?')}) and promoted"
    ]
    if rollback:
        lines[0] += f"; then rolled back from {rollback.get('from')} to {rollback.get('to')}"
    return lines


def version_lines(facts: dict) -> list[str]:
    """v0.1.0 from the baseline, then one version per merged pull request, with its Bento and
    how it answered."""
    rows = [[facts.get("baseline_version", "?"), "the baseline, trained on main"]]
    releases = facts.get("releases", {})
    for number, release in sorted(releases.items(), key=lambda i: int(i[0])):
        rows.append(
            [
                release.get("version", "?"),
                f"pull request #{number} merged, promoted to {release.get('stage', '?')}; "
                f"Bento {release.get('bento', '?')}; predictions {release.get('predictions', '?')}",
            ]
        )
    return columns(rows)


def _latest_release(facts: dict) -> dict:
    releases = facts.get("releases", {})
    return releases[max(releases, key=int)] if releases else {}


def gitml_executable() -> str:
    """The ``gitml`` that is running, by path: under ``uv run`` (the README's way) the user's own
    shell does not have it on PATH."""
    beside = Path(sys.executable).parent / "gitml"
    return str(beside) if beside.exists() else "gitml"
