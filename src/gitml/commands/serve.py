"""``gitml serve``: serve a registered model's Bento locally."""

from __future__ import annotations

import click


@click.command()
@click.option("--version", default=None, help="Serve this registered version.")
@click.option("--stage", default=None, help="Serve the version in this stage.")
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=3000, show_default=True, help="Port to listen on.")
def serve(
    version: str | None, stage: str | None, artifact: str | None, host: str, port: int
) -> None:
    """Serve a model locally with the image's endpoints (POST /predict, /predict_proba).

    With no flag: the version in staging, else the newest Bento built. A version without a
    Bento yet is built first.

    \b
    Examples:
      gitml serve
      gitml serve --stage prod --port 8080
    """
    from gitml.serving.serve import check_port, choose_bento, run_server

    check_port(host, port)
    target = choose_bento(version=version, stage=stage, artifact=artifact)
    click.echo(f"serving {target.bento_tag} ({target.reason}) on http://{host}:{port}", err=True)
    click.get_current_context().exit(run_server(target.bento_tag, host, port))
