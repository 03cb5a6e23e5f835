"""``gitml monitor``: drift, prediction drift and performance of the served model, as a report."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """``--since``: an ISO 8601 time (UTC unless it says otherwise) or an age such as ``24h``."""
    if value is None:
        return None
    from gitml.monitor.reading import parse_time

    found = RELATIVE.match(value.strip())
    if found:
        now = now or datetime.now(timezone.utc)
        try:
            return now - timedelta(**{UNITS[found[2]]: int(found[1])})
        except OverflowError:  # beyond what a date holds
            raise click.BadParameter(
                f"{value!r} reaches back before the year 1: use a smaller age, or leave "
                "--since out to read every row",
                param_hint="--since",
            ) from None
    moment = parse_time(value)
    if moment is None:
        raise click.BadParameter(
            f"{value!r} is not a time: use ISO 8601 (2026-11-29T08:00:00Z) or an age (24h, 7d)",
            param_hint="--since",
        )
    return moment


def parse_chunk_option(value: str | None):
    """``--chunk``: a period (``1d``) or a number of rows; a usage error otherwise."""
    if value is None:
        return None
    from gitml.config import parse_chunk
    from gitml.errors import ConfigError

    try:
        return parse_chunk(value, "--chunk")
    except ConfigError as error:
        hint = error.message.removeprefix("--chunk = ")
        raise click.BadParameter(hint, param_hint="--chunk") from None


def _check(report) -> None:
    """``--check``: exit 1 on an alarming verdict; an empty window passes with a warning."""
    from gitml.errors import GatesFailed

    if report.alarming:
        from gitml.monitor.markdown import verdict_line

        raise GatesFailed(verdict_line(report).lstrip("# ").split(": ", 1)[-1])
    if report.verdict == "empty":
        click.echo(f"WARNING: {report.reason}; --check passes an empty window", err=True)


def _export(result, path: Path):
    """Write the labelled rows and say how many (and how many were left out) on stderr."""
    from gitml.monitor.export import export_labelled

    exported = export_labelled(result, path)
    left_out = (
        f"; {exported.left_out} left out (features or label not the model's)"
        if exported.left_out
        else ""
    )
    click.echo(f"wrote {exported.rows} labelled row(s) to {exported.path}{left_out}", err=True)
    return exported


def _path(**kwargs):
    return click.Path(dir_okay=False, path_type=Path, **kwargs)


@click.command()
@click.option(
    "--stage", help="Monitor the version in this stage: its training data is the reference."
)
@click.option("--reference", metavar="FILE", help="Reference data file or URL instead of a stage.")
@click.option(
    "--current",
    multiple=True,
    metavar="PATH",
    help="The service's log folder (gitml serve --monitor-dir), or CSV/Parquet/JSON lines files; "
    "local or a URL DVC reads (s3://...). Repeatable. Default: [tool.gitml.monitor] current.",
)
@click.option(
    "--since", metavar="TIME", help="Only rows since TIME (ISO 8601, or an age: 24h, 7d)."
)
@click.option("--last", type=click.IntRange(min=1), metavar="N", help="Only the N newest rows.")
@click.option(
    "--chunk",
    metavar="PERIOD|N",
    help="Also test each chunk of the window alone: a period (1d, 6h, 30m, 1w) or N rows; the "
    "report shows each chunk's drifted share and estimated accuracy as a time series. "
    "Default: [tool.gitml.monitor] chunk.",
)
@click.option("-o", "--output", type=_path(), help="Write the Markdown report here.")
@click.option("--json", "json_path", type=_path(), help="Write the report as JSON here.")
@click.option("--html", "html_path", type=_path(), help="Write the interactive HTML report here.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 on data or prediction drift, a failed gate, or features that could not be "
    "tested (verdict untested); an empty window passes with a warning.",
)
@click.option(
    "--export-labelled",
    type=_path(),
    metavar="FILE",
    help="Write the logged rows that have feedback as training-data rows (CSV) here; "
    "in GitHub Actions the step outputs labelled-rows and retrain tell how many and whether "
    "to retrain (drift or a failed gate, and at least one row).",
)
def monitor(
    stage: str | None,
    reference: str | None,
    current: tuple[str, ...],
    since: str | None,
    last: int | None,
    chunk: str | None,
    output: Path | None,
    json_path: Path | None,
    html_path: Path | None,
    check: bool,
    export_labelled: Path | None,
) -> None:
    """Compare what the served model sees with the data it was trained on.

    Per feature, Evidently's choice of test by size (KS and a two-sample chi-squared up to 1000
    reference rows; normed Wasserstein or Jensen-Shannon beyond), a domain classifier for text.
    With --stage and the logs, also prediction drift and every metric estimated without labels
    (calibrated on the version's evaluation split, with a band) beside the measured ones; the
    version's profile stands in for absent or large training data. Settings: [tool.gitml.monitor].
    Writes the verdict (pass, drift, fail, untested, empty) to $GITHUB_OUTPUT; pass means every
    feature was tested and none drifted.

    \b
    Examples:
      gitml monitor --stage prod --current monitoring/ -o monitor.md --json monitor.json --check
      gitml monitor --reference train.csv --current today.csv
      gitml monitor --stage prod --current s3://bucket/monitoring --since 7d --export-labelled new.csv
      gitml monitor --stage prod --current monitoring/ --since 30d --chunk 1d --html monitor.html
    """
    from gitml.config import load_settings
    from gitml.core.github_output import write_outputs
    from gitml.monitor.flow import MonitorRequest
    from gitml.monitor.flow import monitor as run_monitor
    from gitml.monitor.outputs import step_outputs
    from gitml.monitor.write import write_report

    request = MonitorRequest(
        stage=stage,
        reference=reference,
        current=current,
        since=parse_since(since),
        last=last,
        chunk=parse_chunk_option(chunk),
    )
    result = run_monitor(request, load_settings(Path(".")))  # the settings, read once
    written = write_report(result.report, output, json_path, html_path)
    if output is None:
        click.echo(written.markdown, nl=False)
    for path in written.paths:
        click.echo(f"wrote {path}", err=True)
    exported = _export(result, export_labelled) if export_labelled is not None else None
    report = result.report
    write_outputs(step_outputs(report, exported))  # before --check fails the step
    if check:
        _check(report)
