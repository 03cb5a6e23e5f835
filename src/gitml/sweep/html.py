"""The leaderboard as one offline HTML page: the ranked table, then the ranking metric against
each swept param as an interactive chart (Vega-Lite, inlined like the PR report's plots)."""

from __future__ import annotations

import html
from typing import Any

from gitml.core.html import page
from gitml.core.text import number, param, signed
from gitml.sweep.markdown import headline, metric_columns
from gitml.sweep.model import Leaderboard


def chart_specs(board: Leaderboard) -> list[tuple[str, dict[str, Any]]]:
    """One Vega-Lite point chart per swept param: the ranking metric of every ranked run."""
    if not board.rank_by:
        return []
    specs = []
    for key in board.swept:
        values = [
            {
                "run": ranked.run.name,
                "param": param(ranked.run.params.get(key)),
                "value": ranked.value,
                "best": ranked.run.name == board.best,
            }
            for ranked in board.runs
            if ranked.rank is not None
        ]
        if not values:
            continue
        spec = {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "width": 420,
            "height": 260,
            "data": {"values": values},
            "mark": {"type": "point", "filled": True, "size": 90, "tooltip": True},
            "encoding": {
                "x": {"field": "param", "type": "ordinal", "title": key},
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": board.rank_by,
                    "scale": {"zero": False},
                },
                "color": {"field": "best", "type": "nominal", "title": "best"},
                "tooltip": [
                    {"field": "run"},
                    {"field": "param", "title": key},
                    {"field": "value", "title": board.rank_by},
                ],
            },
        }
        specs.append((f"{board.rank_by} against {key}", spec))
    return specs


def _table(board: Leaderboard) -> str:
    columns = metric_columns(board)
    head = ["#", "Run", "Status", *board.swept, *columns, "Gates"]
    rows = []
    for ranked in board.runs:
        run = ranked.run
        by_key = {row.key: row for row in run.metrics}
        cells = [
            "—"
            if ranked.rank is None
            else str(ranked.rank) + (" ⭐" if run.name == board.best else ""),
            run.name,
            run.status if run.status == "ok" else f"failed: {run.error or ''}",
            *(param(run.params.get(key)) for key in board.swept),
            *(
                "—"
                if key not in by_key
                else f"{number(by_key[key].head)} ({signed(by_key[key].delta)})"
                for key in columns
            ),
            "—"
            if run.status == "failed"
            else (
                "pass"
                if run.gates_passed
                else "fail: "
                + "; ".join(f"{g.metric} {g.rule}: {g.detail}" for g in run.gates if not g.passed)
            ),
        ]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render(board: Leaderboard) -> str:
    """The page: headline, notes, the table, then one chart per swept param."""
    specs = chart_specs(board)
    charts = "\n".join(
        f'<section><h2>{html.escape(title)}</h2><div data-gitml-chart="{html.escape(title)}">'
        "</div></section>"
        for title, _spec in specs
    )
    notes = "".join(f"<p>{html.escape(note)}</p>" for note in board.notes)
    title = headline(board).lstrip("# ")
    body = (
        f"<h1>{html.escape(title)}</h1>\n<p>Each run compared with "
        f"<code>{html.escape(board.base)}</code>.</p>\n{notes}\n{_table(board)}\n{charts}\n"
    )
    return page(title, body, dict(specs))
