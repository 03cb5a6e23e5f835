"""``gitml models``: list registered versions, their stages and promotion metrics."""

from __future__ import annotations

import json

import click


@click.command()
@click.option(
    "--artifact",
    default=None,
    help="Artifact name (default: [tool.gitml.promote] artifact; unset: every artifact).",
)
@click.option(
    "-d",
    "--deprecated",
    is_flag=True,
    help="Include deprecated artifacts (name@deprecated), marked, as `gto show -d` does.",
)
@click.option(
    "--history",
    is_flag=True,
    help="Print every registration and stage move instead, oldest first: version, commit, when, "
    "who (the tag's tagger) and why (its message), as `gto history` reads them.",
)
@click.option("--stage", default=None, help="With --history: only this stage's moves.")
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
def models(
    artifact: str | None, deprecated: bool, history: bool, stage: str | None, as_json: bool
) -> None:
    """List model versions (newest first), their stages and the metrics each was promoted with.

    With no --artifact and no [tool.gitml.promote] artifact, lists every artifact the registry's
    git tags (as `gto show` does) and dvc.yaml's `artifacts:` know, registered or not; --json
    then prints an object keyed by artifact. A stage assigned to a commit that was never
    registered (`gto assign --sr`) is listed under the commit's sha; each JSON version has a
    `status`: active, deregistered, unregistered or deprecated. An artifact nothing knows exits 1.

    \b
    Example:
      gitml models
      gitml models --artifact classifier --json
      gitml models --history --stage prod
    """
    from gitml.config import load_settings

    if stage is not None and not history:
        from gitml.errors import UsageError

        raise UsageError("--stage lists a stage's moves: use it with --history")
    if history:
        _history(artifact, stage, as_json)
        return
    from gitml.registry.models import list_all_models, list_models, render_all, render_table

    if artifact is None and load_settings().promote.artifact is None:
        every = list_all_models(deprecated=deprecated)
        if as_json:
            click.echo(
                json.dumps({n: [v.to_dict() for v in vs] for n, vs in every.items()}, indent=2)
            )
        elif not every:
            click.echo("no artifact yet: declare one in dvc.yaml under `artifacts:`")
        else:
            click.echo(render_all(every), nl=False)
        return
    found = list_models(artifact=artifact)
    versions = found.versions if deprecated or not found.deprecated else []
    if as_json:
        click.echo(json.dumps([v.to_dict() for v in versions], indent=2))
    elif found.deprecated and not deprecated:
        click.echo(
            f"{found.name} is deprecated (tag {found.name}@deprecated), as `gto show` says; "
            "pass --deprecated to list its versions"
        )
    elif not versions:
        click.echo(f"no registered version of {found.name} yet; create one with `gitml promote`")
    else:
        click.echo(render_table(versions), nl=False)


def _history(artifact: str | None, stage: str | None, as_json: bool) -> None:
    from gitml.registry.history import read_history, render_history

    events = read_history(".", artifact, stage)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in events], indent=2))
    elif not events:
        click.echo("no registry event yet; create one with `gitml promote`")
    else:
        click.echo(render_history(events), nl=False)
