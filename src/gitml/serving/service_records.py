"""Prediction and feedback records of gitml's default service, through ``bentoml.monitor``.

Copied into the Bento next to ``service.py``; imports no gitml. The record format is fixed by
the monitoring contract (docs/serving.md): one JSON line per answered row under
``<log_path>/gitml_predictions/data/data.<worker>.log`` and one per feedback label under
``<log_path>/gitml_feedback/data/``.

BentoML's default exporter cannot keep that contract on its own, so with ``monitoring.type:
default`` the service passes BentoML a subclass of it (``RecordFileMonitor``):

- BentoML's exporter gives every monitor the one logger ``bentoml_monitor_data`` and reconfigures
  it when the next monitor starts, so predictions and feedback would end up in one file;
- its file handler swallows write errors (``logging.Handler.handleError``), so a full disk would
  silently drop records while the client still got its answer.

``RecordFileMonitor`` writes each monitor's own files (same paths, same JSON, same daily rotation),
writes all rows of one request in one ``write`` and raises ``RecordNotWritten`` when it fails: the
request is then answered 503 instead of going unrecorded. After a failed write the next record
starts on a new line, so a partial line never swallows a good record. With ``type: otlp`` (or any
other exporter) BentoML's own exporter is used unchanged.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import json
import logging
import logging.handlers
import os
import re
from pathlib import Path
from typing import Any

import bentoml
from bentoml._internal.context import server_context, trace_context
from bentoml._internal.monitoring.base import MON_DATAS_VAR
from bentoml._internal.monitoring.default import DefaultMonitor
from service_http import ClientError

PREDICTIONS = "gitml_predictions"
FEEDBACK = "gitml_feedback"
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


class RecordNotWritten(Exception):
    """A record could not be written: the request fails loudly instead of losing it."""


class RecordFile(logging.handlers.TimedRotatingFileHandler):
    """JSON lines, one ``write`` per request, write errors raised instead of swallowed."""

    def __init__(self, path: Path):
        super().__init__(path, when="D", encoding="utf-8", delay=True)
        self.after_failure = False

    def emit(self, record: logging.LogRecord) -> None:
        rows = record.msg if isinstance(record.msg, list) else [record.msg]
        text = "".join(json.dumps(row, default=str) + "\n" for row in rows)
        if self.after_failure:  # the failed write may have left half a line
            text = "\n" + text
        try:
            if self.shouldRollover(record):
                self.doRollover()
            if self.stream is None:
                self.stream = self._open()
            self.stream.write(text)
            self.stream.flush()
        except OSError as error:
            self.after_failure = True
            self._drop_stream()
            raise RecordNotWritten(f"{self.baseFilename}: {error.strerror or error}") from None
        self.after_failure = False

    def _drop_stream(self) -> None:
        stream, self.stream = self.stream, None
        if stream is not None:
            # the unwritten rest of the buffer is lost: that request failed
            with contextlib.suppress(OSError):
                stream.close()


def _file_logger(name: str, path: Path) -> logging.Logger:
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.addHandler(RecordFile(path))
    return logger


class RecordFileMonitor(DefaultMonitor):
    """BentoML's default exporter with a logger per monitor and write errors raised."""

    def _init_logger(self) -> None:
        worker = server_context.worker_index or 0
        base = Path(self.log_path).absolute() / self.name
        prefix = f"gitml.monitor.{self.name}.{worker}"
        # BentoML's DefaultMonitor starts both loggers as None, which its types take as their only
        # type; its own _init_logger assigns loggers the same way
        self.schema_logger = _file_logger(  # type: ignore[assignment]
            f"{prefix}.schema", base / "schema" / f"schema.{worker}.log"
        )
        self.data_logger = _file_logger(  # type: ignore[assignment]
            f"{prefix}.data", base / "data" / f"data.{worker}.log"
        )

    def log_batch(self, data_batch, name: str, role: str, data_type: str) -> None:
        """One column for many rows; BentoML's warns "duplicated" once per row of a first record."""
        values = list(data_batch)
        if values:
            self.log(values[0], name, role, data_type)
            columns = MON_DATAS_VAR.get()
            assert columns is not None  # set by the log call just made
            columns[name].extend(values[1:])

    def export_data(self, datas: dict[str, collections.deque]) -> None:
        if self.data_logger is None:
            self._init_logger()
        logger: logging.Logger = self.data_logger  # type: ignore[assignment]  # set just above
        extra = {
            self.COLUMN_TIME: datetime.datetime.now().astimezone().isoformat(),
            self.COLUMN_RID: str(trace_context.request_id),
            self.COLUMN_TID: str(trace_context.trace_id),
        }
        rows = []
        while all(datas.values()):
            row = {name: column.popleft() for name, column in datas.items()}
            row.update(extra)
            rows.append(row)
        logger.info(rows)


def monitoring_settings() -> dict[str, Any]:
    """BentoML's ``monitoring`` configuration of this service (enabled, type, options)."""
    from bentoml._internal.configuration.containers import BentoMLContainer

    config = BentoMLContainer.config.monitoring
    return {
        "enabled": bool(config.enabled.get()),
        "type": config.type.get(),
        "options": dict(config.options.get() or {}),
    }


@contextlib.contextmanager
def as_request(request_id: str):
    """BentoML's exporters write ``trace_context.request_id`` as the record's ``request_id``:
    gitml's id while the record is written, BentoML's own (an int it formats in a response
    header) again afterwards."""
    previous = trace_context.request_id
    trace_context.request_id = request_id  # type: ignore[assignment]  # typed int, written as text
    try:
        yield
    finally:
        trace_context.request_id = previous


