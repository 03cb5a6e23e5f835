"""``gitml build``: import the model into BentoML's store and build (and containerize) a Bento."""

from __future__ import annotations

import click


@click.command()
@click.option("--version", default=None, help="Registered version to build (default: HEAD's).")
@click.option("--stage", default=None, help="Build the version currently in this stage.")
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option(
    "--service",
    "service_file",
    default=None,
    metavar="FILE.py[:Class]",
    help="Your own BentoML service instead of gitml's default scikit-learn one.",
)
@click.option(
    "--lock", is_flag=True, help="Lock Python dependencies against the index (needs network)."
)
@click.option(
    "--containerize",
    "backend",
    type=click.Choice(["docker", "buildah"]),
    default=None,
    help="Also build an image with this backend.",
)
@click.option("--image", "image_repo", default=None, help="Image repository, e.g. ghcr.io/o/r.")
@click.option(
    "--image-stage",
    default=None,
    help="Stage tag for the image (default: [tool.gitml.promote] stage).",
)
@click.option("--base-image", default=None, help="Base image for the Bento's Dockerfile.")
def build(
    version: str | None,
    stage: str | None,
    artifact: str | None,
    service_file: str | None,
    lock: bool,
    backend: str | None,
    image_repo: str | None,
    image_stage: str | None,
    base_image: str | None,
) -> None:
    """Import the DVC-tracked model into BentoML and build a Bento (offline by default).

    Prints the Bento tag (and the image reference); writes bento-tag, model-tag, version,
    commit, image and images to $GITHUB_OUTPUT when set.

    \b
    Examples:
      gitml build
      gitml build --version v0.3.0 --containerize docker --image ghcr.io/acme/classifier
      gitml build --service serving/service.py:MyService
    """
    from gitml.ghoutput import write_outputs
    from gitml.serving.containerize import build_and_containerize

    result = build_and_containerize(
        version=version,
        stage=stage,
        artifact=artifact,
        service_file=service_file,
        lock=lock,
        base_image=base_image,
        backend=backend,
        image_repo=image_repo,
        image_stage=image_stage,
    )
    click.echo(f"bento: {result.bento_tag}")
    for image in result.images:
        click.echo(f"image: {image}")
    write_outputs(result.outputs())
