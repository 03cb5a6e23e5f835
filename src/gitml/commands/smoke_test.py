"""``gitml smoke-test``: serve the built Bento and check its answers against the model's."""

from __future__ import annotations

import click


@click.command("smoke-test")
@click.option("--version", default=None, help="Version to test (default: HEAD's).")
@click.option("--stage", default=None, help="Test the version in this stage.")
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option(
    "--test-split",
    default="prepared/test.csv",
    show_default=True,
    help="CSV of feature columns (and the target, ignored) to send.",
)
@click.option("--target", default="target", show_default=True, help="Target column to drop.")
@click.option("--limit", default=0, help="Send only the first N rows (0: all).")
def smoke_test(
    version: str | None,
    stage: str | None,
    artifact: str | None,
    test_split: str,
    target: str,
    limit: int,
) -> None:
    """Serve the Bento on 127.0.0.1 and require its predictions to equal the model's.

    Exit 3 when any prediction differs, probabilities differ, or a bad request is not a 4xx.
    The Bento has 180 seconds to become ready (GITML_READY_TIMEOUT=SECONDS to change it).

    \b
    Example:
      gitml build && gitml smoke-test
    """
    from gitml.errors import GitmlError
    from gitml.serving.smoke import smoke_test as run_smoke

    result = run_smoke(
        version=version,
        stage=stage,
        artifact=artifact,
        test_split=test_split,
        target=target,
        limit=limit,
    )
    if not result.compared:
        click.echo(
            f"{result.bento_tag}: started and ready; answers not compared (the model is not a "
            "scikit-learn estimator gitml can run: test your service's answers yourself)"
        )
        return
    click.echo(
        f"{result.bento_tag}: {result.rows} rows, {len(result.mismatches)} mismatch(es), "
        f"max |proba diff| {result.max_proba_diff:.3g}, bad request -> {result.bad_request_status}"
    )
    if not result.passed:
        raise GitmlError(result.failure())
