"""Turn raw base/head values into metric rows: deltas, directions and statuses, in a stable order."""

from __future__ import annotations

import math
from typing import Any

from gitml.report.model import MetricRow

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


def default_direction(name: str) -> str | None:
    """Direction for a well-known metric name; nested names use their last part."""
    leaf = name.rsplit(".", 1)[-1].lower()
    return _KNOWN.get(leaf)


def as_number(value: Any) -> float | None:
    """DVC values as numbers: booleans count as integers (as in ``dvc metrics diff``)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        return value
    return None


def compare(file: str, name: str, base: Any, head: Any, direction: str | None) -> MetricRow:
    """One metric row with its delta, relative delta and status."""
    base_value, head_value = as_number(base), as_number(head)
    delta = rel_delta = None
    if base_value is None and head_value is None:
        status = "unchanged"
    elif base_value is None:
        status = "new"
    elif head_value is None:
        status = "removed"
    else:
        delta = head_value - base_value
        rel_delta = delta / abs(base_value) if base_value != 0 else None
        if delta == 0:
            status = "unchanged"
        elif direction is None:
            status = "changed"
        else:
            better = delta > 0 if direction == "higher" else delta < 0
            status = "improved" if better else "regressed"
    return MetricRow(file, name, base_value, head_value, delta, rel_delta, direction, status)


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
