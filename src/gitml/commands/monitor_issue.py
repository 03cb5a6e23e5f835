"""``gitml monitor-issue``: keep one GitHub issue per model and stage with the monitoring report."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("monitor-issue")
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The report's JSON (default: REPORT with .json).",
)
@click.option("--repo", "repository", metavar="OWNER/NAME", help="Default: $GITHUB_REPOSITORY.")
@click.option("--api-url", metavar="URL", help="Default: $GITHUB_API_URL, else api.github.com.")
@click.option(
    "--propose-rollback",
    is_flag=True,
    help="When a monitoring gate failed, propose in the issue rolling the stage back to the "
    "version it held before (the registry's history); nothing is moved. Writes the step output "
    "rollback-to.",
)
def monitor_issue(
    report: Path,
    json_path: Path | None,
    repository: str | None,
    api_url: str | None,
    propose_rollback: bool,
) -> None:
    """Open, update or close the sticky monitoring issue from a `gitml monitor` report.

    One issue per model and stage, labelled gitml-monitor, found across every page: opened (or
    reopened) on drift or a failed gate, updated on every run, closed when healthy. The report also
    goes to the job summary. Needs GITHUB_TOKEN with `issues: write`.

    \b
    Example:
      gitml monitor --stage prod -o monitor.md --json monitor.json
      gitml monitor-issue monitor.md
    """
    from gitml.monitor.issue import IssueRequest, publish_issue

    extra = _proposal(report, json_path) if propose_rollback else ""
    outcome = publish_issue(IssueRequest(report, json_path, repository, api_url, extra))
    if outcome.action == "none":
        click.echo("Healthy, and no monitoring issue is open: nothing to do.")
        return
    if outcome.action == "quiet":
        click.echo("No traffic in this window, and no monitoring issue is open: nothing to do.")
        return
    if outcome.action == "kept":
        click.echo(
            f"No traffic in this window: monitoring issue #{outcome.number} is kept as it was "
            f"(not closed as solved): {outcome.url}"
        )
        return
    click.echo(f"{outcome.action.capitalize()} monitoring issue #{outcome.number}: {outcome.url}")
    if outcome.closed_duplicates:
        click.echo(f"Closed {outcome.closed_duplicates} duplicate monitoring issue(s).")


def _proposal(report: Path, json_path: Path | None) -> str:
    """The proposed rollback's section (empty when none is due), said on stderr."""
    import json

    from gitml.core.github_output import write_outputs
    from gitml.deploy.proposal import proposal_plan, proposal_text
    from gitml.errors import UsageError

    path = json_path or report.with_suffix(".json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read the monitoring report {path} ({error})") from None
    plan = proposal_plan(".", data if isinstance(data, dict) else {})
    if isinstance(plan, str):
        click.echo(f"No rollback proposed: {plan}.", err=True)
        write_outputs({"rollback-to": ""})
        return ""
    click.echo(
        f"Proposing to roll {plan.stage} back from {plan.current} to {plan.target}.", err=True
    )
    write_outputs({"rollback-to": plan.target})
    return proposal_text(plan, data)
