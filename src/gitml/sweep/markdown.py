"""The leaderboard as GitHub-flavoured Markdown, capped like the PR report."""

from __future__ import annotations

import math

from gitml.core.limits import REPORT_LIMIT
from gitml.core.markdown import cell, code, table
from gitml.core.text import number, param, signed
from gitml.core.wording import MARKS
from gitml.sweep.model import Leaderboard, RankedRun

#: Metric columns shown in the comment (the ranking metric first); all are in JSON and HTML.
MAX_METRIC_COLUMNS = 4
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def metric_columns(board: Leaderboard) -> list[str]:
    """Metric keys (``file:name``) in column order: the ranking metric, then the rest by name."""
    keys: list[str] = []
    for ranked in board.runs:
        keys.extend(row.key for row in ranked.run.metrics if row.key not in keys)
    first = [k for k in keys if board.rank_by in (k, k.split(":", 1)[-1])]
    return first + sorted(k for k in keys if k not in first)


def headline(board: Leaderboard) -> str:
    """One line: how many runs, how many failed, and the best run with its value."""
    total, failed = len(board.runs), len(board.failed)
    parts = [f"{total} run{'s' if total != 1 else ''}"]
    if failed:
        parts.append(f"{failed} failed")
    best = next((r for r in board.runs if r.run.name == board.best), None)
    if best is not None:
        parts.append(f"best {code(best.run.name)} ({board.rank_by} {number(best.value)})")
    icon = "🏁" if best is not None else ("❌" if failed == total else "⚠️")
    return f"## {icon} gitml sweep: {', '.join(parts)}"


def _row(board: Leaderboard, ranked: RankedRun, columns: list[str]) -> list[str]:
    run = ranked.run
    place = "—" if ranked.rank is None else f"{MEDALS.get(ranked.rank, '')} {ranked.rank}".strip()
    if run.name == board.best:
        place += " ⭐"
    params = [cell(param(run.params.get(key))) for key in board.swept]
    if run.status == "failed":
        values = [f"failed: {cell(run.error or 'unknown error')}"] + [""] * (len(columns) - 1)
        gates = "—"
    else:
        by_key = {row.key: row for row in run.metrics}
        values = [_value(by_key.get(key)) for key in columns]
        failed = [g for g in run.gates if not g.passed]
        gates = (
            "✅" if not failed else "❌ " + cell("; ".join(f"{g.metric} {g.rule}" for g in failed))
        )
        if ranked.rank is None and not failed and board.rank_by:
            gates = "⚠️ not ranked"  # no number to rank by: never a check mark
    return [place, code(run.name), *params, *values, gates]


def _value(row) -> str:
    """A metric's value, its change and its mark; a value that is not a number says so."""
    if row is None:
        return "—"
    if row.head is not None and not math.isfinite(row.head):
        return f"{number(row.head)} (not a number)"
    return f"{number(row.head)} ({signed(row.delta)}, {MARKS[row.status].split()[0]})"


def _table(board: Leaderboard, runs: list[RankedRun]) -> list[str]:
    columns = metric_columns(board)[:MAX_METRIC_COLUMNS] or ["metrics"]
    headers = ["#", "Run", *(cell(k) for k in board.swept), *(cell(c) for c in columns), "Gates"]
    return table(headers, [_row(board, ranked, columns) for ranked in runs])


def _footer(board: Leaderboard) -> list[str]:
    lines = [f"_{note}_" for note in board.notes]
    if board.best:
        lines += [
            "",
            f"Apply the best run to this branch: `gitml sweep --apply best` (or "
            f"`--apply {board.best}`), then commit `params.yaml` and `dvc.lock`.",
        ]
    return lines


def _render(board: Leaderboard, runs: list[RankedRun]) -> str:
    hidden = len(board.runs) - len(runs)
    lines = [
        headline(board),
        "",
        f"Each run compared with {code(board.base)}; change and status against it in brackets.",
        "",
        *_table(board, runs),
    ]
    if hidden:
        lines += [
            "",
            f"_…and {hidden} more runs: the full leaderboard is in the workflow's artifact._",
        ]
    return "\n".join([*lines, "", *_footer(board)]).rstrip() + "\n"


def render(board: Leaderboard, limit: int = REPORT_LIMIT) -> str:
    """The leaderboard, with as many runs (best first) as fit in ``limit`` characters."""
    text = _render(board, board.runs)
    if len(text) <= limit:
        return text
    low, high = 0, len(board.runs)
    while low < high:
        middle = (low + high + 1) // 2
        if len(_render(board, board.runs[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    return _render(board, board.runs[:low])


def render_full(board: Leaderboard) -> str:
    """Every run, uncapped (for files)."""
    return _render(board, board.runs)
