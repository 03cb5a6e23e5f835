"""``gitml demo``: the whole loop (PR, report, comment, merge, promote, build, serve, monitor,
retraining PR and its release) offline."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("gitml-demo"),
    show_default=True,
    help="Folder for the demo (created; a folder holding an earlier demo is resumed).",
)
@click.option("--restart", is_flag=True, help="Run every step again instead of resuming.")
def demo(directory: Path, restart: bool) -> None:
    """Play the GitOps loop on this machine: no network, no credentials, no Docker.

    In DIR it creates a repository from the reference project, trains the baseline on main, opens a
    pull request that changes a hyper-parameter, runs the PR step as CI does, shows the report,
    posts the sticky comment to a GitHub emulation on 127.0.0.1, merges, promotes the model (git
    tags), builds and smoke-tests the Bento, serves it and sends it real rows, then monitors it:
    shifted traffic and feedback, `gitml monitor --export-labelled`, the sticky monitoring issue.
    Then `gitml retrain` retrains on the labelled rows and opens pull request #2 (the data,
    dvc.lock and metrics in one commit), and the same CI, comment, merge, promotion (v0.3.0) of
    the retrained model, build and serving follow. Progress goes to stderr; the reports, the
    answers and the summary to stdout. Run it again to resume.

    \b
    Examples:
      gitml demo
      gitml demo --dir /tmp/gitml-demo --restart
    """
    from gitml.demo import console, run_demo
    from gitml.demo.progress import Progress
    from gitml.demo.summary import render_summary

    # the steps' own output (DVC, the stages, BentoML) goes to log files; these reach the terminal
    out, err = console(1), console(2)
    result = run_demo(
        directory,
        progress=Progress(stream=err),
        show=lambda *lines: click.echo("\n".join(lines), file=out),
        restart=restart,
    )
    click.echo(render_summary(result), file=out)
