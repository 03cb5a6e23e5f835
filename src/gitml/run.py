"""``gitml run``: reproduce the DVC pipeline, optionally pulling and pushing data and run-cache."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gitml import dvc_adapter
from gitml.core.model import StageRun
from gitml.core.project_files import write_run_record
from gitml.errors import GitmlError, first_line


@dataclass
class RunResult:
    """What a reproduction did: the stages with their status and time, and the transfers."""

    stages: list[StageRun] = field(default_factory=list)
    pulled: int | None = None
    pushed: int | None = None
    seconds: float = 0.0
    #: why the run stopped (its one-line error), None when it finished
    failed: str | None = None

    def to_dict(self) -> dict:
        return {
            "stages": [asdict(stage) for stage in self.stages],
            "pulled": self.pulled,
            "pushed": self.pushed,
            "seconds": round(self.seconds, 3),
            "failed": self.failed,
        }


def run_pipeline(
    root: Path | str = ".",
    pull: bool = False,
    push: bool = False,
    remote: str | None = None,
    force: bool = False,
    restore_from_remote: bool = False,
) -> RunResult:
    """Pull (optional), ``dvc repro``, push (optional); record the stages in ``.gitml/run.json``.

    A run that stops records why, so the report never takes the workspace's older outputs for this commit's."""
    started = time.perf_counter()
    result = RunResult()
    try:
        with dvc_adapter.open_repo(root) as repo:
            if pull:
                result.pulled = dvc_adapter.pull(repo, remote=remote)
            result.stages = dvc_adapter.reproduce(
                repo,
                force=force,
                pulled_from=(remote or "") if pull else None,
                restore_from_remote=restore_from_remote,
            )
            if push:
                result.pushed = dvc_adapter.push(repo, remote=remote)
    except GitmlError as error:
        result.failed = first_line(error)
        raise
    finally:
        result.seconds = time.perf_counter() - started
        write_run_record(root, result.to_dict())
    return result
