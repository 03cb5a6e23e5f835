"""``gitml release``: publish a version's GitHub Release from its papers."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.option("--version", required=True, help="Registered version, e.g. v0.3.0.")
@click.option(
    "--papers",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder `gitml card --papers` (and `gitml build --sbom`) wrote.",
)
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option("--repo", default=None, help="OWNER/NAME (default: GITHUB_REPOSITORY).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def release(
    version: str, papers: Path, artifact: str | None, repo: str | None, as_json: bool
) -> None:
    """Create or update the GitHub Release of a version from its papers.

    The release is on the version's tag (`name@vX.Y.Z`), named `name vX.Y.Z`, with the model
    card as its body and the papers as assets. Running it again updates the same release:
    changed assets are replaced, identical ones kept. Needs GITHUB_TOKEN with contents: write.
    Writes release-url to $GITHUB_OUTPUT when set.

    \b
    Example:
      gitml release --version v0.3.0 --papers release-papers/
    """
    from gitml.card.release import publish_version_release
    from gitml.core.github_output import write_outputs

    published = publish_version_release(
        ".", version=version, papers=papers, artifact=artifact, repository=repo
    )
    write_outputs({"release-url": published.url})
    if as_json:
        click.echo(json.dumps(published.to_dict(), indent=2))
        return
    verb = "created" if published.created else "updated"
    click.echo(f"release {verb}: {published.url}")
    for label, names in (
        ("uploaded", published.uploaded),
        ("replaced", published.replaced),
        ("unchanged", published.kept),
    ):
        if names:
            click.echo(f"  {label}: {', '.join(names)}")
