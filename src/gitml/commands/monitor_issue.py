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
def monitor_issue(
    report: Path, json_path: Path | None, repository: str | None, api_url: str | None
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

    outcome = publish_issue(IssueRequest(report, json_path, repository, api_url))
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
