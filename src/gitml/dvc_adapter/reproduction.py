"""``dvc repro`` in process, recording each stage's status and time."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from gitml.core.model import StageRun, StageState
from gitml.dvc_adapter.failures import dvc_failure, remote_description
from gitml.dvc_adapter.repository import DvcRepo, dvc_environment


def scripts_on_path() -> dict[str, str]:
    """PATH with this interpreter's scripts folder (for :func:`dvc_environment`): stages call
    `gitml stage ...` and DVC's queue starts `dvc` workers by name, also when gitml was started
    by its full path from a virtual environment that is not activated."""
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts in path.split(os.pathsep):
        return {"PATH": path}
    return {"PATH": scripts + os.pathsep + path if path else scripts}


def _state(result: Any, restored: bool) -> StageState:
    """What DVC did with a stage: nothing to do (no result), restored from the run-cache, or ran."""
    if result is None:
        return StageState.SKIPPED
    return StageState.RESTORED if restored else StageState.RAN


def reproduce(
    repo: DvcRepo,
    targets: list[str] | None = None,
    force: bool = False,
    pulled_from: str | None = None,
    restore_from_remote: bool = False,
) -> list[StageRun]:
    """Run ``dvc repro`` in process; return every pipeline stage with its status and time.

    ``pulled_from`` (a remote's name, "" for the default) says the data was just pulled, so a
    missing input is reported as missing from that remote. With ``restore_from_remote`` (as
    ``dvc repro --pull``), a stage found in the run-cache gets its outputs from the remote when the
    local cache lacks them, so it is restored instead of run again."""
    from dvc.exceptions import DvcException
    from dvc.repo.reproduce import _reproduce_stage

    runs: list[StageRun] = []
    restored: set[str] = set()
    restore = repo.stage_cache.restore

    def recording_restore(stage: Any, *args: Any, **kwargs: Any) -> Any:
        result = restore(stage, *args, **kwargs)  # raises when the run-cache has no entry
        if not kwargs.get("dry"):
            restored.add(stage.addressing)
        return result

    def timed_repro(stage: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = _reproduce_stage(stage, **kwargs)
        except Exception:
            if stage.cmd:
                runs.append(
                    StageRun(stage.addressing, StageState.FAILED, time.perf_counter() - started)
                )
            raise
        if stage.cmd:
            status = _state(result, stage.addressing in restored)
            runs.append(StageRun(stage.addressing, status, time.perf_counter() - started))
        return result

    repo.stage_cache.restore = recording_restore
    try:
        with dvc_environment(scripts_on_path()):
            repo.reproduce(
                targets=targets, force=force, pull=restore_from_remote, repro_fn=timed_repro
            )
    except DvcException as error:
        pulled = None if pulled_from is None else remote_description(repo, pulled_from or None)
        raise dvc_failure(error, pulled) from error
    finally:
        del repo.stage_cache.restore
    return runs
