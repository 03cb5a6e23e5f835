"""``gitml sweep``: a grid of DVC experiments and one leaderboard."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from gitml.sweep.results import DEFAULT_RESULTS

if TYPE_CHECKING:
    from gitml.sweep.model import Leaderboard

MODES = ("plan", "cell", "collect", "apply")


@click.command()
@click.option(
    "-S",
    "--set-param",
    "specs",
    multiple=True,
    metavar="[FILE:]NAME=V1,V2",
    envvar="GITML_SWEEP_SET",
    help="A param and the values to try (DVC's `exp run -S` syntax); several -S form the "
    "product. Default: [tool.gitml.sweep] params. Also read, space-separated, from "
    "$GITML_SWEEP_SET.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Runs at once on this machine (DVC's experiment queue).",
)
@click.option(
    "--base", default=None, help="Revision each run is compared with (default: [tool.gitml] base)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the leaderboard as Markdown here (capped to fit a comment).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the leaderboard as JSON here.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the leaderboard as an offline HTML page here.",
)
@click.option("--check", is_flag=True, help="Exit 1 when no run passes every quality gate.")
@click.option(
    "--plan",
    is_flag=True,
    help="Print the grid as a GitHub Actions matrix (JSON) and set the step output "
    "`matrix`; runs nothing.",
)
@click.option(
    "--cell",
    metavar="NAME",
    help="Run only this run of the grid here, in the workspace (a matrix job).",
)
@click.option(
    "--pull/--no-pull",
    default=False,
    help="With --cell: pull data and run-cache from the DVC remote first.",
)
@click.option(
    "--push/--no-push",
    default=False,
    help="With --cell: push outputs and run-cache afterwards, so a rerun restores.",
)
@click.option(
    "--results",
    "results_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_RESULTS,
    show_default=True,
    help="Folder of the per-run result files.",
)
@click.option(
    "--collect",
    "collect_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Rank the result files under this folder (the matrix jobs' artifacts) "
    "instead of running anything.",
)
@click.option(
    "--apply",
    "apply_target",
    metavar="NAME|best",
    help="Put a run's params and outputs into the workspace, to commit them.",
)
def sweep(
    specs: tuple[str, ...],
    jobs: int,
    base: str | None,
    output: Path | None,
    json_path: Path | None,
    html_path: Path | None,
    check: bool,
    plan: bool,
    cell: str | None,
    pull: bool,
    push: bool,
    results_dir: Path,
    collect_dir: Path | None,
    apply_target: str | None,
) -> None:
    """Run a grid of experiments and rank them in one leaderboard.

    Every run is a DVC experiment (`dvc exp show` lists them). With --jobs N, N run at once. On
    GitHub, gitml-sweep.yml fans the grid out: --plan makes the matrix, each job runs --cell,
    and --collect ranks what they uploaded. A failed run is a row with its error.

    \b
    Examples:
      gitml sweep -S train.params.max_depth=2,4,8 -S train.params.n_estimators=100,300 --jobs 2
      gitml sweep --plan
      gitml sweep --cell sweep-1a2b3c4 --pull --push
      gitml sweep --collect results/ -o leaderboard.md --json leaderboard.json
      gitml sweep --apply best
    """
    from gitml.errors import UsageError

    chosen = [m for m, on in zip(MODES, (plan, cell, collect_dir, apply_target), strict=True) if on]
    if len(chosen) > 1:
        raise UsageError(f"--{' and --'.join(chosen)} cannot be combined; pick one")
    root = Path(".")
    if plan:
        _plan(root, specs)
    elif apply_target:
        _apply(root, apply_target, results_dir)
    elif cell:
        _cell(root, specs, cell, base, results_dir, pull, push)
    else:
        from gitml.sweep import flow

        if collect_dir is not None:
            board = flow.collect(root, specs, collect_dir, base)
        else:
            board = flow.sweep(root, specs, base, jobs, results_dir)
        _leaderboard(board, output, json_path, html_path, check)


def _plan(root: Path, specs: tuple[str, ...]) -> None:
    from gitml.core.github_output import write_outputs
    from gitml.sweep import flow

    text = flow.plan(root, specs)
    click.echo(text)
    write_outputs({"matrix": text})


def _apply(root: Path, target: str, results_dir: Path) -> None:
    from gitml.sweep import flow

    applied = flow.apply(root, target, results_dir)
    how = "dvc exp apply" if applied.how == "experiment" else "params written, outputs restored"
    click.echo(f"Applied {applied.name} ({how}): {applied.params}")
    click.echo("Commit params.yaml and dvc.lock to put it on this branch.")


def _cell(
    root: Path,
    specs: tuple[str, ...],
    cell: str,
    base: str | None,
    results_dir: Path,
    pull: bool,
    push: bool,
) -> None:
    from gitml.sweep import flow

    run = flow.run_one(root, specs, cell, base, results_dir, pull=pull, push=push)
    click.echo(f"{run.name}: {run.status}; result in {results_dir / (run.name + '.json')}")


def _leaderboard(
    board: Leaderboard,
    output: Path | None,
    json_path: Path | None,
    html_path: Path | None,
    check: bool,
) -> None:
    """Write and print the leaderboard, set the step output ``best``, and fail as asked."""
    from gitml.core.github_output import write_outputs
    from gitml.errors import GatesFailed, PipelineError
    from gitml.sweep.write import write_leaderboard

    written = write_leaderboard(board, output, json_path, html_path)
    if output is None:
        click.echo(written.markdown, nl=False)
    for path in written.paths:
        click.echo(f"wrote {path}", err=True)
    write_outputs({"best": board.best or ""})
    if board.runs and len(board.failed) == len(board.runs):
        raise PipelineError(
            f"all {len(board.runs)} runs failed; first error: {board.failed[0].error}"
        )
    if check and board.best is None:
        raise GatesFailed("no run passes every quality gate")
