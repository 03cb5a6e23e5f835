"""Write the leaderboard's renderings: Markdown (capped, uncapped beside it), JSON and HTML."""

from __future__ import annotations

from pathlib import Path

from gitml.sweep import html, json_render, markdown
from gitml.sweep.model import Leaderboard


def write_leaderboard(
    board: Leaderboard,
    markdown_path: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
) -> tuple[str, list[Path]]:
    """The capped Markdown text and the files written."""
    text = markdown.render(board)
    outputs: list[tuple[Path, str]] = []
    if markdown_path is not None:
        outputs.append((markdown_path, text))
        full = markdown.render_full(board)
        if full != text:
            outputs.append((markdown_path.with_suffix(".full.md"), full))
    if json_path is not None:
        outputs.append((json_path, json_render.render(board)))
    if html_path is not None:
        outputs.append((html_path, html.render(board)))
    for path, content in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return text, [path for path, _content in outputs]
