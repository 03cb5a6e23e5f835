"""Where monitored data comes from: local files and folders, or any URL DVC's filesystems read.

A folder is the service's log directory (``gitml serve --monitor-dir DIR``, see
docs/monitor.md): its prediction logs are ``*/gitml_predictions/data/data.*`` and its feedback
``*/gitml_feedback/data/data.*``, BentoML's rotated files included. A file is read by its suffix:
CSV, Parquet, or JSON lines (a JSON lines file whose records hold ``features`` is a log).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from gitml.errors import DataError, UsageError

PREDICTIONS, FEEDBACK = "gitml_predictions", "gitml_feedback"
TABLE_SUFFIXES = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".log": "jsonl",
}


@dataclass(frozen=True)
class Source:
    """One file to read: its name for the report, its format and how to open it (binary)."""

    name: str
    kind: str  # "log", "feedback", "csv", "parquet" or "jsonl"
    open: Callable[[], IO[bytes]]


@dataclass
class Found:
    logs: list[Source]
    feedback: list[Source]
    tables: list[Source]


def _log_role(parts: tuple[str, ...]) -> str | None:
    """ "log" or "feedback" for ``.../gitml_predictions/data/data.*`` paths, else None."""
    if len(parts) < 3 or parts[-2] != "data" or not parts[-1].startswith("data."):
        return None
    return {PREDICTIONS: "log", FEEDBACK: "feedback"}.get(parts[-3])


def _table_kind(name: str) -> str:
    lower = name.lower()
    for suffix in (".gz", ".bz2", ".zip", ".xz"):
        lower = lower.removesuffix(suffix)
    kind = TABLE_SUFFIXES.get(Path(lower).suffix)
    if kind is None:
        raise UsageError(
            f"cannot tell the format of {name}: use .csv, .parquet or .jsonl (or a log folder)"
        )
    return kind


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _remote_opener(fs: Any, path: str) -> Callable[[], IO[bytes]]:
    return lambda: fs.open(path, "rb")


def _add(found: Found, name: str, parts: tuple[str, ...], opener: Callable[[], IO[bytes]]) -> None:
    role = _log_role(parts)
    if role == "log":
        found.logs.append(Source(name, "log", opener))
    elif role == "feedback":
        found.feedback.append(Source(name, "feedback", opener))


def _local(path: Path, found: Found) -> None:
    if path.is_dir():
        before = len(found.logs) + len(found.feedback)
        for file in sorted(p for p in path.rglob("data.*") if p.is_file()):
            _add(found, str(file), file.resolve().parts, _opener(file))
        if len(found.logs) + len(found.feedback) == before:
            raise DataError(
                f"{path} holds no prediction logs ({PREDICTIONS}/data/data.*): point --current "
                "at the folder given to `gitml serve --monitor-dir`, or at a data file"
            )
    elif path.is_file():
        role = _log_role(path.resolve().parts)
        if role is not None:
            _add(found, str(path), path.resolve().parts, _opener(path))
        else:
            found.tables.append(Source(str(path), _table_kind(path.name), _opener(path)))
    else:
        raise DataError(f"{path} does not exist; check --current (or [tool.gitml.monitor] current)")


def _remote(url: str, found: Found) -> None:
    from gitml import dvc_adapter

    fs, root = dvc_adapter.url_filesystem(url)
    if fs.isdir(root):
        before = len(found.logs) + len(found.feedback)
        for file in sorted(fs.find(root)):
            parts = tuple(file.replace("\\", "/").split("/"))
            name = f"{url.rstrip('/')}/{file[len(root) :].lstrip('/')}"
            _add(found, name, parts, _remote_opener(fs, file))
        if len(found.logs) + len(found.feedback) == before:
            raise DataError(f"{url} holds no prediction logs ({PREDICTIONS}/data/data.*)")
        return
    parts = tuple(root.split("/"))
    if _log_role(parts) is not None:
        _add(found, url, parts, lambda: fs.open(root, "rb"))
    else:
        found.tables.append(Source(url, _table_kind(root), lambda: fs.open(root, "rb")))


def find_sources(paths: list[str]) -> Found:
    """Every log, feedback and table file under ``paths`` (files, folders or URLs)."""
    found = Found([], [], [])
    for raw in paths:
        if "://" in raw and not raw.startswith("file://"):
            _remote(raw, found)
        else:
            _local(Path(raw.removeprefix("file://")), found)
    if found.tables and (found.logs or found.feedback):
        raise UsageError(
            "--current mixes prediction logs and data files; monitor one kind at a time"
        )
    if found.feedback and not found.logs:
        raise DataError("feedback was found but no prediction logs to join it with")
    return found


def reference_source(path: str) -> Source:
    """A reference data file (a local path or a URL)."""
    found = find_sources([path])
    if not found.tables:
        raise UsageError(f"the reference {path} must be a data file (.csv, .parquet or .jsonl)")
    return found.tables[0]
