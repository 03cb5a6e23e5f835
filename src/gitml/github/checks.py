"""The gates' verdict as a check run, or a commit status where check runs are not allowed.

The verdict comes from the report engine's JSON (``report.json``): top-level ``"verdict"``
(``"pass"`` or ``"fail"``) and ``"gates"`` (``[{"metric", "rule", "passed", "detail"}]``). The check
run is named ``gitml`` (``gitml / ID`` with ``--id``), concludes ``success`` or ``failure``, and
its summary lists the failing gates, so branch protection can require it. Only GitHub Apps (such as
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

from gitml.errors import UsageError

#: GitHub caps a check run's output summary at 65,535 characters and a status description at 140.
MAX_CHECK_SUMMARY = 65_535
MAX_STATUS_DESCRIPTION = 140


#: the gates' verdict in the report JSON, and the check run's (or commit status's) conclusion
VerdictName = Literal["pass", "fail"]
Conclusion = Literal["success", "failure"]
#: a check run, or a commit status where check runs are not allowed
CheckKind = Literal["check_run", "status"]


@dataclass(frozen=True)
class Gate:
    metric: str
    rule: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Verdict:
    verdict: VerdictName
    gates: tuple[Gate, ...] = field(default_factory=tuple)

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
    if verdict not in ("pass", "fail"):
        raise UsageError(
            f'{path} has no top-level "verdict": "pass" or "fail"; pass the JSON that '
            "gitml report wrote, or --no-check"
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
    return Verdict(verdict=verdict, gates=tuple(gates))


def check_name(report_id: str | None) -> str:
    return "gitml" if report_id is None else f"gitml / {report_id}"


def title(verdict: Verdict) -> str:
    failing = len(verdict.failing)
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
    if comment_url:
        lines.append(f"Full report: {comment_url}")
    text = "\n".join(lines).rstrip() + "\n"
    return text[:MAX_CHECK_SUMMARY]


def conclusion(verdict: Verdict) -> Conclusion:
    return "success" if verdict.verdict == "pass" else "failure"


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
            output={"title": title(verdict), "summary": summary(verdict, comment_url)},
            details_url=comment_url or NotSet,
        )
        return CheckResult("check_run", name, conclusion(verdict), run.html_url)
    except GithubException as error:
        if error.status != 403:
            raise
    state = conclusion(verdict)
    extra: dict[str, Any] = {"target_url": comment_url} if comment_url else {}
    status = repo.get_commit(sha).create_status(
        state=state,
        context=name,
        description=title(verdict)[:MAX_STATUS_DESCRIPTION],
        **extra,
    )
    return CheckResult("status", name, state, status.url)