class Recorder:
    """Writes prediction and feedback records and knows which request ids were answered."""

    def __init__(self, settings: dict[str, Any], index_size: int):
        self.enabled = settings["enabled"]
        kind = settings["type"]
        self.files = self.enabled and kind in (None, "default")
        # With the default exporter gitml's subclass writes the files; any other exporter
        # (otlp, a class path) is BentoML's, chosen by its configuration.
        self.monitor_args = {"monitor_class": RecordFileMonitor} if self.files else {}
        log_path = settings["options"].get("log_path") or "monitoring"
        self.log_dir = Path(log_path).absolute() if self.files else None
        self.index_size = index_size
        self.rows_by_id: collections.OrderedDict[str, int] = collections.OrderedDict()

    def predictions(self, request_id: str, rows: dict[str, list]) -> None:
        """One record per row: ``rows`` maps each column to its values, one per row."""
        self.remember(request_id, len(rows["instance"]))
        if not self.enabled:
            return
        with as_request(request_id), bentoml.monitor(PREDICTIONS, **self.monitor_args) as monitor:  # type: ignore[call-overload]
            for name, (role, kind) in COLUMNS.items():
                monitor.log_batch(rows[name], name=name, role=role, data_type=kind)

    def feedback(self, request_id: str, instance: int, label: Any) -> None:
        with as_request(request_id), bentoml.monitor(FEEDBACK, **self.monitor_args) as monitor:  # type: ignore[call-overload]
            monitor.log(instance, name="instance", role="feature", data_type="numerical")
            monitor.log(label, name="label", role="target", data_type="categorical")

    def remember(self, request_id: str, rows: int) -> None:
        self.rows_by_id[request_id] = rows
        while len(self.rows_by_id) > self.index_size:
            self.rows_by_id.popitem(last=False)

    def rows_of(self, request_id: str) -> int | None:
        """How many rows the request had; None when this service never answered it."""
        if request_id in self.rows_by_id:
            return self.rows_by_id[request_id]
        if not REQUEST_ID.match(request_id) or self.log_dir is None:
            return None
        rows = search_logs(self.log_dir / PREDICTIONS / "data", request_id)
        if rows:
            self.remember(request_id, rows)
        return rows or None

    def check_known(self, request_id: str, instance: int) -> None:
        """``ClientError`` 404 for an id this service never answered, 400 for a row it lacks."""
        rows = self.rows_of(request_id)
        if rows is None:
            raise ClientError(
                f"unknown request_id {request_id[:64]!r}: no answer of this service has it (it "
                f"remembers the last {self.index_size} requests and searches its prediction log)",
                status=404,
            )
        if instance >= rows:
            raise ClientError(
                f'request {request_id} had {rows} instance(s): "instance" must be 0 to {rows - 1}'
            )


#: Prediction record columns after the request id and time BentoML adds: (role, data type).
COLUMNS = {
    "instance": ("feature", "numerical"),
    "model": ("feature", "categorical"),
    "version": ("feature", "categorical"),
    "commit": ("feature", "categorical"),
    "features": ("feature", "numerical_sequence"),
    "prediction": ("prediction", "categorical"),
    "probabilities": ("prediction", "numerical_sequence"),
    "classes": ("prediction", "categorical"),
}


def search_logs(folder: Path, request_id: str) -> int:
    """Rows recorded for ``request_id`` in every worker's prediction files (0: none)."""
    needle = f'"request_id": "{request_id}"'
    instances = set()
    files = [path for path in folder.glob("data.*.log*") if path.is_file()]
    for path in sorted(files, key=os.path.getmtime, reverse=True):
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if needle in line:
                    try:
                        instances.add(int(json.loads(line)["instance"]))
                    except (ValueError, KeyError, TypeError):
                        continue
        if instances:
            return max(instances) + 1
    return 0


def _feedback_item(item: Any, where: str, classes: list) -> tuple[str, int, Any]:
    """(request_id, instance, label) of one feedback object; ``ClientError`` when malformed."""
    if not isinstance(item, dict):
        raise ClientError(f"{where}must be an object with request_id and label")
    unknown = sorted(set(item) - {"request_id", "label", "instance"})
    if unknown:
        raise ClientError(f"{where}has unknown key(s): {', '.join(unknown)}")
    request_id, label, instance = item.get("request_id"), item.get("label"), item.get("instance")
    if not isinstance(request_id, str) or not request_id:
        raise ClientError(f'{where}"request_id" must be the X-Request-Id of an answer')
    if instance is None:
        instance = 0
    if isinstance(instance, bool) or not isinstance(instance, int) or instance < 0:
        raise ClientError(f'{where}"instance" must be the row index in the request (0, 1, ...)')
    if isinstance(label, bool) or label is None or label not in classes:
        raise ClientError(
            f'{where}"label" must be one of the model\'s classes {json.dumps(classes)}, '
            f"got {json.dumps(label)[:40]}"
        )
    return request_id, instance, classes[classes.index(label)]


def parse_feedback(
    single: dict[str, Any], batch: Any, classes: list, max_items: int
) -> list[tuple[str, int, Any]]:
    """The feedback items of a ``/feedback`` body, all checked before any is recorded."""
    given = {key: value for key, value in single.items() if value is not None}
    if batch is None:
        return [_feedback_item(given, "", classes)]
    if given:
        raise ClientError('send either {"request_id", "label"} or {"feedback": [...]}, not both')
    if not isinstance(batch, list) or not batch:
        raise ClientError('"feedback" must be a non-empty list of {request_id, label} objects')
    if len(batch) > max_items:
        raise ClientError(f"at most {max_items} feedback items per request")
    return [_feedback_item(item, f"feedback[{i}]: ", classes) for i, item in enumerate(batch)]
