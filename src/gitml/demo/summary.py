"""The demo's closing summary: each step with its time, what was predicted, the files to open."""

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
    lines = [
        f"gitml demo: done in {result.seconds:.1f}s"
        + (" (resumed: steps done earlier were not run again)" if result.resumed else ""),
        "",
        *columns(rows),
        "",
        f"Pull request #1: verdict {facts.get('verdict', '?')}; the comment was posted to "
        f"{facts.get('comment_url', '?')} (the emulation stopped with its step; the comment is "
        f"saved in {folder.github / 'pull-1-comment.md'})",
        f"Promoted: classifier {facts.get('version', '?')} in {facts.get('stage', '?')}; "
        f"Bento {facts.get('bento', '?')}; predictions {facts.get('predictions', '?')}",
        f"Monitoring: verdict {facts.get('monitor_verdict', '?')} on the shifted traffic; the "
        f"monitoring issue is {facts.get('monitor_issue_url', '?')} (saved in "
        f"{folder.github / 'monitoring-issue.md'})",
        "",
        "Files to open:",
        *columns([[str(path), what] for what, path in result.files()]),
        "",
        "Try next:",
        f"  cd {shlex.quote(str(folder.workspace))} && git fetch --quiet --tags && {gitml} models",
        f"  cd {shlex.quote(str(folder.ci_main))} && "
        f"BENTOML_HOME={shlex.quote(str(folder.bentoml_home))} {gitml} serve "
        f"--stage {facts.get('stage', 'staging')}",
    ]
    return "\n".join(lines) + "\n"


def gitml_executable() -> str:
    """The ``gitml`` that is running, by path: under ``uv run`` (the README's way) the user's own
    shell does not have it on PATH."""
    beside = Path(sys.executable).parent / "gitml"
    return str(beside) if beside.exists() else "gitml"
