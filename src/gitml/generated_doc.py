"""A page of ``docs/`` generated from code: print it, or check the committed copy is current.

``cli_reference`` and ``workflow_reference`` are such pages; each gives its renderer, its path and
its regenerate command, and gets the same ``--check`` behaviour.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GeneratedDoc:
    module: str
    path: Path
    #: why the page goes stale, for the message
    source: str
    render: Callable[[], str]

    @property
    def regenerate(self) -> str:
        return f"python -m {self.module} > {self.path.as_posix()}"

    def check(self, path: Path | None = None) -> str | None:
        """None when the page equals a fresh rendering, else a message naming the regenerate
        command."""
        path = path or self.path
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current == self.render():
            return None
        state = "is missing" if current is None else f"is stale ({self.source} changed)"
        return f"{path} {state}; regenerate it from the repository's root with: {self.regenerate}"

    def main(self, argv: list[str] | None = None) -> int:
        """``python -m MODULE [--check [PATH]]``: print the page, or check it (exit 1: stale)."""
        args = sys.argv[1:] if argv is None else argv
        if args[:1] == ["--check"]:
            problem = self.check(Path(args[1]) if len(args) > 1 else None)
            if problem:
                print(problem, file=sys.stderr)
                return 1
            return 0
        if args:
            print(f"usage: {self.regenerate}  |  python -m {self.module} --check", file=sys.stderr)
            return 2
        sys.stdout.write(self.render())
        return 0
