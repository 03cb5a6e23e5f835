"""Write a report's renderings to files: Markdown (capped), full Markdown, JSON and HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gitml.report import html as html_render
from gitml.report import json_render
from gitml.report import markdown as _markdown
from gitml.report.model import Report


@dataclass
class Written:
    """The capped Markdown text and the files that were written."""

    markdown: str
    paths: list[Path] = field(default_factory=list)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_report(
    report: Report,
    markdown: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
) -> Written:
    """Render and write. With a Markdown path, the uncapped report goes beside it as
    ``*.full.md`` when capping shortened it, and the plots to ``*.html`` unless ``html_path``."""
    text = _markdown.render(report)
    written = Written(markdown=text)
    if markdown is not None:
        written.paths.append(_write(markdown, text))
        full = _markdown.render_full(report)
        if full != text:
            written.paths.append(_write(markdown.with_suffix(".full.md"), full))
        html_path = html_path or markdown.with_suffix(".html")
    if json_path is not None:
        written.paths.append(_write(json_path, json_render.render(report)))
    if html_path is not None:
        written.paths.append(_write(html_path, html_render.render(report)))
    return written
