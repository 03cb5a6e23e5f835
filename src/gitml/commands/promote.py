"""``gitml promote``: register the commit as a new model version and assign it a stage."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option(
    "--stage", default=None, help="Stage to assign (default: [tool.gitml.promote] stage)."
)
@click.option(
    "--bump",
    type=click.Choice(["major", "minor", "patch"]),
    default=None,
    help="Version part to bump (default: [tool.gitml.promote] bump).",
)
@click.option("--rev", default="HEAD", show_default=True, help="Commit to register.")
@click.option(
    "--no-assign",
    "no_assign",
    is_flag=True,
    help="Register (and push) the version tag only; assign the stage later with --to.",
)
@click.option(
    "--to",
    "to_stage",
    default=None,
    metavar="STAGE",
    help="Move an existing --version into STAGE instead of registering a new one.",
)
@click.option("--version", "version", default=None, help="Version to move with --to.")
@click.option(
    "--allow-older",
    is_flag=True,
    help="With --to: allow moving a stage back to an older version (a rollback).",
)
@click.option(
    "--push/--no-push",
    default=True,
    show_default=True,
    help="Push the tags to the remote (retrying after a race) or keep them local.",
)
@click.option("--remote", default="origin", show_default=True, help="Git remote of the registry.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def promote(
    artifact: str | None,
    stage: str | None,
    bump: str | None,
    rev: str,
    no_assign: bool,
    to_stage: str | None,
    version: str | None,
    allow_older: bool,
    push: bool,
    remote: str,
    as_json: bool,
) -> None:
    """Register the commit as the next model version and assign it a stage (GTO tags).

    The promotion is refused (exit 1) unless the quality gates pass against the version
    currently in the stage. With --to STAGE --version V, move an existing version instead.
    Writes version, commit, stage and tags to $GITHUB_OUTPUT when set.

    \b
    Examples:
      gitml promote                          # next minor version, into staging, pushed
      gitml promote --no-assign              # release workflow: reserve the version only
      gitml promote --to staging --version v0.3.0
      gitml promote --to prod --version v0.3.0
    """
    from gitml.core.github_output import write_outputs
    from gitml.errors import UsageError

    if to_stage is not None:
        if version is None:
            raise UsageError("--to needs --version, e.g. gitml promote --to prod --version v1.2.0")
        if no_assign or bump or rev != "HEAD" or stage:
            raise UsageError(
                "--to moves an existing version: do not combine it with "
                "--stage, --bump, --rev or --no-assign"
            )
        from gitml.registry.assign import assign_stage

        move = assign_stage(
            version=version,
            stage=to_stage,
            artifact=artifact,
            push=push,
            remote=remote,
            allow_older=allow_older,
        )
        write_outputs(
            {
                "version": move.version,
                "commit": move.commit,
                "stage": move.stage,
                "tags": " ".join(move.tags),
            }
        )
        if as_json:
            click.echo(json.dumps({**move.__dict__, "changed": move.changed}, indent=2))
        elif not move.changed:
            click.echo(f"{move.artifact} {move.version} is already in {move.stage}")
        else:
            where = "pushed" if move.pushed else "created locally (not pushed)"
            was = f" (was {move.previous})" if move.previous else ""
            click.echo(
                f"{move.artifact} {move.version} -> {move.stage}{was}; tag {where}: "
                f"{', '.join(move.tags)}"
            )
        return

    if version is not None:
        raise UsageError(
            "--version only applies with --to; a new version's number is derived "
            "from the existing tags and --bump"
        )
    from gitml.registry.promote import promote as run_promote

    result = run_promote(
        artifact=artifact,
        stage=stage,
        bump=bump,
        rev=rev,
        assign=not no_assign,
        push=push,
        remote=remote,
    )
    write_outputs(
        {
            "version": result.version,
            "commit": result.commit,
            "stage": result.stage or "",
            "tags": " ".join(result.tags),
        }
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    for gate in result.gates:
        click.echo(
            f"gate {gate.metric} {gate.rule}: {'pass' if gate.passed else 'FAIL'} ({gate.detail})",
            err=True,
        )
    if not result.tags:
        where = f"in {result.stage}" if result.stage else "registered"
        click.echo(
            f"{result.artifact} {result.version} ({result.commit[:7]}) is already {where}; "
            "nothing to do"
        )
        return
    baseline = f" (was {result.baseline.version})" if result.baseline else ""
    target = f" -> {result.stage}{baseline}" if result.stage else " registered (no stage yet)"
    where = "pushed to " + remote if result.pushed else "created locally (not pushed)"
    click.echo(f"{result.artifact} {result.version} ({result.commit[:7]}){target}")
    click.echo(f"tags {where}: {', '.join(result.tags)}")
