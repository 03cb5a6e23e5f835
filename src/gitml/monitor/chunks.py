"""``--chunk``: the window cut in time (``1d``, ``6h``) or every N rows, each chunk tested alone.

Each chunk gets its share of drifted features and its estimated accuracy (with its band, where the
estimate is calibrated), and the realized accuracy of its rows that have feedback: a time series,
as NannyML shows one, so a drift that began on Tuesday reads as one. Chunks are cut from the rows
the tests use (the window, or its seeded sample above ``sample_rows``), in time order (else the
order the rows were read); at most ``MAX_CHUNKS``, the newest kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gitml.config import Chunking
from gitml.monitor.drift import FeatureDrift
from gitml.monitor.performance import Performance
from gitml.monitor.reading import ORDER, TIMESTAMP, Window

MAX_CHUNKS = 100


@dataclass
class Chunk:
    """One chunk's drift and performance."""

    label: str
    rows: int
    tested: int = 0
    drifted: list[str] = field(default_factory=list)
    estimated_accuracy: float | None = None
    low: float | None = None
    high: float | None = None
    realized_accuracy: float | None = None
    labelled_rows: int = 0

    @property
    def share_drifted(self) -> float:
        return len(self.drifted) / self.tested if self.tested else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk": self.label,
            "rows": self.rows,
            "tested": self.tested,
            "drifted": self.drifted,
            "share_drifted": round(self.share_drifted, 6),
            "estimated_accuracy": self.estimated_accuracy,
            "low": self.low,
            "high": self.high,
            "realized_accuracy": self.realized_accuracy,
            "labelled_rows": self.labelled_rows,
        }


Measure = Callable[[Window], tuple[list[FeatureDrift], Performance | None]]


def _keys(frame: pd.DataFrame, chunking: Chunking) -> pd.Series | None:
    """The chunk key of each row: its period's start, else None when there are no times."""
    if chunking.period is None:
        return None
    if TIMESTAMP not in frame.columns or frame[TIMESTAMP].isna().all():
        return None
    return frame[TIMESTAMP].dt.floor(pd.Timedelta(chunking.period))


def _label(start: pd.Timestamp, chunking: Chunking) -> str:
    assert chunking.period is not None
    whole_days = chunking.period.total_seconds() % 86400 == 0
    return start.strftime("%Y-%m-%d" if whole_days else "%Y-%m-%d %H:%M")


def _parts(current: Window, chunking: Chunking) -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(label, rows, labelled rows) per chunk, oldest first."""
    sample, labelled = current.sample, current.labelled
    if chunking.rows is not None:
        by = TIMESTAMP if TIMESTAMP in sample.columns else ORDER
        sample = sample.sort_values([by, ORDER], kind="stable", na_position="first")
        position = np.arange(len(sample)) // chunking.rows
        starts = sample[by].to_numpy()[:: chunking.rows]
        which = np.zeros(len(labelled), dtype=int)
        if len(labelled) and by in labelled.columns:
            found = np.searchsorted(starts, labelled[by].to_numpy(), side="right") - 1
            which = np.maximum(found, 0)
        return [
            (f"rows {i * chunking.rows + 1:,}-{i * chunking.rows + int((position == i).sum()):,}",
             sample[position == i], labelled[which == i] if len(labelled) else labelled)
            for i in range(int(position.max()) + 1 if len(sample) else 0)
        ]  # fmt: skip
    keys = _keys(sample, chunking)
    assert keys is not None
    labelled_keys = _keys(labelled, chunking) if len(labelled) else None
    parts = []
    for start in sorted(keys.dropna().unique()):
        rows = sample[keys == start]
        known = (
            labelled[labelled_keys == start] if labelled_keys is not None else labelled.iloc[0:0]
        )
        parts.append((_label(pd.Timestamp(start), chunking), rows, known))
    return parts


def by_chunk(current: Window, chunking: Chunking, measure: Measure) -> tuple[list[Chunk], str]:
    """Each chunk's drift share and performance; a note when chunks were dropped or impossible."""
    if chunking.period is not None and _keys(current.sample, chunking) is None:
        return [], (
            f"--chunk {chunking.text} needs times, and the current data has none: chunk by rows "
            "(--chunk N) instead"
        )
    parts = _parts(current, chunking)
    note = ""
    if len(parts) > MAX_CHUNKS:
        note = f"{len(parts)} chunks of {chunking.text}: only the newest {MAX_CHUNKS} are shown"
        parts = parts[-MAX_CHUNKS:]
    chunks = []
    for label, rows, known in parts:
        part = Window(sample=rows, labelled=known, rows=len(rows), is_log=current.is_log)
        tested, performance = measure(part)
        chunk = Chunk(label=label, rows=len(rows), labelled_rows=len(known))
        chunk.tested = sum(1 for f in tested if f.drifted is not None)
        chunk.drifted = [f.name for f in tested if f.drifted]
        if performance is not None:
            _performance(chunk, performance)
        chunks.append(chunk)
    return chunks, note


def _performance(chunk: Chunk, performance: Performance) -> None:
    chunk.estimated_accuracy = performance.estimated_accuracy
    for estimate in performance.estimates:
        if estimate.name == "accuracy":
            chunk.low, chunk.high = estimate.low, estimate.high
            chunk.realized_accuracy = estimate.realized
    if chunk.realized_accuracy is None:
        chunk.realized_accuracy = performance.value("accuracy")
