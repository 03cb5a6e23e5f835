"""Write a report's renderings to files: Markdown (capped), full Markdown, JSON and HTML."""

from __future__ import annotations

from pathlib import Path

from gitml.core.renderings import Renderers, Written, write_renderings
from gitml.report import html as html_render
from gitml.report import json_render
from gitml.report import markdown as _markdown
from gitml.report.model import Report

RENDERERS = Renderers(
    _markdown.render, _markdown.render_full, json_render.render, html_render.render
)


def write_report(
    report: Report,
    markdown_path: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
) -> Written:
    """Render and write. With a Markdown path, the uncapped report goes beside it as
    ``*.full.md`` when capping shortened it, and the plots to ``*.html`` unless ``html_path``."""
    if markdown_path is not None:
        html_path = html_path or markdown_path.with_suffix(".html")
    return write_renderings(report, RENDERERS, markdown_path, json_path, html_path)
