"""``gitml deploy``: write a stage's image (by digest) into its kustomization file and commit it."""

from __future__ import annotations

import click


@click.command()
@click.option("--stage", required=True, help="The stage whose kustomization to write (prod).")
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option(
    "--image",
    metavar="NAME@DIGEST",
    help="The image to pin (default: the one the registry records for the stage's version).",
)
@click.option(
    "--push/--no-push",
    default=True,
    show_default=True,
    help="Push the commit to the remote's branch, or only commit it on the local branch.",
)
@click.option("--remote", default="origin", show_default=True, help="Git remote to push to.")
def deploy(stage: str, artifact: str | None, image: str | None, push: bool, remote: str) -> None:
    """Write the image of the version in STAGE into the stage's kustomization file and commit it.

    For GitOps deployments (Argo CD, Flux): [tool.gitml.deploy] names each stage's
    kustomization.yaml; its `images:` entry for the model's image gets the pushed image's name
    and digest, so `kubectl kustomize` renders exactly that image. The commit ([skip ci] in its
    message) goes to the manifests' branch ([tool.gitml.deploy] branch, else the base branch).
    Does nothing when [tool.gitml.deploy] has no stages, or the file already pins that image.
    With [tool.gitml.deploy] repository = "OWNER/NAME" the manifests are in that repository:
    the change goes there as a pull request from gitml/deploy/ARTIFACT-STAGE, opened or updated
    with the token in $GITML_MANIFESTS_TOKEN. Writes commit, image and pull-request to
    $GITHUB_OUTPUT when set.

    \b
    Examples:
      gitml deploy --stage prod
      gitml deploy --stage staging --image ghcr.io/acme/ml/classifier@sha256:...
    """
    from gitml.config import load_settings
    from gitml.core.github_output import write_outputs
    from gitml.deploy.handoff import deploy as run_deploy

    if not load_settings().deploy.enabled:
        click.echo("[tool.gitml.deploy] names no stage: nothing to deploy")
        return
    done = run_deploy(stage=stage, artifact=artifact, image=image, push=push, remote=remote)
    write_outputs(
        {"commit": done.commit or "", "image": done.image, "pull-request": done.pull_request or ""}
    )
    if done.commit is None:
        click.echo(f"{done.path} already pins {done.image} ({done.stage}: {done.version})")
        if done.pull_request_action == "closed":
            click.echo(f"closed {done.pull_request}: it proposed an image {done.stage} left")
        return
    if done.pull_request is not None:
        click.echo(
            f"{done.path}: {done.image} ({done.stage}: {done.version}); pull request "
            f"{done.pull_request} {done.pull_request_action} (into {done.branch})"
        )
        return
    where = f"pushed to {remote}/{done.branch}" if done.pushed else f"on {done.branch} (not pushed)"
    click.echo(
        f"{done.path}: {done.image} ({done.stage}: {done.version}); commit {done.commit[:12]} {where}"
    )
