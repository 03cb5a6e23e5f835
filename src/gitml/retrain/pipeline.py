"""Reproducing the pipeline on the new data inside the retraining worktree.

The retraining commit must describe the model trained on the rows it adds: its ``dvc.lock`` and
metrics files come from a reproduction on the appended data, or a merge would release the model
of the previous run under a new version (``gitml promote`` refuses such a commit). The
reproduction runs through ``gitml run``'s own function; its outputs and run-cache entries reach
the DVC remote before any commit points at them, and a failing stage leaves nothing pushed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gitml import dvc_adapter
from gitml.core.git import run_git
from gitml.core.model import StageRun
from gitml.errors import DataError, PipelineError
from gitml.run import run_pipeline


@dataclass
class Reproduction:
    """What the reproduction did: each stage's status, files pushed, the files to commit."""

    stages: list[StageRun] = field(default_factory=list)
    pushed: int = 0
    files: list[str] = field(default_factory=list)


def reproduce_and_push(work: Path, dvc_file: str) -> Reproduction:
    """``gitml run --push`` in ``work`` (the other tracked data checked out first, unchanged
    stages restored from the run-cache), then the changed files git holds: ``dvc_file``, the
    ``dvc.lock`` files, the metrics and plots, the ``.gitignore`` files DVC touched."""
    for tracked in dvc_adapter.tracked_data(work):
        if tracked.dvc_file != dvc_file:
            dvc_adapter.checkout_data(work, tracked.dvc_file)
    try:
        run = run_pipeline(work, push=True, restore_from_remote=True)
    except (PipelineError, DataError) as error:
        raise PipelineError(
            f"the pipeline failed on the new data, so nothing was committed or pushed: "
            f"{error.message}; fix the pipeline and run gitml retrain again (or pass "
            "--no-repro to commit the data alone)"
        ) from error
    return Reproduction(run.stages, run.pushed or 0, changed_files(work, dvc_file))


def changed_files(work: Path, dvc_file: str) -> list[str]:
    """The files of the commit: of those git sees changed (ignored ones left out), the data's
    ``.dvc`` file, the pipeline's git-held outputs and ``.gitignore`` files."""
    wanted = {dvc_file, *dvc_adapter.pipeline_git_files(work)}
    listed = run_git(work, "ls-files", "--modified", "--others", "--exclude-standard", "-z")
    changed = dict.fromkeys(path for path in listed.stdout.split("\0") if path)
    return [path for path in changed if path in wanted or Path(path).name == ".gitignore"]
