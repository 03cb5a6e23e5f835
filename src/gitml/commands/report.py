"""``gitml report``: compare head against base and write the report (Markdown, JSON, HTML)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--base",
    default=None,
    help="Revision to compare against (default: [tool.gitml] base, else main); DVC experiment "
    "names and refs/exps/... refs work too.",
)
@click.option(
    "--head",
    default=None,
    help="Revision to report on (default: the workspace): a git revision, or a DVC experiment "
    "name or refs/exps/... ref, as `dvc metrics diff` accepts.",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown report here (capped to fit a GitHub comment).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report as JSON data here.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the whole report with interactive plots as one offline HTML file here "
    "(default: next to -o, .html).",
)
@click.option("--check", is_flag=True, help="Exit 1 when a quality gate fails.")
def report(
    base: str | None,
    head: str | None,
    output: Path | None,
    json_path: Path | None,
    html_path: Path | None,
    check: bool,
) -> None:
    """Compare metrics, params, data and plots of head against base.

    Prints the Markdown report to stdout, or writes it with -o (then the whole report with
    interactive plots goes to an HTML file beside it). With --check, failing quality gates exit
    with code 1. Both revisions may be git revisions or DVC experiments (`dvc exp run -n NAME`),
    as in `dvc params diff main NAME`.

    \b
    Examples:
      gitml report --base HEAD~1
      gitml report --base origin/main -o report.md --json report.json --check
      gitml report --base main --head my-experiment
    """
    from gitml.core.gates import describe_failures
    from gitml.errors import GatesFailed
    from gitml.report.assemble import build_report
    from gitml.report.write import write_report

    result = build_report(base=base, head=head)
    written = write_report(result, output, json_path, html_path)
    if output is None:
        click.echo(written.markdown, nl=False)
    for path in written.paths:
        click.echo(f"wrote {path}", err=True)
    if check and result.failed_gates:
        failures = describe_failures(result.failed_gates)
        raise GatesFailed(f"{len(result.failed_gates)} quality gate(s) failed: {failures}")
