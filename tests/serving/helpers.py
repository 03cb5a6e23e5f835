"""What the serving tests share besides fixtures: the Bento's tag, the body limit, running gitml
with the clone's environment, and serving the Bento with its records."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from gitml.serving.serve import start_server, stop_server, wait_ready
from tests.cli import CliResult, run_gitml

BENTO = "classifier:v0.1.0"
#: A small body limit for the served Bento, so a 413 needs only a few MB of test data.
TEST_BODY_LIMIT = 1_000_000


def gitml(project: Path, env: dict, *args: str) -> CliResult:
    """``gitml ARGS`` in ``project`` with ``env``; the test fails unless it exits 0."""
    return run_gitml(*args, cwd=project, env=env, expect=0)


@dataclass
class Served:
    url: str
    monitor_dir: Path
    log: Path  # the server's output

    def records(self, kind: str = "gitml_predictions") -> list[str]:
        """Every line of every worker's data file of ``kind``, file by file."""
        folder = self.monitor_dir / kind / "data"
        return [
            line
            for path in sorted(folder.glob("data.*.log*"))
            if path.is_file()
            for line in path.read_text(encoding="utf-8").splitlines()
        ]


def serve(env: dict, monitor_dir: Path, log: Path):
    """Start the Bento recording under ``monitor_dir``; returns (process, Served)."""
    process, url = start_server(
        BENTO,
        monitor_dir=monitor_dir,
        env={**env, "GITML_MAX_BODY_BYTES": str(TEST_BODY_LIMIT)},
        stdout=log.open("wb"),  # BentoML logs to stdout
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(process, url, timeout=240)
    except BaseException:
        stop_server(process)
        raise
    return process, Served(url, monitor_dir, log)
