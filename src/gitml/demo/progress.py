"""Progress of the demo's steps on stderr: a header per step, notes, and a ticking clock on a
terminal, so a long step (training, building, serving) never looks stuck."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Writes step headers and notes; on a terminal, an elapsed-time line refreshed every second."""

    def __init__(self, stream: TextIO | None = None, total: int = 0, tick: bool | None = None):
        self.stream = stream or sys.stderr
        self.total = total
        self.tick = self.stream.isatty() if tick is None else tick
        self._lock = threading.Lock()
        self._ticking = False

    def _write(self, text: str) -> None:
        with self._lock:
            if self._ticking:
                self.stream.write("\r\033[K")
            self.stream.write(text + "\n")
            self.stream.flush()

    def note(self, text: str) -> None:
        """One line under the current step."""
        self._write(f"      {text}")

    def skipped(self, index: int, title: str, seconds: float) -> None:
        self._write(f"[{index}/{self.total}] {title}: done earlier ({seconds:.1f}s)")

    @contextmanager
    def step(self, index: int, title: str) -> Iterator[None]:
        """Announce a step; print its time when it ends (ticking meanwhile on a terminal)."""
        self._write(f"[{index}/{self.total}] {title}")
        started = time.perf_counter()
        stop = threading.Event()
        ticker = None
        if self.tick:
            ticker = threading.Thread(target=self._ticker, args=(started, stop), daemon=True)
            ticker.start()
        try:
            yield
        finally:
            stop.set()
            if ticker is not None:
                ticker.join()
        self._write(f"      done in {time.perf_counter() - started:.1f}s")

    def _ticker(self, started: float, stop: threading.Event) -> None:
        while not stop.wait(1.0):
            with self._lock:
                self._ticking = True
                self.stream.write(f"\r\033[K      ... {time.perf_counter() - started:.0f}s")
                self.stream.flush()
        with self._lock:
            if self._ticking:
                self.stream.write("\r\033[K")
                self._ticking = False
