"""``gitml card``: the model card of a registered version."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--version", required=True, help="Registered version, e.g. v0.3.0.")
@click.option("--artifact", default=None, help="Artifact name (default: [tool.gitml.promote]).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the card here instead of printing it.",
)
@click.option("--json", "as_json", is_flag=True, help="The card as JSON data instead of Markdown.")
@click.option(
    "--github/--no-github",
    default=True,
    show_default=True,
    help="Look up the pull request, who merged it and who approved it (needs GITHUB_TOKEN and "
    "GITHUB_REPOSITORY; pull-requests: read).",
)
@click.option(
    "--papers",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the release's files into this folder: model-card.md, metrics.json, "
    "report.html (against the baseline, with the plots) and model.sig when signed.",
)
def card(
    version: str,
    artifact: str | None,
    output: Path | None,
    as_json: bool,
    github: bool,
    papers: Path | None,
) -> None:
    """Print the model card of a version: Markdown with Hugging Face's YAML front matter.

    What gitml knows of the version (artifact, estimator and params, the training data's DVC
    versions, metrics with the gates they passed and the baseline, commit, pull request, who
    merged and approved, signature) with the intended use, limitations and contacts of
    MODEL_CARD.md.

    \b
    Examples:
      gitml card --version v0.3.0
      gitml card --version v0.3.0 -o MODEL_CARD.v0.3.0.md
      gitml card --version v0.3.0 --papers release-papers/
    """
    from gitml.card.collect import collect_card
    from gitml.card.json_render import render as render_json
    from gitml.card.markdown import render as render_markdown
    from gitml.card.papers import write_papers
    from gitml.config import load_settings

    settings = load_settings()
    found = collect_card(version=version, artifact=artifact, settings=settings, github=github)
    text = render_json(found) if as_json else render_markdown(found)
    if papers is not None:
        for path in write_papers(".", found, papers, settings):
            click.echo(f"wrote {path}", err=True)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
