"""``gitml rollback``: move a stage back to the version it held before; nothing is deleted."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--stage", required=True, help="The stage to move back (prod).")
@click.option(
    "--to",
    "to_version",
    metavar="VERSION",
    help="A version that held the stage (default: the one it held before the current one).",
)
@click.option("--reason", metavar="TEXT", help="Why, recorded in the stage tag's message.")
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option(
    "--push/--no-push", default=True, show_default=True, help="Push the stage tag to the remote."
)
@click.option("--remote", default="origin", show_default=True, help="Git remote of the registry.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def rollback(
    stage: str,
    to_version: str | None,
    reason: str | None,
    artifact: str | None,
    push: bool,
    remote: str,
    as_json: bool,
) -> None:
    """Move STAGE back to the version it held before the current one, as a new stage tag.

    "Before": walking the stage's assignments back from the current version's latest one, the
    first of another version that is still registered. A rollback is an assignment too, so a
    second rollback returns to where the first began. Nothing is deleted: `gitml models
    --history` shows the rollback with its reason. Writes version, commit, stage and tags to
    $GITHUB_OUTPUT when set.

    \b
    Examples:
      gitml rollback --stage prod --reason "accuracy fell on the new scanner's images"
      gitml rollback --stage prod --to v1.2.0 --reason "back to the last good version"
    """
    from gitml.core.github_output import write_outputs
    from gitml.registry.rollback import rollback as run_rollback

    move = run_rollback(
        stage=stage, to=to_version, reason=reason, artifact=artifact, push=push, remote=remote
    )
    write_outputs({"version": move.version, "commit": move.commit, "stage": move.stage,
                   "tags": " ".join(move.tags)})  # fmt: skip
    if as_json:
        click.echo(json.dumps({**move.__dict__, "changed": move.changed}, indent=2))
        return
    where = "pushed" if move.pushed else "created locally (not pushed)"
    click.echo(
        f"{move.artifact} {move.stage}: {move.previous} -> {move.version} (rolled back); "
        f"tag {where}: {', '.join(move.tags)}"
    )
