"""The gates' verdict as a check run, or a commit status where check runs are not allowed.

The verdict comes from the report engine's JSON (``report.json``): top-level ``"verdict"``
(``"pass"``, ``"fail"`` or ``"incomplete"``), ``"gates"`` (``[{"metric", "rule", "passed",
"detail"}]``) and the metrics files that did not load (``"errors"`` of source ``metrics`` with no
``metric``). The check run is named ``gitml`` (``gitml / ID`` with ``--id``) and concludes
``success`` (pass), ``failure`` (a gate failed) or ``action_required`` (metrics did not load: a
person must act, by pulling, pushing or giving the run the remote's credentials). GitHub counts
``neutral`` and ``skipped`` as passing a required check, so a report about data that did not load
never concludes those nor ``success``: ``action_required`` blocks the merge like ``failure``.
The summary lists the failing gates and what did not load, so branch protection can require it. Only GitHub Apps (such as
Actions' ``GITHUB_TOKEN`` with ``checks: write``) may create check runs; with a personal token, or
without that permission, GitHub answers 403 and a commit status with the same name is set instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from github.GithubException import GithubException
from github.GithubObject import NotSet
from github.Repository import Repository

from gitml.core.secrets import mask
from gitml.errors import UsageError

#: GitHub caps a check run's output summary at 65,535 characters and a status description at 140.
MAX_CHECK_SUMMARY = 65_535
MAX_STATUS_DESCRIPTION = 140


#: the gates' verdict in the report JSON, and the check run's (or commit status's) conclusion
VerdictName = Literal["pass", "fail", "incomplete"]
VERDICTS = ("pass", "fail", "incomplete")
Conclusion = Literal["success", "failure", "action_required", "error"]
#: the check run's conclusion per verdict, and the commit status's state (which has no
#: ``action_required``: ``error``, which blocks a required status as well)
CONCLUSIONS: dict[str, Conclusion] = {
    "pass": "success",
    "fail": "failure",
    "incomplete": "action_required",
}
STATUS_STATES: dict[str, Conclusion] = {"pass": "success", "fail": "failure", "incomplete": "error"}
#: a check run, or a commit status where check runs are not allowed
CheckKind = Literal["check_run", "status"]


@dataclass(frozen=True)
class Gate:
    metric: str
    rule: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Unloaded:
    """A metrics file that did not load at a revision, as the report JSON lists it."""

    file: str
    rev: str
    why: str


@dataclass(frozen=True)
class Verdict:
    verdict: VerdictName
    gates: tuple[Gate, ...] = field(default_factory=tuple)
    not_loaded: tuple[Unloaded, ...] = field(default_factory=tuple)

    @property
    def failing(self) -> list[Gate]:
        return [gate for gate in self.gates if not gate.passed]


@dataclass(frozen=True)
class CheckResult:
    kind: CheckKind
    name: str
    conclusion: Conclusion
    url: str


def load_verdict(path: Path) -> Verdict:
    """Read ``verdict`` and ``gates`` from the report engine's JSON, refusing anything else."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read the report JSON {path} ({error})") from None
    return parse_verdict(text, path)


def parse_verdict(text: str, path: Path) -> Verdict:
    """``verdict`` and ``gates`` from the text of the report JSON read from ``path``."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise UsageError(f"cannot read the report JSON {path} ({error})") from None
    verdict = data.get("verdict") if isinstance(data, dict) else None
    if verdict not in VERDICTS:
        raise UsageError(
            f'{path} has no top-level "verdict": "pass", "fail" or "incomplete"; pass the JSON '
            "that gitml report wrote, or --no-check"
        )
    gates = []
    for raw in data.get("gates") or []:
        if isinstance(raw, dict):
            gates.append(
                Gate(
                    metric=str(raw.get("metric", "?")),
                    rule=str(raw.get("rule", "?")),
                    passed=raw.get("passed") is True,
                    detail=str(raw.get("detail", "")),
                )
            )
    return Verdict(verdict=verdict, gates=tuple(gates), not_loaded=_not_loaded(data))


def _not_loaded(data: dict[str, Any]) -> tuple[Unloaded, ...]:
    """The metrics files the report says did not load (whole files: no ``metric``)."""
    found = []
    for raw in data.get("errors") or []:
        if isinstance(raw, dict) and raw.get("source") == "metrics" and raw.get("metric") is None:
            why = raw.get("hint") or raw.get("message") or ""
            found.append(Unloaded(str(raw.get("file") or "metrics"), str(raw.get("rev")), str(why)))
    return tuple(found)


def check_name(report_id: str | None) -> str:
    return "gitml" if report_id is None else f"gitml / {report_id}"


def title(verdict: Verdict) -> str:
    failing = len(verdict.failing)
    if verdict.verdict == "incomplete":
        count = len({item.file for item in verdict.not_loaded})
        files = f"{count} metrics file{'s' if count != 1 else ''}" if count else "Metrics"
        return f"{files} did not load: nothing to pass"
    if verdict.verdict == "pass":
        return f"All {len(verdict.gates)} quality gates passed" if verdict.gates else "Passed"
    if failing:
        return f"{failing} of {len(verdict.gates)} quality gates failed"
    return "Quality gates failed"


def summary(verdict: Verdict, comment_url: str | None) -> str:
    """Markdown for the check run: the failing gates, then where the full report is."""
    lines = [f"**{title(verdict)}**", ""]
    if verdict.failing:
        lines += ["Failing gates:", ""]
        lines += [f"- `{g.metric}` {g.rule}: {g.detail}".rstrip(": ") for g in verdict.failing]
        lines.append("")
    if verdict.not_loaded:
        lines += ["Did not load (neither passed nor compared):", ""]
        lines += [f"- `{u.file}` at `{u.rev}`: {u.why}".rstrip(": ") for u in verdict.not_loaded]
        lines.append("")
    if comment_url:
        lines.append(f"Full report: {comment_url}")
    text = "\n".join(lines).rstrip() + "\n"
    return text[:MAX_CHECK_SUMMARY]


def conclusion(verdict: Verdict) -> Conclusion:
    """The check run's conclusion: never ``success`` (nor ``neutral``) about metrics that did
    not load."""
    return CONCLUSIONS[verdict.verdict]


def status_state(verdict: Verdict) -> Conclusion:
    """The commit status's state, where a check run is not allowed."""
    return STATUS_STATES[verdict.verdict]


def publish_check(
    repo: Repository, sha: str, name: str, verdict: Verdict, comment_url: str | None
) -> CheckResult:
    """Create a completed check run on ``sha``; on 403 set a commit status instead.

    Raises the status's ``GithubException`` when both are refused."""
    try:
        run = repo.create_check_run(
            name=name,
            head_sha=sha,
            status="completed",
            conclusion=conclusion(verdict),
            output={
                "title": mask(title(verdict)),
                "summary": mask(summary(verdict, comment_url)),
            },
            details_url=comment_url or NotSet,
        )
        return CheckResult("check_run", name, conclusion(verdict), run.html_url)
    except GithubException as error:
        if error.status != 403:
            raise
    state = status_state(verdict)
    extra: dict[str, Any] = {"target_url": comment_url} if comment_url else {}
    status = repo.get_commit(sha).create_status(
        state=state,
        context=name,
        description=mask(title(verdict))[:MAX_STATUS_DESCRIPTION],
        **extra,
    )
    return CheckResult("status", name, state, status.url)
