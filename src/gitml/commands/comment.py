"""``gitml comment``: post the report as one sticky comment, with a check run and step outputs."""

from __future__ import annotations

from pathlib import Path

import click

from gitml.github.publish import CommentRequest, Published, publish


def render(result: Published) -> list[str]:
    """The lines ``gitml comment`` prints on stdout."""
    if result.plan:
        return list(result.plan)
    lines = []
    if result.action in ("created", "updated", "unchanged"):
        done = {"created": "Created", "updated": "Updated", "unchanged": "Unchanged:"}
        lines.append(
            f"{done[result.action]} the gitml comment ({result.report_id}) on "
            f"{result.target}: {result.comment_url}"
        )
    if result.removed_duplicates:
        lines.append(f"Removed {result.removed_duplicates} duplicate gitml comment(s).")
    if result.check is not None:
        kind = "Check run" if result.check.kind == "check_run" else "Commit status"
        lines.append(f'{kind} "{result.check.name}": {result.check.conclusion}')
    lines.append(f"Verdict: {result.verdict}")
    return lines


@click.command()
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--id",
    "report_id",
    metavar="ID",
    help="Report id: one comment per id (e.g. one per workflow or matrix job). "
    "Default: the id in REPORT's marker, else 'default'.",
)
@click.option(
    "--pr",
    type=int,
    metavar="N",
    help="Pull request number. Default: from the event payload; on push, the open "
    "pull request for the commit, else the commit itself.",
)
@click.option("--sha", metavar="SHA", help="Commit for the check run (default: the PR's head).")
@click.option(
    "--repo", "repository", metavar="OWNER/NAME", help="Repository. Default: $GITHUB_REPOSITORY."
)
@click.option(
    "--api-url",
    metavar="URL",
    help="GitHub API URL. Default: $GITHUB_API_URL, else https://api.github.com.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report JSON holding the verdict. Default: REPORT with suffix .json, if any.",
)
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="Set a check run (or commit status) from the verdict.",
)
@click.option(
    "--check-name",
    metavar="NAME",
    help="Check run name. Default: 'gitml', or 'gitml / ID' with --id.",
)
@click.option(
    "--pr-from",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PR_JSON",
    help="Take --pr, --sha and --id from a pr.json saved by a run that could not "
    "comment (the fork-safe workflow); validated, used as data only. REPORT and its JSON "
    "must be regular files in the same folder (no symlink, size-bounded).",
)
@click.option(
    "--artifact-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("gitml-report"),
    show_default=True,
    help="Where the report goes when it cannot be posted (upload it as an artifact).",
)
@click.option(
    "--merged-pr",
    is_flag=True,
    help="With --sha: comment on the pull request whose merge made that commit (the one that "
    "introduced a released version), else on the commit.",
)
@click.option(
    "--dry-run", is_flag=True, help="Print what would be done; send nothing and write no file."
)
def comment(report: Path, **options: object) -> None:
    """Post REPORT as the pull request's gitml comment, updated in place on every run.

    Also appends the report to the job summary, writes the step outputs `verdict` and
    `comment-url`, and sets a check run from the gates' verdict. Reads GITHUB_API_URL,
    GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_EVENT_NAME and GITHUB_EVENT_PATH.

    \b
    Examples:
      gitml comment report.md
      gitml comment report.md --id gpu --pr 12
      gitml comment gitml-report/report.md --pr-from gitml-report/pr.json
      gitml comment report.md --dry-run
      gitml comment validate.md --id validate --sha "$COMMIT" --merged-pr --no-check
    """
    result = publish(CommentRequest(report=report, **options))  # type: ignore[arg-type]
    for line in render(result):
        click.echo(line)
    for warning in result.warnings:
        click.echo(f"WARNING: {warning}", err=True)
    if result.summary_trimmed:
        click.echo("WARNING: the report was trimmed to fit the job summary's 1 MiB.", err=True)
