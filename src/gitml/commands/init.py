"""``gitml init``: add gitml's workflows, settings and (when missing) a pipeline to a repository."""

from __future__ import annotations

from pathlib import Path

import click

ACTION_WIDTH = len("overwritten")


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder (where dvc.yaml is or will be), inside a git repository.",
)
@click.option(
    "--ref",
    default=None,
    help="Full commit SHA of gitml to pin the workflows to (default: the installed gitml's commit).",
)
@click.option(
    "--force", is_flag=True, help="Overwrite files and the [tool.gitml] table that exist."
)
@click.option("--release", is_flag=True, help="Also write the release-on-merge workflow.")
@click.option(
    "--service",
    default=None,
    metavar="FILE.py[:Class]",
    help="With --release: your own BentoML service, for a model that is not a scikit-learn "
    "estimator (see docs/serving.md).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
def init(
    directory: Path,
    ref: str | None,
    force: bool,
    release: bool,
    service: str | None,
    dry_run: bool,
) -> None:
    """Add gitml to this git repository.

    Writes the PR and fork-safe comment workflows (.github/workflows/gitml-pr.yml,
    gitml-comment.yml) pinned to one gitml commit, a [tool.gitml] section in pyproject.toml
    inferred from the metrics files found, and, when there is no dvc.yaml, a pipeline of gitml's
    built-in stages with its params.yaml (running `dvc init` first if needed). Existing files are
    kept unless --force; a second run changes nothing and says so. Reads only what git and the
    local DVC cache hold (no remote). The workflows get the project's requirements file and
    Python version. --release refuses a model that is not a scikit-learn estimator unless
    --service names your own BentoML service. Then prints what to commit and which secrets to set.

    \b
    Example:
      gitml init
      gitml init --release --ref 0123456789abcdef0123456789abcdef01234567
      gitml init --release --service serving/service.py
    """
    from gitml.scaffold.init import init_repository

    if service is not None and not release:
        from gitml.errors import UsageError

        raise UsageError("--service is the release workflow's: pass it with --release")
    result = init_repository(
        directory, ref=ref, force=force, release=release, dry_run=dry_run, service=service
    )
    prefix = "would be " if dry_run else ""
    for file in result.files:
        detail = f" ({file.detail})" if file.detail else ""
        click.echo(f"{prefix}{file.action:<{ACTION_WIDTH}} {file.path}{detail}")
    if not result.written:
        kept = any(file.action == "skipped" for file in result.files)
        click.echo(
            "\nnothing "
            + ("would change" if dry_run else "changed")
            + (
                ": files that differ were kept (--force replaces them)"
                if kept
                else ": gitml init has set up this project already"
            )
        )
    click.echo(
        f"\nworkflows pinned to gitml/gitml@{result.source.sha} "
        f"(v{result.source.version}, {result.source.origin})"
    )
    for choice in result.choices:
        click.echo(choice)
    for warning in result.warnings:
        click.echo(f"WARNING: {warning}", err=True)
    click.echo("\nNext:")
    for number, step in enumerate(result.next_steps, start=1):
        click.echo(f"  {number}. {step}")
