"""Write a report's renderings to files: Markdown (capped), the uncapped Markdown beside it when
capping shortened it (``*.full.md``), JSON and HTML. The PR report, the monitoring report and the
sweep's leaderboard all write their files through :func:`write_renderings`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Renderers(Generic[T]):
    """The pure renderings of one kind of report."""

    markdown: Callable[[T], str]  # capped to fit a comment
    full_markdown: Callable[[T], str]
    json: Callable[[T], str]
    html: Callable[[T], str]


@dataclass
class Written:
    """The capped Markdown text and the files that were written."""

    markdown: str
    paths: list[Path] = field(default_factory=list)


def write_file(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path``, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_renderings(
    report: T,
    renderers: Renderers[T],
    markdown_path: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
) -> Written:
    """Render ``report`` and write the renderings asked for; the capped Markdown is returned
    even when no file is written."""
    text = renderers.markdown(report)
    written = Written(markdown=text)
    if markdown_path is not None:
        written.paths.append(write_file(markdown_path, text))
        full = renderers.full_markdown(report)
        if full != text:
            written.paths.append(write_file(markdown_path.with_suffix(".full.md"), full))
    if json_path is not None:
        written.paths.append(write_file(json_path, renderers.json(report)))
    if html_path is not None:
        written.paths.append(write_file(html_path, renderers.html(report)))
    return written
