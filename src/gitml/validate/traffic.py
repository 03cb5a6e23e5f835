"""The logged production traffic as requests to replay: in the logged order, in the logged batch
shapes, with the champion's logged answers and the feedback labels.

The sources are what ``gitml monitor`` reads (``monitor/sources.py``: the service's log folders,
local or any URL DVC reads). Unlike the monitor, which tests a seeded sample of rows, a replay
needs whole requests: each record keeps its features exactly as logged (a request is sent again
as it came), records are grouped by request id and ordered by instance, and requests by time (then
by the order they were read). Only the answers of the champion's version count as the champion's;
records of other versions (a staging service logging to the same place, the previous prod) are
left out and counted. Memory holds at most ``limit`` requests: the newest are kept.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from gitml.errors import DataError
from gitml.monitor.reading import Window, parse_time, read_feedback
from gitml.monitor.sources import Found, Source

EPOCH = datetime.min.replace(tzinfo=timezone.utc)


@dataclass
class LoggedRequest:
    """One request as prod answered it: its rows' features and the champion's answers."""

    request_id: str
    timestamp: datetime | None
    instances: list[dict[str, Any]]
    predictions: list[Any]
    #: per row, the class probabilities the champion logged (None when it logged none)
    probabilities: list[list[float] | None]
    #: row index -> the feedback label, for the rows that got one
    labels: dict[int, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.instances)


@dataclass
class Traffic:
    """The requests to replay (oldest first) and what was read to find them."""

    requests: list[LoggedRequest]
    sources: list[str]
    classes: list[Any] | None = None
    records: int = 0
    broken_lines: int = 0
    #: version -> records of other versions than the champion's (left out)
    other_versions: dict[str, int] = field(default_factory=dict)
    #: records before ``since``
    before_window: int = 0
    #: requests in the window beyond the newest ``limit`` (left out)
    beyond_limit: int = 0
    #: requests whose rows were not all in the logs (a broken line): left out
    incomplete: int = 0
    feedback_records: int = 0

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.requests)

    @property
    def labelled_rows(self) -> int:
        return sum(len(r.labels) for r in self.requests)


@dataclass(frozen=True)
class TrafficRequest:
    version: str
    since: datetime | None = None
    #: keep at most this many requests (the newest)
    limit: int = 10_000


def records(source: Source, traffic: Traffic) -> Iterator[dict[str, Any]]:
    """The prediction records of one log file; broken lines are counted and skipped."""
    try:
        with source.open() as handle:
            for raw in handle:
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except ValueError:
                    traffic.broken_lines += 1
                    continue
                if not isinstance(record, dict) or not isinstance(record.get("features"), dict):
                    traffic.broken_lines += 1
                    continue
                traffic.records += 1
                yield record
    except OSError as error:
        raise DataError(f"cannot read {source.name} ({error})") from error


class _Newest:
    """The newest ``limit`` requests, by the time of their first record (then reading order)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.heap: list[tuple[datetime, int, str]] = []
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.dropped = 0
        #: a request's rows are written together: the rest of a dropped one follows it
        self.last_dropped: str | None = None

    def add(self, request_id: str, moment: datetime, order: int, record: dict[str, Any]) -> None:
        if request_id in self.rows:
            self.rows[request_id].append(record)
            return
        if request_id == self.last_dropped:
            return
        if len(self.heap) >= self.limit:
            if (moment, order) < self.heap[0][:2]:
                self.dropped += 1
                self.last_dropped = request_id
                return
            _, _, oldest = heapq.heappop(self.heap)
            del self.rows[oldest]
            self.dropped += 1
        heapq.heappush(self.heap, (moment, order, request_id))
        self.rows[request_id] = [record]

    def in_order(self) -> list[tuple[datetime, list[dict[str, Any]]]]:
        return [(moment, self.rows[rid]) for moment, _, rid in sorted(self.heap)]


def _request(rows: list[dict[str, Any]], moment: datetime) -> LoggedRequest | None:
    """One request from its records, None when a row is missing or doubled."""
    by_instance = {}
    for record in rows:
        try:
            instance = int(record.get("instance") or 0)
        except (TypeError, ValueError):
            return None
        by_instance[instance] = record
    if sorted(by_instance) != list(range(len(rows))):
        return None
    ordered = [by_instance[i] for i in range(len(rows))]
    return LoggedRequest(
        request_id=str(ordered[0].get("request_id")),
        timestamp=None if moment == EPOCH else moment,
        instances=[r["features"] for r in ordered],
        predictions=[r.get("prediction") for r in ordered],
        probabilities=[
            p if isinstance(p := r.get("probabilities"), list) else None for r in ordered
        ],
    )


def read_traffic(found: Found, request: TrafficRequest) -> Traffic:
    """The champion's logged requests in the window, oldest first, with their feedback."""
    traffic = Traffic([], [s.name for s in found.logs + found.feedback])
    newest = _Newest(request.limit)
    order = 0
    for source in found.logs:
        for record in records(source, traffic):
            version = record.get("version")
            if version != request.version:
                key = str(version) if version is not None else "unknown"
                traffic.other_versions[key] = traffic.other_versions.get(key, 0) + 1
                continue
            moment = parse_time(record.get("timestamp")) or EPOCH
            if request.since is not None and moment < request.since:
                traffic.before_window += 1
                continue
            if traffic.classes is None and isinstance(record.get("classes"), list):
                traffic.classes = record["classes"]
            order += 1
            newest.add(str(record.get("request_id")), moment, order, record)
    traffic.beyond_limit = newest.dropped
    for moment, rows in newest.in_order():
        logged = _request(rows, moment)
        if logged is None:
            traffic.incomplete += 1
        else:
            traffic.requests.append(logged)
    _join_feedback(found, traffic)
    return traffic


def _join_feedback(found: Found, traffic: Traffic) -> None:
    if not found.feedback:
        return
    counted = Window(sample=pd.DataFrame(), labelled=pd.DataFrame())
    labels = read_feedback(found.feedback, counted)
    traffic.feedback_records = counted.feedback_records
    traffic.broken_lines += counted.broken_lines
    for logged in traffic.requests:
        for index in range(logged.rows):
            label = labels.get((logged.request_id, index))
            if label is not None:
                logged.labels[index] = label
