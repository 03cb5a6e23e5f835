"""The leaderboard as JSON data (``gitml sweep --json``): runs best first."""

from __future__ import annotations

import json
import math
from typing import Any

from gitml.sweep.model import Leaderboard


def finite_or_none(value: float | None) -> float | None:
    """JSON has no infinity or NaN: such values are written as null."""
    return value if value is None or math.isfinite(value) else None


def to_dict(board: Leaderboard) -> dict[str, Any]:
    """``{"base", "verdict", "rank_by", "direction", "best", "swept", "notes", "runs": [...]}``;
    the verdict is "pass" when some run passes every gate (there is a best run)."""
    return {
        "base": board.base,
        "verdict": "pass" if board.best else "fail",
        "rank_by": board.rank_by,
        "direction": board.direction,
        "best": board.best,
        "swept": board.swept,
        "notes": board.notes,
        "runs": [
            {
                "name": ranked.run.name,
                "rank": ranked.rank,
                "status": ranked.run.status,
                "error": ranked.run.error,
                "params": ranked.run.params,
                "metrics": [
                    {
                        "file": row.file,
                        "name": row.name,
                        "value": finite_or_none(row.head),
                        "base": finite_or_none(row.base),
                        "delta": finite_or_none(row.delta),
                        "status": row.status,
                    }
                    for row in ranked.run.metrics
                ],
                "gates": [gate.to_dict() for gate in ranked.run.gates],
            }
            for ranked in board.runs
        ],
    }


def render(board: Leaderboard) -> str:
    """``to_dict`` as indented JSON text."""
    return json.dumps(to_dict(board), indent=2, default=str) + "\n"
