"""Write the monitoring report's renderings: Markdown (capped), full Markdown, JSON and HTML."""

from __future__ import annotations

from pathlib import Path

from gitml.monitor import html as html_render
from gitml.monitor import json_render, markdown
from gitml.monitor.model import MonitorReport
from gitml.report.write import Written, _write


def write_report(
    report: MonitorReport,
    markdown_path: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
) -> Written:
    """Render and write; the uncapped Markdown goes beside a capped one as ``*.full.md``."""
    text = markdown.render(report)
    written = Written(markdown=text)
    if markdown_path is not None:
        written.paths.append(_write(markdown_path, text))
        full = markdown.render_full(report)
        if full != text:
            written.paths.append(_write(markdown_path.with_suffix(".full.md"), full))
    if json_path is not None:
        written.paths.append(_write(json_path, json_render.render(report)))
    if html_path is not None:
        written.paths.append(_write(html_path, html_render.render(report)))
    return written
