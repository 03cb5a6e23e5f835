"""A rollback proposed, never made: when a prod monitoring gate fails, the monitoring issue gets a
section naming the version prod would go back to and how a person does it (the release
workflow's `rollback` input, whose job waits for the production environment's reviewers, or
`gitml rollback`). Nothing here moves a tag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitml.core.markdown import cell, code
from gitml.errors import UsageError
from gitml.registry.rollback import RollbackPlan, plan_rollback

#: The monitoring verdict that proposes a rollback: a gate failed (drift alone does not).
FAILING = "fail"


def proposal_plan(root: Path | str, report: dict[str, Any]) -> RollbackPlan | str:
    """The rollback a failed monitoring report calls for, or why there is none (text)."""
    if report.get("verdict") != FAILING:
        return "no monitoring gate failed"
    stage, model = report.get("stage"), report.get("model")
    if not isinstance(stage, str) or not isinstance(model, str):
        return "the report names no model and stage (--stage was not used)"
    try:
        plan = plan_rollback(root, stage, artifact=model)
    except UsageError as error:
        return error.message
    if plan.current != report.get("version"):
        return f"{stage} holds {plan.current} now, not the monitored {report.get('version')}"
    return plan


def proposal_text(plan: RollbackPlan, report: dict[str, Any]) -> str:
    """The issue's section proposing ``plan``."""
    raw = report.get("gates")
    gates: list[Any] = raw if isinstance(raw, list) else []
    failed = [
        str(g.get("metric")) for g in gates if isinstance(g, dict) and g.get("passed") is False
    ]
    reason = f"monitoring gate(s) failed on {', '.join(failed) or 'a gate'}"
    command = f'gitml rollback --stage {plan.stage} --reason "{reason}"'
    return "\n".join([
        "### Proposed: roll back",
        "",
        f"{cell(plan.artifact)} {code(plan.current)} failed its monitoring gates in "
        f"{code(plan.stage)} ({cell(', '.join(failed) or 'see above')}). The version "
        f"{code(plan.stage)} held before it is {code(plan.target)}. Nothing has moved: a person "
        "decides.",
        "",
        f"- Run the release workflow with `rollback: true` (Actions > gitml release > Run "
        f"workflow, with a reason): its rollback job waits for the `production` environment's "
        f"reviewers, then moves {code(plan.stage)} to {code(plan.target)}.",
        f"- Or where you hold the registry: `{command}`",
        "",
        f"<!-- gitml:rollback-proposal {plan.artifact} {plan.stage} {plan.current} "
        f"{plan.target} -->",
        "",
    ])  # fmt: skip
