"""``gitml serve``: serve a registered model's Bento locally."""

from __future__ import annotations

import click


@click.command()
@click.option("--version", default=None, help="Serve this registered version.")
@click.option("--stage", default=None, help="Serve the version in this stage.")
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=3000, show_default=True, help="Port to listen on.")
@click.option(
    "--monitor-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Record every answer and feedback as JSON lines under this directory "
    "(default: BentoML's monitoring configuration, which writes to ./monitoring).",
)
def serve(
    version: str | None,
    stage: str | None,
    artifact: str | None,
    host: str,
    port: int,
    monitor_dir: str | None,
) -> None:
    """Serve a model locally with the image's endpoints (POST /predict, /predict_proba,
    /feedback, /metadata); see docs/serving.md.

    With no flag: the version in staging, else the newest Bento built. A version without a
    Bento yet is built first. With GITML_FEEDBACK_TOKEN set, POST /feedback requires
    `Authorization: Bearer <token>`; without it, labels are taken from anyone who reaches the
    port (a warning says so for a --host other machines reach).

    \b
    Examples:
      gitml serve
      gitml serve --stage prod --port 8080 --monitor-dir /var/log/gitml
    """
    import os

    from gitml.serving.serve import check_port, choose_bento, feedback_warning, run_server

    check_port(host, port)
    warning = feedback_warning(host, os.environ)
    if warning:
        click.echo(f"WARNING: {warning}", err=True)
    target = choose_bento(version=version, stage=stage, artifact=artifact)
    click.echo(f"serving {target.bento_tag} ({target.reason}) on http://{host}:{port}", err=True)
    code = run_server(target.bento_tag, host, port, monitor_dir=monitor_dir)
    click.get_current_context().exit(code)
