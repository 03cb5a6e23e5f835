"""Metric comparison: raw base/head values into metric rows with deltas, directions and statuses,
in a stable order."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from gitml.config import Settings
from gitml.core.directions import BY_NAME, name_parts, part_direction
from gitml.core.directions import KNOWN_DIRECTIONS as KNOWN_DIRECTIONS  # re-exported
from gitml.core.directions import known_direction as known_direction  # re-exported
from gitml.core.model import UNNAMED, Direction, LoadError, MetricRow, MetricStatus, Revisions


def default_direction(name: str) -> str | None:
    """The built-in direction of a metric name (``known_direction``; kept for callers)."""
    return known_direction(name)


def resolve_direction(file: str, name: str, configured: dict[str, str]) -> str | None:
    """The direction of metric ``name`` of ``file``, first match wins:

    1. ``[tool.gitml.metrics]`` ``"file:name"``, then ``name`` (the full name);
    2. the built-in direction of the full name as one part (``val_loss``);
    3. configured ``"file:part"`` or ``part`` for a part of the name (split at ``.`` and ``/``);
    4. the built-in direction of the name's parts (``known_direction``).

    At steps 3 and 4, parts that disagree leave the direction unknown (``changed``).
    """
    exact = configured.get(f"{file}:{name}") or configured.get(name)
    if exact:
        return exact
    parts = name_parts(name)
    if len(parts) <= 1:
        return part_direction(name)
    builtin = BY_NAME.get(name.lower())
    if builtin:
        return builtin
    found = [
        direction
        for part in parts
        if (direction := configured.get(f"{file}:{part}") or configured.get(part))
    ]
    if found:
        return found[0] if len(set(found)) == 1 else None
    return known_direction(name)


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
STATUS_ORDER = {
    "regressed": 1,
    "not loaded": 2,
    "removed": 3,
    "changed": 4,
    "improved": 5,
    "new": 6,
    "unchanged": 7,
}


def sort_rows(rows: list[MetricRow], failing: set[str]) -> list[MetricRow]:
    """Gate failures first, then regressions, then the rest; by file and name within a group.

    DVC's own order changes between runs, so the order here depends on the data only.
    """
    return sorted(
        rows,
        key=lambda r: (0 if r.key in failing else STATUS_ORDER[r.status], r.file, r.name),
    )


def unloaded_at(file: str, revs: Revisions, errors: Sequence[LoadError]) -> tuple[str, ...]:
    """The revisions at which metrics ``file`` did not load: its own error, or its revision's."""
    failed = {
        error.rev
        for error in errors
        if error.source == "metrics" and error.whole_file and error.file in (None, file)
    }
    return tuple(rev for rev in dict.fromkeys((revs.base, revs.head)) if rev in failed)


def mark_not_loaded(row: MetricRow, failed_revs: tuple[str, ...], revs: Revisions) -> MetricRow:
    """``row`` as ``not loaded`` when a side it lacks is one whose file did not load: a value
    missing there is unknown, not removed (or new), and no change can be computed."""
    missing = [
        rev
        for rev, value in ((revs.base, row.base), (revs.head, row.head))
        if value is None and rev in failed_revs
    ]
    if not missing:
        return row
    return replace(
        row,
        delta=None,
        rel_delta=None,
        status=MetricStatus.NOT_LOADED,
        not_loaded_at=tuple(dict.fromkeys(missing)),
    )


def metric_rows(
    diff: dict,
    settings: Settings,
    revs: Revisions = UNNAMED,
    load_errors: Sequence[LoadError] = (),
) -> tuple[list[MetricRow], list[LoadError]]:
    """Rows for every metric in DVC's diff (``{file: {name: {"old", "new"}}}``); values that are
    not numbers become load errors. A value missing at a revision where its file (or the whole
    revision's metrics) failed to load (``load_errors``) is ``not loaded``."""
    rows, problems = [], []
    for file, entries in diff.items():
        failed_revs = unloaded_at(file, revs, load_errors)
        for name, values in entries.items():
            direction = resolve_direction(file, name, settings.directions)
            row = compare(file, name, values["old"], values["new"], direction)
            row = mark_not_loaded(row, failed_revs, revs)
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
