"""``gitml run``: reproduce the DVC pipeline, optionally pulling and pushing data and run-cache."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gitml import dvc_adapter
from gitml.dvc_adapter import StageRun

#: Where the last run's stage list is kept, so `gitml report` can show what ran.
RUN_RECORD = Path(".gitml") / "run.json"


@dataclass
class RunResult:
    """What a reproduction did: the stages with their status and time, and the transfers."""

    stages: list[StageRun] = field(default_factory=list)
    pulled: int | None = None
    pushed: int | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "stages": [asdict(stage) for stage in self.stages],
            "pulled": self.pulled,
            "pushed": self.pushed,
            "seconds": round(self.seconds, 3),
        }


def run_pipeline(
    root: Path | str = ".",
    pull: bool = False,
    push: bool = False,
    remote: str | None = None,
    force: bool = False,
    restore_from_remote: bool = False,
) -> RunResult:
    """Pull (optional), ``dvc repro``, push (optional); record the stages in ``.gitml/run.json``."""
    started = time.perf_counter()
    result = RunResult()
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
    result.seconds = time.perf_counter() - started
    record = Path(root) / RUN_RECORD
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    return result


def load_run_record(root: Path | str = ".") -> list[StageRun]:
    """The stages of the last ``gitml run`` in ``root``, or an empty list when there was none."""
    path = Path(root) / RUN_RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [StageRun(**stage) for stage in data.get("stages", [])]
    except (OSError, ValueError, TypeError):
        return []
