"""``gitml promote``: register the commit as a new model version and assign it a stage."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the registry (and GTO) load only when the command runs
    from gitml.registry.assign import StageMove
    from gitml.registry.promote import Promotion


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
    "--validation",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="With --to: the gitml validate JSON report of --version; its verdict goes into the "
    "tag message, and a verdict that did not pass refuses the move (unless --override-reason).",
)
@click.option(
    "--override-reason",
    metavar="TEXT",
    help="With --validation: move even though the validation did not pass; recorded in the tag.",
)
@click.option("--reason", metavar="TEXT", help="With --to: why, recorded in the tag's message.")
@click.option(
    "--image",
    metavar="REF@DIGEST",
    help="With --to: the image released for the version (name@sha256:...), recorded in the tag "
    "for `gitml deploy`.",
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
    validation: Path | None,
    override_reason: str | None,
    reason: str | None,
    image: str | None,
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
      gitml promote --to prod --version v0.3.0 --validation validate.json
    """
    from gitml.core.github_output import write_outputs

    notes = (validation, override_reason, reason, image)
    if to_stage is not None:
        _check_move_options(version, no_assign, bump, rev, stage)
        assert version is not None  # _check_move_options refuses --to without --version
        _move(to_stage, version, artifact, push, remote, allow_older, notes, as_json)
        return

    _check_register_options(version, notes)
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
    write_outputs(_outputs(result.version, result.commit, result.stage, result.tags))
    _echo_promotion(result, remote, as_json)


def _move(
    to_stage: str,
    version: str,
    artifact: str | None,
    push: bool,
    remote: str,
    allow_older: bool,
    notes: tuple,
    as_json: bool,
) -> None:
    """``--to STAGE --version V``: move an existing version, its notes in the tag message."""
    from gitml.core.github_output import write_outputs
    from gitml.registry.assign import assign_stage

    move = assign_stage(
        version=version,
        stage=to_stage,
        artifact=artifact,
        push=push,
        remote=remote,
        allow_older=allow_older,
        notes=_move_notes(version, *notes),
    )
    write_outputs(_outputs(move.version, move.commit, move.stage, move.tags))
    _echo_move(move, as_json)


def _outputs(version: str, commit: str, stage: str | None, tags: list[str]) -> dict[str, str]:
    """The step outputs of both modes (``$GITHUB_OUTPUT``)."""
    return {"version": version, "commit": commit, "stage": stage or "", "tags": " ".join(tags)}


def _check_move_options(
    version: str | None, no_assign: bool, bump: str | None, rev: str, stage: str | None
) -> None:
    """``--to`` moves an existing ``--version`` and takes none of the registering options."""
    from gitml.errors import UsageError

    if version is None:
        raise UsageError("--to needs --version, e.g. gitml promote --to prod --version v1.2.0")
    if no_assign or bump or rev != "HEAD" or stage:
        raise UsageError(
            "--to moves an existing version: do not combine it with "
            "--stage, --bump, --rev or --no-assign"
        )


def _check_register_options(version: str | None, notes: tuple) -> None:
    from gitml.errors import UsageError

    if version is not None:
        raise UsageError(
            "--version only applies with --to; a new version's number is derived "
            "from the existing tags and --bump"
        )
    if any(note is not None for note in notes):
        raise UsageError(
            "--validation, --override-reason, --reason and --image describe a stage move: "
            "use them with --to STAGE --version V"
        )


def _move_notes(
    version: str,
    validation: Path | None,
    override_reason: str | None,
    reason: str | None,
    image: str | None,
) -> tuple[str, ...]:
    """The ``gitml-<key>:`` lines of the stage tag's message (see gitml.registry.history)."""
    from gitml.errors import UsageError
    from gitml.registry.history import detail_line

    notes: tuple[str, ...] = ()
    if validation is not None:
        from gitml.validate.evidence import validation_notes

        notes += validation_notes(validation, version, override_reason)
    elif override_reason:
        raise UsageError("--override-reason overrides a validation: pass --validation FILE too")
    if reason:
        notes += (detail_line("reason", reason),)
    if image:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:/-]*@sha256:[0-9a-f]{64}", image):
            raise UsageError(f"--image must be NAME@sha256:<64 hex digits>, got {image!r}")
        notes += (detail_line("image", image),)
    return notes


def _echo_move(move: StageMove, as_json: bool) -> None:
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


def _echo_promotion(result: Promotion, remote: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    for gate in result.gates:
        click.echo(
            f"gate {gate.metric} {gate.rule}: {'pass' if gate.passed else 'FAIL'} ({gate.detail})",
            err=True,
        )
    if result.not_loaded and result.tags:
        click.echo(
            "warning: metrics did not load; the version is registered without them: "
            + "; ".join(result.not_loaded),
            err=True,
        )
    if not result.tags:
        where = f"in {result.stage}" if result.stage else "registered"
        click.echo(
            f"{result.artifact} {result.version} ({result.commit[:7]}) is already {where}; "
            "nothing to do"
        )
        return
    baseline = f" (was {result.baseline.label})" if result.baseline else ""
    target = f" -> {result.stage}{baseline}" if result.stage else " registered (no stage yet)"
    where = "pushed to " + remote if result.pushed else "created locally (not pushed)"
    click.echo(f"{result.artifact} {result.version} ({result.commit[:7]}){target}")
    click.echo(f"tags {where}: {', '.join(result.tags)}")
