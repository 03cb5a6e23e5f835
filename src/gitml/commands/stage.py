"""``gitml stage NAME``: run one of gitml's built-in pipeline stages (called from dvc.yaml)."""

from __future__ import annotations

import click

from gitml.stages import STAGES


@click.command()
@click.argument("name", type=click.Choice(STAGES))
@click.option(
    "--params",
    "params_file",
    default="params.yaml",
    show_default=True,
    help="Params file the stage reads.",
)
def stage(name: str, params_file: str) -> None:
    """Run a built-in stage (prepare, train, evaluate) of the reference pipeline.

    \b
    Example, in dvc.yaml:
      cmd: gitml stage train
    """
    from gitml.stages import load_stage
    from gitml.stages.params import load_params

    params = load_params(params_file)
    run_stage = load_stage(name)
    if name == "prepare":
        for path in run_stage(params):
            click.echo(f"wrote {path}", err=True)
    elif name == "train":
        click.echo(f"wrote {run_stage(params)}", err=True)
    else:
        values = run_stage()
        click.echo(", ".join(f"{key}={value:.4f}" for key, value in values.items()), err=True)
