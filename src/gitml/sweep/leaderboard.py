"""Rank sweep runs by one metric: best first, failed runs last, the best run marked."""

from __future__ import annotations

import json
import math

from gitml.config import Settings
from gitml.core.model import MetricRow
from gitml.errors import ConfigError
from gitml.sweep.model import Leaderboard, RankedRun, SweepRun


def _rows_named(run: SweepRun, metric: str) -> list[MetricRow]:
    exact = [row for row in run.metrics if row.key == metric]
    return exact or [row for row in run.metrics if row.name == metric]


def choose_rank_metric(settings: Settings, runs: list[SweepRun]) -> tuple[str | None, str]:
    """The metric to rank by and why: ``rank_by``, else the first gated metric, else the first
    metric (by file and name) with a known direction."""
    if settings.sweep.rank_by:
        return settings.sweep.rank_by, "[tool.gitml.sweep] rank_by"
    if settings.gates:
        return settings.gates[0].metric, "the first gated metric"
    rows = sorted(
        (row for run in runs for row in run.metrics if row.direction),
        key=lambda row: (row.file, row.name),
    )
    if rows:
        return rows[0].key, "the first metric with a known direction"
    return None, "no metric has a known direction"


def _value(run: SweepRun, metric: str) -> tuple[float | None, str | None]:
    rows = _rows_named(run, metric)
    if len(rows) > 1:
        files = ", ".join(sorted(row.key for row in rows))
        raise ConfigError(
            f"rank_by {metric!r} is in several metrics files ({files}); name one as file:name"
        )
    if not rows:
        return None, None
    head = rows[0].head
    if head is None or not math.isfinite(head):  # NaN never ranks, let alone first
        return None, rows[0].direction
    return head, rows[0].direction


def _swept(runs: list[SweepRun]) -> list[str]:
    keys: list[str] = []
    for run in runs:
        keys.extend(key for key in run.params if key not in keys)
    return [
        key
        for key in keys
        if len({json.dumps(run.params.get(key), sort_keys=True) for run in runs}) > 1
        or len(runs) == 1
    ]


def rank(runs: list[SweepRun], base: str, settings: Settings) -> Leaderboard:
    """The leaderboard: runs with a value sorted by it (ties keep grid order), then ok runs
    without one, then failed runs. The best run is the first ranked one whose gates pass."""
    metric, reason = choose_rank_metric(settings, runs)
    notes = [f"Ranked by `{metric}` ({reason})." if metric else f"Not ranked: {reason}."]
    direction = None
    valued: list[tuple[float, int, SweepRun]] = []
    unvalued: list[SweepRun] = []
    for order, run in enumerate(runs):
        value, run_direction = (
            _value(run, metric) if metric and run.status == "ok" else (None, None)
        )
        direction = direction or run_direction
        if value is None or run.status != "ok":
            unvalued.append(run)
        else:
            valued.append((value, order, run))
    if metric and valued and direction is None:
        raise ConfigError(
            f"cannot rank by {metric!r}: its direction is unknown; set [tool.gitml.metrics] "
            f'{metric.rsplit(":", 1)[-1]} = "higher" or "lower"'
        )
    sign = -1 if direction == "higher" else 1
    valued.sort(key=lambda item: (sign * item[0], item[1]))
    ranked = [RankedRun(run, index, value) for index, (value, _o, run) in enumerate(valued, 1)]
    ranked += [RankedRun(run, None, None) for run in unvalued if run.status == "ok"]
    ranked += [RankedRun(run, None, None) for run in unvalued if run.status == "failed"]
    best = next((r.run.name for r in ranked if r.rank is not None and r.run.gates_passed), None)
    if valued and best is None:
        notes.append("No run passes every quality gate: none is marked best.")
    return Leaderboard(
        base=base,
        rank_by=metric,
        direction=direction,
        runs=ranked,
        swept=_swept(runs),
        best=best,
        notes=notes,
    )
