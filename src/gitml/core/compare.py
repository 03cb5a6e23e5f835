"""Metric comparison: raw base/head values into metric rows with deltas, directions and statuses,
in a stable order."""

from __future__ import annotations

import math
from typing import Any

from gitml.config import Settings
from gitml.core.model import UNNAMED, Direction, LoadError, MetricRow, MetricStatus, Revisions

#: Directions for well-known metric names, used when ``[tool.gitml.metrics]`` does not say.
KNOWN_DIRECTIONS = {
    "higher": (
        "accuracy",
        "balanced_accuracy",
        "precision",
        "recall",
        "f1",
        "f1_score",
        "roc_auc",
        "auc",
        "pr_auc",
        "average_precision",
        "r2",
        "map",
        "ndcg",
        "iou",
        "dice",
        "specificity",
    ),
    "lower": (
        "loss",
        "log_loss",
        "logloss",
        "mse",
        "rmse",
        "mae",
        "mape",
        "error",
        "brier_score",
        "val_loss",
        "train_loss",
        "latency",
        "perplexity",
    ),
}
_KNOWN = {name: direction for direction, names in KNOWN_DIRECTIONS.items() for name in names}


def _one_direction(directions: list[str]) -> str | None:
    """The direction several matching names agree on; None when they disagree."""
    return directions[0] if len(set(directions)) == 1 else None


def default_direction(name: str) -> str | None:
    """Direction of a well-known metric name: the full name, else its dotted parts.

    ``roc_auc.test`` and ``test.roc_auc`` (dvclive's per-split layouts) are both ``roc_auc``;
    parts that disagree (``loss.accuracy``) leave the direction unknown.
    """
    full = _KNOWN.get(name.lower())
    if full:
        return full
    found = [_KNOWN[part] for part in name.lower().split(".") if part in _KNOWN]
    return _one_direction(found) if found else None


def resolve_direction(file: str, name: str, configured: dict[str, str]) -> str | None:
    """The direction of metric ``name`` of ``file``, first match wins:

    1. ``[tool.gitml.metrics]`` ``"file:name"``, then ``name`` (the full dotted name);
    2. the built-in direction of the full name;
    3. configured ``"file:part"`` or ``part`` for a dotted part of the name;
    4. the built-in direction of a dotted part.

    At steps 3 and 4, parts that disagree leave the direction unknown (``changed``).
    """
    exact = configured.get(f"{file}:{name}") or configured.get(name)
    if exact:
        return exact
    builtin = _KNOWN.get(name.lower())
    if builtin:
        return builtin
    parts = name.split(".")
    if len(parts) > 1:
        found = [
            direction
            for part in parts
            if (direction := configured.get(f"{file}:{part}") or configured.get(part))
        ]
        if found:
            return _one_direction(found)
    return default_direction(name)


def as_number(value: Any) -> int | float | None:
    """DVC values as numbers: booleans count as integers (as in ``dvc metrics diff``).

    Integers keep their exact value, however long; infinities are numbers; NaN is not one.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and not math.isnan(value):
        return value
    return None


def is_finite(value: int | float) -> bool:
    """False for infinities (integers are finite, even those no float can hold)."""
    return isinstance(value, int) or math.isfinite(value)


def difference(head: int | float, base: int | float) -> int | float:
    """``head - base`` that never raises nor gives NaN: equal values (infinities included)
    differ by 0; a difference beyond float's range (a huge integer against a float) is an infinity
    of the right sign; integers subtract exactly."""
    if head == base:
        return 0
    try:
        return head - base
    except OverflowError:
        return math.inf if head > base else -math.inf


def relative(delta: int | float, base: int | float) -> float | None:
    """``delta / |base|`` as a finite float; None when base is 0 or infinite, or the ratio is
    not finite (it would say nothing a reader can use)."""
    if base == 0 or not is_finite(base) or not is_finite(delta):
        return None
    try:
        ratio = delta / abs(base)
    except OverflowError:
        return None
    return ratio if math.isfinite(ratio) else None


def compare(file: str, name: str, base: Any, head: Any, direction: str | None) -> MetricRow:
    """One metric row with its delta, relative delta and status.

    Statuses follow the order of the values, which is defined for every number DVC loads:
    an infinity on both sides is ``unchanged``; ``-inf`` -> ``1`` is a rise. Python compares
    integers and floats exactly, so huge integers order correctly too.
    """
    base_value, head_value = as_number(base), as_number(head)
    delta = rel_delta = None
    if base_value is None and head_value is None:
        status = "unchanged"
    elif base_value is None:
        status = "new"
    elif head_value is None:
        status = "removed"
    else:
        delta = difference(head_value, base_value)
        rel_delta = relative(delta, base_value)
        if head_value == base_value:
            status = "unchanged"
        elif direction is None:
            status = "changed"
        else:
            rose = head_value > base_value
            status = "improved" if rose == (direction == "higher") else "regressed"
    return MetricRow(
        file,
        name,
        base_value,
        head_value,
        delta,
        rel_delta,
        Direction(direction) if direction else None,
        MetricStatus(status),
    )


# Order of statuses in the report: what needs a reviewer's eye first.
STATUS_ORDER = {"regressed": 1, "removed": 2, "changed": 3, "improved": 4, "new": 5, "unchanged": 6}


def sort_rows(rows: list[MetricRow], failing: set[str]) -> list[MetricRow]:
    """Gate failures first, then regressions, then the rest; by file and name within a group.

    DVC's own order changes between runs, so the order here depends on the data only.
    """
    return sorted(
        rows,
        key=lambda r: (0 if r.key in failing else STATUS_ORDER[r.status], r.file, r.name),
    )


def metric_rows(
    diff: dict, settings: Settings, revs: Revisions = UNNAMED
) -> tuple[list[MetricRow], list[LoadError]]:
    """Rows for every metric in DVC's diff (``{file: {name: {"old", "new"}}}``); values that are
    not numbers become load errors."""
    rows, problems = [], []
    for file, entries in diff.items():
        for name, values in entries.items():
            direction = resolve_direction(file, name, settings.directions)
            row = compare(file, name, values["old"], values["new"], direction)
            for rev, raw, number in (
                (revs.base, values["old"], row.base),
                (revs.head, values["new"], row.head),
            ):
                if raw is not None and number is None:
                    problems.append(
                        LoadError(
                            "metrics", rev, file, f"{name} is not a number ({raw!r})", metric=name
                        )
                    )
            rows.append(row)
    return rows, problems
