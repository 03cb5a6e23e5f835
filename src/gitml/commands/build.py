"""``gitml build``: import the model into BentoML's store and build (and containerize) a Bento."""

from __future__ import annotations

from pathlib import Path

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
@click.option(
    "--registry",
    default=None,
    help="Registry and path prefix: the image is <registry>/<name> (default in GitHub Actions: "
    "ghcr.io/<owner>/<repo>).",
)
@click.option(
    "--image", "image_repo", default=None, help="Whole image repository (overrides --registry)."
)
@click.option(
    "--image-stage",
    default=None,
    help="Stage tag for the image (default: [tool.gitml.promote] stage).",
)
@click.option("--base-image", default=None, help="Base image for the Bento's Dockerfile.")
@click.option(
    "--smoke-test",
    "smoke",
    is_flag=True,
    help="Serve the Bento and require the model's answers (gitml smoke-test) before the image.",
)
@click.option(
    "--oci-archive",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also save the image to this OCI archive (gzip layers) and print its manifest digest.",
)
@click.option(
    "--sbom",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a CycloneDX SBOM (JSON) of the saved image here: its Python packages and "
    "Debian packages, read from the --oci-archive.",
)
def build(
    version: str | None,
    stage: str | None,
    artifact: str | None,
    service_file: str | None,
    lock: bool,
    backend: str | None,
    registry: str | None,
    image_repo: str | None,
    image_stage: str | None,
    base_image: str | None,
    smoke: bool,
    oci_archive: Path | None,
    sbom: Path | None,
) -> None:
    """Import the DVC-tracked model into BentoML and build a Bento (offline by default).

    Prints the Bento tag (and the image references and digest); writes bento-tag, model-tag,
    version, commit, image, images and digest to $GITHUB_OUTPUT when set.

    \b
    Examples:
      gitml build
      gitml build --version v0.3.0 --containerize docker --image ghcr.io/acme/classifier
      gitml build --smoke-test --containerize buildah --registry registry.example.com/ml \\
        --oci-archive image.tar --sbom sbom.cdx.json
      gitml build --service serving/service.py:MyService
    """
    from gitml.core.github_output import write_outputs
    from gitml.serving.containerize import build_and_containerize

    result = build_and_containerize(
        version=version,
        stage=stage,
        artifact=artifact,
        service_file=service_file,
        lock=lock,
        base_image=base_image,
        backend=backend,
        registry=registry,
        image_repo=image_repo,
        image_stage=image_stage,
        smoke=smoke,
        oci_archive=oci_archive,
        sbom=sbom,
    )
    click.echo(f"bento: {result.bento_tag}")
    for image in result.images:
        click.echo(f"image: {image}")
    if result.digest:
        click.echo(f"digest: {result.digest} (saved to {oci_archive})")
    if sbom is not None and result.digest:
        click.echo(f"sbom: {sbom}")
    write_outputs(result.outputs())
