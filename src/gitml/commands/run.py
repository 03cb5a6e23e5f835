"""``gitml run``: reproduce the pipeline and print what ran, what was skipped or restored."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "--pull", is_flag=True, help="Pull data, models and run-cache from the DVC remote first."
)
@click.option(
    "--push", is_flag=True, help="Push data, models and run-cache to the DVC remote after."
)
@click.option("--remote", "-r", default=None, help="DVC remote to use (default: the project's).")
@click.option("--force", "-f", is_flag=True, help="Run every stage even if unchanged.")
def run(pull: bool, push: bool, remote: str | None, force: bool) -> None:
    """Reproduce the DVC pipeline (dvc repro) and list each stage's status and time.

    \b
    Example:
      gitml run --pull --push
    """
    from gitml.core.model import StageState
    from gitml.core.wording import STAGE_TEXT
    from gitml.run import run_pipeline

    result = run_pipeline(pull=pull, push=push, remote=remote, force=force)
    if result.pulled is not None:
        click.echo(f"pulled {result.pulled} file(s) from the DVC remote", err=True)
    for stage in result.stages:
        click.echo(f"{stage.name:<24} {STAGE_TEXT[stage.status]:<26} {stage.seconds:6.2f}s")
    if not result.stages:
        click.echo("no pipeline stages in dvc.yaml")
    if result.pushed is not None:
        click.echo(f"pushed {result.pushed} file(s) to the DVC remote", err=True)
    counts = {s: sum(1 for st in result.stages if st.status == s) for s in STAGE_TEXT}
    click.echo(
        f"{counts[StageState.RAN]} ran, {counts[StageState.RESTORED]} restored, "
        f"{counts[StageState.SKIPPED]} skipped "
        f"in {result.seconds:.1f}s"
    )
