"""The job's step summary (``$GITHUB_STEP_SUMMARY``); step outputs are ``gitml.core.github_output``'s.

GitHub shows at most 1 MiB of a step's summary and drops the whole summary beyond it; the report is
appended trimmed at a line boundary so the file stays within the limit, with a note saying so.
"""

from __future__ import annotations

from pathlib import Path

from gitml.core.secrets import mask

#: A step summary over this many bytes is not shown at all.
STEP_SUMMARY_LIMIT = 1024 * 1024
TRIM_NOTE = "\n\n> The report was trimmed to fit the job summary's 1 MiB limit.\n"


def trim_to_bytes(text: str, limit: int, note: str = TRIM_NOTE) -> tuple[str, bool]:
    """``text`` if it fits in ``limit`` UTF-8 bytes, else its longest line-aligned prefix + note."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    room = limit - len(note.encode("utf-8"))
    if room <= 0:
        return "", True
    head = data[:room].decode("utf-8", errors="ignore")
    cut = head.rfind("\n")
    head = head[: cut + 1] if cut > 0 else head
    return head + note, True


def append_step_summary(path: Path, text: str, limit: int = STEP_SUMMARY_LIMIT) -> bool:
    """Append ``text`` (secrets masked) to the summary file within ``limit``; True when it had
    to be trimmed."""
    text = mask(text)
    used = path.stat().st_size if path.exists() else 0
    separator = "\n" if used else ""
    trimmed, was_trimmed = trim_to_bytes(text, max(limit - used - len(separator), 0))
    if trimmed:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(separator + trimmed)
    return was_trimmed or not trimmed
