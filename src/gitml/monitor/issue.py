"""One sticky GitHub issue per model and stage for the monitoring report.

The issue is labelled ``gitml-monitor`` and its body ends with a hidden marker
``<!-- gitml:monitor id=MODEL.STAGE -->``; it is gitml's when it holds that exact marker as a line
of its own (a marker inside the report, say a categorical value, is neutralized before posting:
``core/markers.py``) and was written by the same account (as the sticky PR comment: ``gitml.github.sticky.is_ours``). Every page of
the label's issues, open and closed, is read. On drift or a failed gate the issue is opened (or
reopened) with the report, and so on ``untested`` (monitoring that tested nothing must be looked
at); while healthy it is updated and closed; a healthy model with no issue gets none. A window
with no traffic (``empty``) says nothing about the model: an open issue is kept as it is (neither
closed as solved nor overwritten), and none is opened. Duplicates left by an earlier failure are
closed, keeping the oldest.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from gitml.core import markers
from gitml.core.github_output import write_outputs
from gitml.core.secrets import mask
from gitml.errors import DataError, GitHubError, UsageError
from gitml.github import sticky
from gitml.github.summary import append_step_summary
from gitml.monitor.model import ALARMING, EMPTY, VERDICTS

LABEL = "gitml-monitor"


class Issue(Protocol):
    """What gitml reads and changes of an issue (PyGithub's ``Issue``)."""

    @property
    def number(self) -> int: ...
    @property
    def body(self) -> str | None: ...
    @property
    def state(self) -> str: ...
    @property
    def html_url(self) -> str: ...
    @property
    def user(self) -> Any: ...
    @property
    def pull_request(self) -> Any: ...

    def edit(self, *, body: str = ..., state: str = ..., state_reason: str = ...) -> None: ...


class Issues(Protocol):
    """A repository's issues (PyGithub's ``Repository``)."""

    def get_issues(self, *, state: str, labels: list[str]) -> Iterable[Issue]: ...
    def create_issue(self, title: str, *, body: str, labels: list[str]) -> Issue: ...


def issue_id(model: str | None, stage: str | None) -> str:
    """``MODEL.STAGE`` made safe for the marker (``data`` when no model is named)."""
    raw = ".".join(p for p in (model, stage) if p) or "data"
    return re.sub(r"[^A-Za-z0-9._-]", "-", raw)[:64].lstrip("._-") or "data"


def marker(key: str) -> str:
    return f"<!-- gitml:monitor id={key} -->"


def title(model: str | None, stage: str | None) -> str:
    if model and stage:
        return f"gitml monitor: {model} in {stage}"
    return "gitml monitor: data drift"


@dataclass(frozen=True)
class IssueOutcome:
    #: "created", "reopened", "updated", "closed", "kept" (an empty window: the issue as it was),
    #: "none" (healthy and no issue) or "quiet" (an empty window and no issue)
    action: str
    number: int | None = None
    url: str = ""
    closed_duplicates: int = 0


def upsert_issue(
    issues: Issues,
    body: str,
    key: str,
    issue_title: str,
    alarming: bool,
    viewer: Callable[[], sticky.Identity],
    conclusive: bool = True,
) -> IssueOutcome:
    """Open, reopen, update or close the one issue marked ``key``; see the module docstring."""
    body, issue_title = mask(body), mask(issue_title)
    if len(body) > sticky.MAX_BODY:
        raise ValueError(f"body of {len(body)} characters is over {sticky.MAX_BODY}")
    tag = marker(key)
    marked = [
        i
        for i in issues.get_issues(state="all", labels=[LABEL])
        if i.pull_request is None and markers.holds(i.body, tag)
    ]
    ours: list[Issue] = []
    if marked:
        login = viewer()
        ours = sorted((i for i in marked if sticky.is_ours(i, tag, login)), key=lambda i: i.number)
    if not ours:
        if not alarming:
            return IssueOutcome("none" if conclusive else "quiet")
        created = issues.create_issue(title=issue_title, body=body, labels=[LABEL])
        return IssueOutcome("created", created.number, created.html_url)
    keep, *duplicates = ours
    for duplicate in duplicates:
        if duplicate.state == "open":
            duplicate.edit(state="closed", state_reason="not_planned")
    if alarming:
        action = "reopened" if keep.state == "closed" else "updated"
        keep.edit(body=body, state="open")
    elif not conclusive:
        action = "kept"
    else:
        action = "closed" if keep.state == "open" else "updated"
        keep.edit(body=body, state="closed", state_reason="completed")
    return IssueOutcome(action, keep.number, keep.html_url, len(duplicates))


@dataclass(frozen=True)
class IssueRequest:
    """What ``gitml monitor-issue`` was asked (its options)."""

    report: Path
    json_path: Path | None = None
    repository: str | None = None
    api_url: str | None = None
    #: Markdown added after the report (a proposed rollback)
    extra: str = ""


def _read(request: IssueRequest) -> tuple[str, dict[str, Any]]:
    json_path = request.json_path or request.report.with_suffix(".json")
    try:
        text = request.report.read_text(encoding="utf-8")
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(
            f"cannot read the monitoring report ({error}); run `gitml monitor -o {request.report} "
            f"--json {json_path}` first"
        ) from None
    if not isinstance(data, dict) or data.get("verdict") not in VERDICTS:
        raise UsageError(f"{json_path} is not a gitml monitor JSON report (no verdict)")
    return text, data


def publish_issue(request: IssueRequest, env: Mapping[str, str] | None = None) -> IssueOutcome:
    """Job summary, then the sticky issue, then the step outputs ``verdict`` and ``issue-url``."""
    from gitml.github.api import GitHubApi
    from gitml.github.client import RetrySettings
    from gitml.github.context import resolve
    from gitml.github.errors import ApiError

    env = os.environ if env is None else env
    text, data = _read(request)
    key = issue_id(data.get("model"), data.get("stage"))
    extra = f"\n\n{request.extra.strip()}" if request.extra.strip() else ""
    body = markers.attach(f"{text.rstrip()}{extra}", marker(key))
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        append_step_summary(Path(summary), text)
    context = resolve(env, repository=request.repository, api_url=request.api_url)
    if not context.repository:
        raise UsageError("no repository: set GITHUB_REPOSITORY or pass --repo OWNER/NAME")
    if len(body) > sticky.MAX_BODY:
        raise DataError(
            f"the issue body would be {len(body):,} characters, over GitHub's {sticky.MAX_BODY:,}; "
            "the report is in the job summary and the file (gitml monitor caps it at 64,000)"
        )
    settings = RetrySettings.from_env(env)
    api = GitHubApi.connect(context, settings)
    gh = api.gh
    alarming = data["verdict"] in ALARMING
    name = title(data.get("model"), data.get("stage"))
    try:
        repo = gh.get_repo(context.repository)
        outcome = api(
            f"keeping the monitoring issue of {key}",
            lambda: upsert_issue(
                repo, body, key, name, alarming, api.viewer, data["verdict"] != EMPTY
            ),
        )
    except ApiError as error:
        if error.forbidden:
            raise GitHubError(
                f"{error.message}; the token may not write issues: give the job "
                f"`permissions: issues: write` (the report is in {request.report}"
                f"{' and the job summary' if summary else ''})"
            ) from None
        raise
    finally:
        gh.close()
    if env.get("GITHUB_OUTPUT"):
        write_outputs(
            {"verdict": data["verdict"], "issue-url": outcome.url}, Path(env["GITHUB_OUTPUT"])
        )
    return outcome
