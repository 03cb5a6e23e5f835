"""What ``gitml init`` writes, decided before anything is written: one result per file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FileResult:
    """One file init considered: ``created``, ``appended``, ``overwritten``, ``skipped`` (it
    exists and differs) or ``unchanged`` (it holds what init would write)."""

    path: str  # relative to the directory init ran on, as a user types it
    action: str
    detail: str = ""


@dataclass
class Plan:
    """The files to write: nothing is written until every one of them is decided."""

    project: Path
    force: bool
    files: list[FileResult] = field(default_factory=list)
    pending: list[tuple[Path, str]] = field(default_factory=list)

    def add(self, result: FileResult, text: str | None) -> None:
        """Record what happens to one file; ``text`` is its new content (None: left alone)."""
        self.files.append(result)
        if text is not None:
            self.pending.append((self.project / result.path, text))

    def write(self, relative: str | Path, text: str) -> None:
        """Plan one file: written unless it exists (and ``force`` is off)."""
        path = self.project / relative
        shown = Path(os.path.relpath(path, self.project)).as_posix()
        if path.is_file() and path.read_text(encoding="utf-8", errors="replace") == text:
            self.add(FileResult(shown, "unchanged"), None)
        elif path.exists() and not self.force:
            self.add(FileResult(shown, "skipped", "exists; --force to overwrite"), None)
        else:
            self.add(FileResult(shown, "overwritten" if path.exists() else "created"), text)

    def apply(self) -> None:
        """Write the planned files."""
        for path, text in self.pending:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
