"""``gitml validate``: the candidate against the model in prod, on prod's own logged traffic."""

from __future__ import annotations

from pathlib import Path

import click

from gitml.commands.monitor import parse_since


def _path():
    return click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.option("--candidate", metavar="VERSION", help="The version to validate (v1.3.0).")
@click.option(
    "--candidate-stage",
    metavar="STAGE",
    help="Validate the version in STAGE instead (default: [tool.gitml.validate] "
    "candidate_stage, else the promote stage).",
)
@click.option(
    "--champion-stage",
    metavar="STAGE",
    help="The stage whose model and logged answers are the baseline (default: prod).",
)
@click.option(
    "--current",
    multiple=True,
    metavar="PATH",
    help="The service's log folder (gitml serve --monitor-dir), local or a URL DVC reads "
    "(s3://...). Repeatable. Default: [tool.gitml.monitor] current.",
)
@click.option("--since", metavar="TIME", help="Only requests since TIME (ISO 8601, or 24h, 7d).")
@click.option("--last", type=click.IntRange(min=1), metavar="N", help="Only the N newest requests.")
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option(
    "--service",
    metavar="FILE[:CLASS]",
    help="Build a missing Bento from your own BentoML service (as gitml build --service).",
)
@click.option("-o", "--output", type=_path(), help="Write the Markdown report here.")
@click.option("--json", "json_path", type=_path(), help="Write the report as JSON here.")
@click.option("--html", "html_path", type=_path(), help="Write the HTML report here.")
@click.option("--check", is_flag=True, help="Exit 1 unless the verdict is pass (or smoke-tested).")
def validate(
    candidate: str | None,
    candidate_stage: str | None,
    champion_stage: str | None,
    current: tuple[str, ...],
    since: str | None,
    last: int | None,
    artifact: str | None,
    service: str | None,
    output: Path | None,
    json_path: Path | None,
    html_path: Path | None,
    check: bool,
) -> None:
    """Replay prod's logged traffic through the candidate and judge it against prod's model.

    The requests the champion (the version in prod) answered, as its service logged them, are
    sent again in their order and batch shapes to the candidate's Bento and to the champion's,
    both served on 127.0.0.1. Measured: agreement with what prod answered and the flips, the
    prediction drift between the two, requests the candidate fails, latency p50/p99 and error
    rate side by side, and on the rows with feedback both models' metrics with a paired
    bootstrap interval of the difference and McNemar's exact test. Gates:
    [tool.gitml.validate]. Verdicts: pass, fail, inconclusive (too little traffic or feedback to
    judge), smoke-tested (nothing in prod or no logged traffic yet: the candidate was
    smoke-tested instead). Writes the verdict to $GITHUB_OUTPUT when set.

    \b
    Examples:
      gitml validate --candidate v1.3.0 --current monitoring/ -o validate.md --check
      gitml validate --candidate-stage staging --since 7d --json validate.json --html validate.html
    """
    from gitml.core.github_output import write_outputs
    from gitml.errors import GatesFailed
    from gitml.validate.flow import ValidateRequest
    from gitml.validate.flow import validate as run_validate
    from gitml.validate.markdown import verdict_line
    from gitml.validate.write import write_report

    request = ValidateRequest(
        candidate=candidate,
        candidate_stage=candidate_stage,
        champion_stage=champion_stage,
        current=current,
        since=parse_since(since),
        last=last,
        artifact=artifact,
        service=service,
    )
    report = run_validate(request)
    written = write_report(report, output, json_path, html_path)
    if output is None:
        click.echo(written.markdown, nl=False)
    else:  # the verdict in the job's log too
        click.echo(verdict_line(report).lstrip("# "), err=True)
    for path in written.paths:
        click.echo(f"wrote {path}", err=True)
    write_outputs({"verdict": report.verdict, "version": report.candidate.version,
                   "commit": report.candidate.commit})  # fmt: skip
    if check and not report.passed:
        raise GatesFailed(verdict_line(report).lstrip("# "))
