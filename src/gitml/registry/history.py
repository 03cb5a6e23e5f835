"""The registry's history: every registration, deregistration, deprecation, stage assignment and
unassignment, oldest first, with who made it (the annotated tag's tagger), when and why (the tag's
message).

Read through ``gto.api.history``, the same reading ``gto history`` prints, so gitml's history and
GTO's are the same events for the same tags (tests/registry/test_history.py holds them equal).
gitml writes the "why" into the tag messages it makes, one ``gitml-<key>: value`` line each
(``validation``, ``override``, ``reason``, ``rollback``, ``image``), which are read back here as
``details``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

#: The events that move a stage.
STAGE_EVENTS = ("assignment", "unassignment")
#: ``gitml-<key>: value`` lines gitml writes into the stage tags' messages.
DETAIL_KEYS = ("validation", "override", "reason", "rollback", "image")
#: The details whose value is a JSON object.
JSON_DETAILS = ("validation", "rollback")


@dataclass(frozen=True)
class RegistryEvent:
    """One tag of the registry as GTO reads it."""

    timestamp: datetime
    artifact: str
    event: str
    version: str | None
    stage: str | None
    commit: str
    author: str
    author_email: str
    message: str
    tag: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def why(self) -> str:
        """The message's first line: what gitml (or the person) said the tag was for."""
        return self.message.strip().splitlines()[0] if self.message.strip() else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "timestamp": self.timestamp.isoformat(),
            "artifact": self.artifact,
            "event": self.event,
            "version": self.version,
            "stage": self.stage,
            "commit": self.commit,
            "author": self.author,
            "author_email": self.author_email,
            "message": self.message,
            "tag": self.tag,
            "details": self.details,
        }


#: A note's text is cut to this many characters.
MAX_NOTE = 500


def detail_line(key: str, value: Any) -> str:
    """One ``gitml-<key>: value`` line for a tag message: ``validation`` and ``rollback`` as compact
    JSON objects; the others as text on one line (control characters and newlines become spaces,
    so a reason typed into a workflow input cannot add lines that read as other details), cut to
    ``MAX_NOTE`` characters."""
    if key not in DETAIL_KEYS:
        raise ValueError(f"unknown detail {key!r}")
    if key in JSON_DETAILS:
        if not isinstance(value, dict):
            raise ValueError(f"gitml-{key} holds an object")
        return f"gitml-{key}: " + json.dumps(value, sort_keys=True, separators=(",", ":"))
    text = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    return f"gitml-{key}: {text[:MAX_NOTE] or '-'}"


def parse_details(message: str) -> dict[str, Any]:
    """The ``gitml-<key>: value`` lines of a tag message (the JSON ones parsed; one that does not
    parse as an object is kept as text)."""
    details: dict[str, Any] = {}
    for line in (message or "").splitlines():
        key, sep, value = line.partition(": ")
        if not sep or not key.startswith("gitml-") or key[6:] not in DETAIL_KEYS:
            continue
        name = key[6:]
        details[name] = value
        if name in JSON_DETAILS:
            try:
                parsed = json.loads(value)
            except ValueError:
                continue
            if isinstance(parsed, dict):
                details[name] = parsed
    return details


def read_history(
    root: Path | str, artifact: str | None = None, stage: str | None = None
) -> list[RegistryEvent]:
    """Every event of ``artifact`` (every artifact when None), oldest first; with ``stage`` only
    that stage's assignments and unassignments."""
    import gto.api
    from gto.exceptions import GTOException

    try:
        raw = gto.api.history(str(root), artifact, ascending=True)
    except GTOException:
        return []  # no registry tag yet
    events = [
        RegistryEvent(
            timestamp=item["timestamp"],
            artifact=item["artifact"],
            event=item["event"],
            version=item.get("version"),
            stage=item.get("stage"),
            commit=item["commit"],
            author=item.get("author") or "",
            author_email=item.get("author_email") or "",
            message=item.get("message") or "",
            tag=item.get("ref") or "",
            details=parse_details(item.get("message") or ""),
        )
        for item in raw
    ]
    if stage is not None:
        events = [e for e in events if e.event in STAGE_EVENTS and e.stage == stage]
    return events


def render_history(events: list[RegistryEvent]) -> str:
    """A plain-text table, oldest first: when, event, artifact, version, stage, commit, who,
    and why."""
    rows = [["when", "event", "artifact", "version", "stage", "commit", "who", "why"]]
    for e in events:
        why = e.why
        validation = e.details.get("validation")
        if isinstance(validation, dict) and "verdict" in validation:
            why += f" [validation: {validation['verdict']}]"
        for key in ("override", "reason"):
            if key in e.details:
                why += f" [{key}: {e.details[key]}]"
        rows.append([
            e.timestamp.strftime("%Y-%m-%d %H:%M:%S"), e.event, e.artifact, e.version or "-",
            e.stage or "-", e.commit[:7], e.author or "-", why,
        ])  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1] + "\n"
        for row in rows
    )
