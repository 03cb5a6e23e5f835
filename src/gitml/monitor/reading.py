"""Read a window of data in chunks, keeping memory bounded by the sample, not by the input.

Rows are read ``chunk_rows`` at a time. Each row gets a random key from a generator seeded with
``seed`` (drawn for every row read, so the same input always gives the same sample); the rows with
the ``sample_rows`` smallest keys are kept, which is a uniform sample without replacement. Rows with
feedback (the labelled rows) are all kept beside the sample: they are few, and performance is
measured on every one of them. ``--last N`` keeps the N newest rows (memory bounded by N).

Log records follow docs/monitor.md (the contract with the service). A line that is not a JSON
object with a ``features`` object is broken: counted, reported and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any

import numpy as np
import pandas as pd

from gitml.errors import DataError, UsageError
from gitml.monitor.sources import Found, Source

# Columns gitml adds beside the features; "__" keeps them apart from any feature's name.
TIMESTAMP, ORDER, KEY, SORT = "__timestamp", "__order", "__key", "__sort"
REQUEST, INSTANCE, PREDICTION, LABEL = "__request_id", "__instance", "__prediction", "__label"
VERSION, SCHEMA_OK = "__version", "__schema_ok"
PROBABILITY = "__probability:"


def is_meta(column: str) -> bool:
    return column.startswith("__")


@dataclass
class Window:
    """What was read: a sample of the rows in the window, and every labelled row."""

    sample: pd.DataFrame
    labelled: pd.DataFrame
    #: rows read, and rows in the window (after --since / --last)
    rows_read: int = 0
    rows: int = 0
    sampled: bool = False
    broken_lines: int = 0
    feedback_records: int = 0
    #: feedback whose request is not in the logs read
    unmatched_feedback: int = 0
    sources: list[str] = field(default_factory=list)
    is_log: bool = False
    versions: dict[str, int] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)


def parse_time(text: Any) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime (naive times are taken as UTC); None if not."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _lines(source: Source) -> Iterator[bytes]:
    try:
        with source.open() as handle:
            yield from handle
    except OSError as error:
        raise DataError(f"cannot read {source.name} ({error})") from error


def read_feedback(sources: list[Source], window: Window) -> dict[tuple[str, int], Any]:
    """(request id, instance) -> label; the newest timestamp wins, ties by file order."""
    newest: dict[tuple[str, int], tuple[datetime, int, Any]] = {}
    floor = datetime.min.replace(tzinfo=timezone.utc)
    order = 0
    for source in sources:
        for raw in _lines(source):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                key = (str(record["request_id"]), int(record.get("instance", 0)))
                label = record["label"]
            except (ValueError, TypeError, KeyError):
                window.broken_lines += 1
                continue
            order += 1
            window.feedback_records += 1
            moment = parse_time(record.get("timestamp")) or floor
            if key not in newest or (moment, order) >= newest[key][:2]:
                newest[key] = (moment, order, label)
    return {key: value[2] for key, value in newest.items()}


def _log_row(record: dict, expected: set[str] | None) -> dict[str, Any]:
    features = record["features"]
    row = dict(features)
    row[TIMESTAMP] = record.get("timestamp")
    row[REQUEST] = str(record.get("request_id"))
    row[INSTANCE] = int(record.get("instance") or 0)
    row[PREDICTION] = record.get("prediction")
    row[VERSION] = record.get("version")
    row[SCHEMA_OK] = expected is None or set(features) == expected
    probabilities, classes = record.get("probabilities"), record.get("classes")
    if isinstance(probabilities, list):
        names = (
            classes if isinstance(classes, list) and len(classes) == len(probabilities) else None
        )
        for index, value in enumerate(probabilities):
            row[PROBABILITY + str(names[index] if names else index)] = value
    return row


def log_chunks(
    sources: list[Source], chunk_rows: int, window: Window, expected: set[str] | None
) -> Iterator[pd.DataFrame]:
    """Prediction log records as frames of at most ``chunk_rows`` rows."""
    rows: list[dict[str, Any]] = []
    for source in sources:
        for raw in _lines(source):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                if not isinstance(record, dict) or not isinstance(record.get("features"), dict):
                    raise TypeError("not a log record")
                rows.append(_log_row(record, expected))
            except (ValueError, TypeError):
                window.broken_lines += 1
                continue
            if len(rows) >= chunk_rows:
                yield pd.DataFrame(rows)
                rows = []
    if rows:
        yield pd.DataFrame(rows)


def table_chunks(source: Source, chunk_rows: int, window: Window) -> Iterator[pd.DataFrame]:
    """A CSV, Parquet or JSON lines file as frames of at most ``chunk_rows`` rows."""
    try:
        with source.open() as handle:
            if source.kind == "csv":
                compression = "infer" if "." in source.name else None
                reader = pd.read_csv(
                    handle, chunksize=chunk_rows, compression=_compression(source.name, compression)
                )
                yield from reader
            elif source.kind == "parquet":
                import pyarrow.parquet as pq

                for batch in pq.ParquetFile(handle).iter_batches(batch_size=chunk_rows):
                    yield batch.to_pandas()
            else:
                yield from _json_rows(handle, chunk_rows, window)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise DataError(f"cannot read {source.name}: {str(error).splitlines()[0]}") from error


def _compression(name: str, default: Any) -> Any:
    for suffix, kind in ((".gz", "gzip"), (".bz2", "bz2"), (".xz", "xz"), (".zip", "zip")):
        if name.lower().endswith(suffix):
            return kind
    return None


def _json_rows(handle: IO[bytes], chunk_rows: int, window: Window) -> Iterator[pd.DataFrame]:
    rows = []
    for raw in handle:
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            window.broken_lines += 1
            continue
        if not isinstance(record, dict):
            window.broken_lines += 1
            continue
        rows.append(record)
        if len(rows) >= chunk_rows:
            yield pd.DataFrame(rows)
            rows = []
    if rows:
        yield pd.DataFrame(rows)


class _Keep:
    """At most ``limit`` rows: those with the smallest ``column`` (or largest)."""

    def __init__(self, limit: int, column: str, largest: bool = False):
        self.limit, self.column, self.largest = limit, column, largest
        self.frame: pd.DataFrame | None = None

    def add(self, chunk: pd.DataFrame) -> None:
        frame = chunk if self.frame is None else pd.concat([self.frame, chunk], ignore_index=True)
        if len(frame) > self.limit:
            values = frame[self.column].to_numpy()
            values = -values if self.largest else values
            frame = frame.iloc[np.sort(np.argpartition(values, self.limit - 1)[: self.limit])]
            frame = frame.reset_index(drop=True)
        self.frame = frame

    def result(self) -> pd.DataFrame:
        return self.frame if self.frame is not None else pd.DataFrame()


@dataclass(frozen=True)
class WindowRequest:
    since: datetime | None = None
    last: int | None = None
    sample_rows: int = 100_000
    chunk_rows: int = 50_000
    seed: int = 0
    #: the model's features: log rows with other feature names are marked (for the export)
    expected: tuple[str, ...] | None = None


def _timestamps(chunk: pd.DataFrame, source_name: str, request: WindowRequest) -> pd.DataFrame:
    if TIMESTAMP not in chunk.columns and "timestamp" in chunk.columns:
        chunk = chunk.rename(columns={"timestamp": TIMESTAMP})
    if TIMESTAMP in chunk.columns:
        chunk[TIMESTAMP] = pd.to_datetime(
            chunk[TIMESTAMP], utc=True, errors="coerce", format="ISO8601"
        )
    elif request.since is not None:
        raise UsageError(
            f"--since needs times, but {source_name} has no timestamp column; drop --since"
        )
    return chunk


def read_window(found: Found, request: WindowRequest) -> Window:
    """The current window from logs (with their feedback) or from data files."""
    window = Window(sample=pd.DataFrame(), labelled=pd.DataFrame())
    window.is_log = bool(found.logs)
    window.sources = [s.name for s in (found.logs + found.feedback or found.tables)]
    labels = read_feedback(found.feedback, window) if found.feedback else {}
    expected = set(request.expected) if request.expected else None
    if window.is_log:
        chunks = log_chunks(found.logs, request.chunk_rows, window, expected)
    else:
        chunks = (c for s in found.tables for c in table_chunks(s, request.chunk_rows, window))
    return collect(chunks, request, window, labels, "the current data")


def collect(
    chunks: Iterator[pd.DataFrame],
    request: WindowRequest,
    window: Window,
    labels: dict[tuple[str, int], Any],
    name: str,
) -> Window:
    """Filter (--since), keep (--last N or a seeded sample) and join the feedback."""
    rng = np.random.default_rng(request.seed)
    sample = _Keep(request.sample_rows, KEY)
    newest = _Keep(request.last, SORT, largest=True) if request.last else None
    labelled: list[pd.DataFrame] = []
    seen: set[tuple[str, int]] = set()
    for chunk in chunks:
        chunk = _timestamps(chunk, name, request)
        chunk[KEY] = rng.random(len(chunk))
        chunk[ORDER] = np.arange(window.rows_read, window.rows_read + len(chunk))
        window.rows_read += len(chunk)
        if request.since is not None:
            chunk = chunk[chunk[TIMESTAMP] >= pd.Timestamp(request.since)]
        if newest is not None:
            newest.add(_by_time(chunk))
            continue
        window.rows += len(chunk)
        labelled.append(_join(chunk, labels, seen))
        sample.add(chunk)
    if newest is not None:
        kept = newest.result()
        window.rows = len(kept)
        labelled.append(_join(kept, labels, seen))
        sample.add(kept)
    window.sample = sample.result().drop(columns=[KEY, SORT], errors="ignore")
    window.labelled = pd.concat(labelled, ignore_index=True) if labelled else pd.DataFrame()
    window.sampled = window.rows > request.sample_rows
    window.unmatched_feedback = len(set(labels) - seen)
    _describe(window)
    return window


def _by_time(chunk: pd.DataFrame) -> pd.DataFrame:
    """For --last: the number rows are ordered by, their time (else the order they were read)."""
    chunk = chunk.copy()
    if TIMESTAMP in chunk.columns:
        stamps = chunk[TIMESTAMP].dt.tz_convert(None).to_numpy().astype("datetime64[ns]")
        missing = chunk[TIMESTAMP].isna().to_numpy()
        chunk[SORT] = np.where(missing, 0, stamps.astype("int64"))
    else:
        chunk[SORT] = chunk[ORDER]
    return chunk


def _join(chunk: pd.DataFrame, labels: dict[tuple[str, int], Any], seen: set) -> pd.DataFrame:
    if not labels or REQUEST not in chunk.columns or chunk.empty:
        return chunk.iloc[0:0]
    keys = list(zip(chunk[REQUEST], chunk[INSTANCE], strict=True))
    found = [labels.get(key, _MISSING) for key in keys]
    mask = np.array([value is not _MISSING for value in found], dtype=bool)
    seen.update(key for key, hit in zip(keys, mask, strict=True) if hit)
    labelled = chunk[mask].copy()
    labelled[LABEL] = [value for value in found if value is not _MISSING]
    return labelled.drop(columns=[KEY, SORT], errors="ignore")


_MISSING = object()


def _describe(window: Window) -> None:
    sample = window.sample
    if VERSION in sample.columns:
        counts = sample[VERSION].fillna("unknown").astype(str).value_counts()
        window.versions = {str(k): int(v) for k, v in counts.items()}
    window.classes = [c[len(PROBABILITY) :] for c in sample.columns if c.startswith(PROBABILITY)]


def read_table(source: Source, request: WindowRequest) -> Window:
    """A reference data file, sampled like the current window."""
    window = Window(sample=pd.DataFrame(), labelled=pd.DataFrame(), sources=[source.name])
    chunks = table_chunks(source, request.chunk_rows, window)
    reference_request = WindowRequest(
        sample_rows=request.sample_rows, chunk_rows=request.chunk_rows, seed=request.seed
    )
    return collect(chunks, reference_request, window, {}, source.name)
