"""Write the validation report's renderings: Markdown (capped), full Markdown, JSON and HTML."""

from __future__ import annotations

from pathlib import Path

from gitml.core.renderings import Renderers, Written, write_renderings
from gitml.validate import html as html_render
from gitml.validate import json_render, markdown
from gitml.validate.model import ValidationReport

RENDERERS = Renderers(markdown.render, markdown.render_full, json_render.render, html_render.render)


def write_report(
    report: ValidationReport,
    markdown_path: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
) -> Written:
    """Render and write; the uncapped Markdown goes beside a capped one as ``*.full.md``."""
    return write_renderings(report, RENDERERS, markdown_path, json_path, html_path)
