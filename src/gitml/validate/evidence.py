"""A validation report as evidence for a stage move: read strictly, summarized into the stage
tag's message, and refused when it does not pass (unless a person overrides it, with a reason).

The report JSON is written by a job that served the candidate's model, which is code: in the
release workflow it reaches the job that moves the tag as an artifact, so here it is data to
check, never trusted as it stands. Only known keys of known types are read; text is kept only
where it matches the shapes gitml writes; anything else is refused with one error line.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from gitml.errors import GatesFailed, UsageError
from gitml.registry.history import detail_line
from gitml.validate.model import PASSING, VERDICTS

#: A report larger than this is not gitml's.
MAX_BYTES = 1_048_576
VERSION = re.compile(r"^v\d+\.\d+\.\d+$")
GATES = ("requests", "new errors", "agreement", "regression", "latency")


def _number(data: dict[str, Any], key: str) -> float | int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{key} is not a number")
    return value if isinstance(value, int) else round(float(value), 6)


def _object(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    return value if isinstance(value, dict) else None


def _version(value: Any, what: str) -> str:
    if not isinstance(value, str) or not VERSION.match(value):
        raise ValueError(f"{what} is not a version")
    return value


def _load(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"{path} is over {MAX_BYTES:,} bytes: not a gitml validation report")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read the validation report {path} ({error})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a gitml validation report (not an object)")
    return data


def summarize(data: dict[str, Any]) -> dict[str, Any]:
    """The facts of a report that go into the tag message; ``ValueError`` when it is malformed."""
    verdict = data.get("verdict")
    if verdict not in VERDICTS:
        raise ValueError("verdict is not one of " + ", ".join(VERDICTS))
    candidate = _object(data, "candidate") or {}
    champion = _object(data, "champion")
    traffic = _object(data, "traffic") or {}
    raw_gates = data.get("gates")
    gates: list[Any] = raw_gates if isinstance(raw_gates, list) else []
    failed = [g.get("gate") for g in gates if isinstance(g, dict) and g.get("passed") is False]
    if any(name not in GATES for name in failed):
        raise ValueError("a failed gate has an unknown name")
    summary = {
        "verdict": verdict,
        "candidate": _version(candidate.get("version"), "candidate.version"),
        "champion": None if champion is None else _version(champion.get("version"), "champion"),
        "requests": _number(traffic, "requests"),
        "labelled_rows": _number(traffic, "labelled_rows"),
        "agreement": _number(data, "agreement"),
        "new_errors": _number(data, "new_errors"),
        "failed_gates": failed,
    }
    return {key: value for key, value in summary.items() if value is not None}


def validation_notes(path: Path, version: str, override: str | None = None) -> tuple[str, ...]:
    """The tag message's lines for a move of ``version`` validated by the report at ``path``.

    A report about another version is refused (exit 2); one that did not pass is refused (exit
    1) unless ``override`` gives the reason to move anyway, which is recorded."""
    data = _load(path)
    try:
        summary = summarize(data)
    except ValueError as error:
        raise UsageError(f"{path} is not a gitml validation report: {error}") from None
    if summary["candidate"] != version:
        raise UsageError(
            f"{path} validates {summary['candidate']}, not {version}; validate {version} first"
        )
    notes = [detail_line("validation", summary)]
    reason = (override or "").strip()
    if summary["verdict"] not in PASSING and not reason:
        raise GatesFailed(
            f"the validation of {version} did not pass (verdict {summary['verdict']}, failed: "
            f"{', '.join(summary['failed_gates']) or 'none, too little to judge'}); to move it "
            "anyway, give the reason (--override-reason, the workflow's override-reason input)"
        )
    if reason:
        notes.append(detail_line("override", reason))
    return tuple(notes)
