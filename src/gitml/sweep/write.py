"""Write the leaderboard's renderings: Markdown (capped, uncapped beside it), JSON and HTML."""

from __future__ import annotations

from pathlib import Path

from gitml.core.renderings import Renderers, Written, write_renderings
from gitml.sweep import html, json_render, markdown
from gitml.sweep.model import Leaderboard

RENDERERS = Renderers(markdown.render, markdown.render_full, json_render.render, html.render)


def write_leaderboard(
    board: Leaderboard,
    markdown_path: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
) -> Written:
    """Render and write; the uncapped Markdown goes beside a capped one as ``*.full.md``."""
    return write_renderings(board, RENDERERS, markdown_path, json_path, html_path)
