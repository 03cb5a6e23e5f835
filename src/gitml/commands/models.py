"""``gitml models``: list registered versions, their stages and promotion metrics."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
def models(artifact: str | None, as_json: bool) -> None:
    """List model versions (newest first), their stages and the metrics each was promoted with.

    \b
    Example:
      gitml models
    """
    from gitml.registry.models import list_models, render_table

    name, versions = list_models(artifact=artifact)
    if as_json:
        click.echo(json.dumps([v.to_dict() for v in versions], indent=2))
    elif not versions:
        click.echo(f"no registered version of {name} yet; create one with `gitml promote`")
    else:
        click.echo(render_table(versions), nl=False)
