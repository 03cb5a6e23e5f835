"""GitHub's pages: ``per_page`` (default 30, capped at 100), ``page``, and the ``Link`` header
(``rel="next"``, ``rel="last"``, ``rel="prev"``, ``rel="first"``) whose URLs use
``/repositories/{id}/...`` as GitHub's do."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from gitml.github_emulator.limits import DEFAULT_PER_PAGE, MAX_PER_PAGE
from gitml.github_emulator.shapes import Site
from gitml.github_emulator.state import Repository


def _number(query: dict[str, str], name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except ValueError:
        return default


def page(site: Site, repo: Repository, rest: str, query: dict[str, str], items: list[Any]):
    """The response (200, one page of ``items``, headers) for a list endpoint at ``rest``."""
    per_page = _number(query, "per_page", DEFAULT_PER_PAGE)
    per_page = DEFAULT_PER_PAGE if per_page < 1 else min(per_page, MAX_PER_PAGE)
    number = max(_number(query, "page", 1), 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(number - 1) * per_page : number * per_page]

    def link(target: int) -> str:
        params = {**query, "per_page": str(per_page), "page": str(target)}
        return f"<{site.url}/repositories/{repo.id}{rest}?{urlencode(params)}>"

    links = []
    if number < last:
        links += [f'{link(number + 1)}; rel="next"', f'{link(last)}; rel="last"']
    if number > 1:
        links += [f'{link(number - 1)}; rel="prev"', f'{link(1)}; rel="first"']
    return 200, chunk, ({"link": ", ".join(links)} if links else {})
