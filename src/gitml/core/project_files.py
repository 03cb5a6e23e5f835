"""The files gitml keeps in a project folder: the last run's record and its never-committed outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gitml.core.model import StageRun

#: Where the last run's stage list is kept, so `gitml report` can show what ran.
RUN_RECORD = Path(".gitml") / "run.json"

#: gitml's per-run outputs in the project folder (run record, Bento builds, reports): never committed.
IGNORED = (
    "/.gitml/",
    "/report.md",
    "/report.full.md",
    "/report.json",
    "/report.html",
    "/gitml-report/",
)


def write_run_record(root: Path | str, record: dict[str, Any]) -> Path:
    """Write the last run's record (``{"stages": [...], ...}``) to ``.gitml/run.json``."""
    path = Path(root) / RUN_RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def _run_record(root: Path | str) -> dict[str, Any]:
    try:
        data = json.loads((Path(root) / RUN_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_run_record(root: Path | str = ".") -> list[StageRun]:
    """The stages of the last ``gitml run`` in ``root``, or an empty list when there was none."""
    try:
        return [StageRun(**stage) for stage in _run_record(root).get("stages", [])]
    except (TypeError, ValueError):
        return []


def run_failure(root: Path | str = ".") -> str | None:
    """Why the last ``gitml run`` in ``root`` stopped (its error line), None when it finished or
    there was none."""
    failed = _run_record(root).get("failed")
    return failed if isinstance(failed, str) and failed else None
