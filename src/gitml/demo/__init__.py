"""``gitml demo``: the whole GitOps loop on one machine, offline, in a folder of its own.

:func:`run_demo` runs the steps in order, records each finished step in the folder's state file, and
on a second run skips what is done (serving the model again, since that is the point). Every
failure is a ``GitmlError`` naming the step and the cause, and the next run resumes at that step.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from gitml.demo import steps
from gitml.demo.context import Context, demo_environment
from gitml.demo.folder import DemoFolder
from gitml.demo.progress import Progress
from gitml.errors import EXIT_FAILURE, GitmlError, first_line

#: (key, title, function) in order; the key is what the state file records
STEPS = steps.STEPS
ALWAYS_RUN = steps.ALWAYS_RUN


class DemoStepFailed(GitmlError):
    """A step failed; the message names it, the cause, and how to resume."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class StepTime:
    key: str
    title: str
    seconds: float
    earlier: bool


@dataclass
class DemoResult:
    folder: DemoFolder
    steps: list[StepTime] = field(default_factory=list)
    resumed: bool = False
    seconds: float = 0.0

    def files(self) -> list[tuple[str, Path]]:
        """What to open afterwards, with what each is."""
        f = self.folder
        first, second = f.ci_pull_request(1), f.ci_pull_request(2)
        return [
            ("pull request #1's report as the comment shows it", first / "report.md"),
            ("its whole report and every plot, interactive, offline", first / "report.html"),
            ("pull request #2's report (retrained on more data)", second / "report.html"),
            ("the comment GitHub received on pull request #1", f.github / "pull-1-comment.md"),
            ("and on pull request #2", f.github / "pull-2-comment.md"),
            ("the retraining pull request's body", f.github / "pull-2-body.md"),
            ("the GitHub emulation's state and request log", f.github / "pull-2-state.json"),
            ("the drift report, interactive, offline", f.monitoring / "report.html"),
            ("the monitoring issue GitHub received", f.github / "monitoring-issue.md"),
            ("the served model's prediction and feedback logs", f.monitoring / "logs"),
            ("the logged rows with feedback, as training rows", f.monitoring / "labelled.csv"),
            (
                "the validation of the retrained model on prod's traffic",
                f.root / "production" / "retrained" / "validate.html",
            ),
            ("the data scientist's clone", f.workspace),
            ("the DVC remote", f.dvc_remote),
            ("models and Bentos (BENTOML_HOME)", f.bentoml_home),
        ]


def run_demo(
    directory: Path,
    *,
    progress: Progress | None = None,
    show: Callable[..., None] = print,
    restart: bool = False,
) -> DemoResult:
    """Run (or resume) the demo in ``directory``; ``show`` receives the lines meant for stdout."""
    started = time.perf_counter()
    folder = DemoFolder(Path(directory).resolve())
    progress = progress or Progress()
    progress.total = len(STEPS)
    resumed = folder.claim()
    try:
        if restart:
            folder.reset()
            resumed = False
        if folder.started_over:
            progress.note(
                f"{folder.state_file} is from another gitml version: running every step again"
            )
        result = DemoResult(folder, resumed=resumed)
        # lines for stdout wait until their step ends: the progress clock shares the terminal
        shown: list[str] = []
        context = Context(
            folder, progress, lambda *lines: shown.extend(lines), demo_environment(folder)
        )
        for index, (key, title, function) in enumerate(STEPS, start=1):
            if key in folder.steps and key not in ALWAYS_RUN:
                progress.skipped(index, title, folder.steps[key])
                result.steps.append(StepTime(key, title, folder.steps[key], earlier=True))
                continue
            seconds = _run_step(context, index, key, title, function)
            if shown:
                show(*shown)
                shown.clear()
            folder.steps[key] = round(seconds, 2)
            folder.save()
            result.steps.append(StepTime(key, title, seconds, earlier=False))
        result.seconds = time.perf_counter() - started
        return result
    finally:
        folder.release()


def _run_step(
    context: Context, index: int, key: str, title: str, function: Callable[[Context], None]
) -> float:
    """Run one step with its output in its log; return its seconds. A failure names the step,
    its cause and how to resume."""
    started = time.perf_counter()
    folder = context.folder
    log = folder.logs / f"{index:02d}-{key}.log"
    try:
        with context.progress.step(index, title), output_to(log):
            function(context)
    except GitmlError as error:
        raise DemoStepFailed(
            f"demo step {index} ({title}) failed: {error.message}. {_resume(folder, log)}",
            exit_code=error.exit_code,
        ) from error
    except Exception as error:  # a bug or an environment problem: still name the step
        cause = first_line(error)
        raise DemoStepFailed(
            f"demo step {index} ({title}) failed: {type(error).__name__}"
            f"{': ' + cause if cause else ''}. {_resume(folder, log)}",
            exit_code=EXIT_FAILURE,
        ) from error
    return time.perf_counter() - started


def _resume(folder: DemoFolder, log: Path) -> str:
    return (
        f"Its output is in {log}. Fix the cause and run `gitml demo --dir {folder.root}` again "
        "to resume from this step"
    )


@contextlib.contextmanager
def output_to(log: Path) -> Iterator[None]:
    """Send a step's output to ``log``: file descriptors 1 and 2 (the pipeline stages and BentoML
    run as child processes) and Python's ``sys.stdout``/``sys.stderr`` (DVC's logs). The demo's
    own lines use duplicates of the original streams (:func:`console`)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "a", encoding="utf-8", errors="replace", buffering=1) as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
        try:
            with contextlib.redirect_stdout(handle), contextlib.redirect_stderr(handle):
                yield
        finally:
            handle.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def console(fd: int) -> TextIO:
    """A text stream on a duplicate of ``fd``: it still reaches the terminal while a step's own
    output goes to its log."""
    stream = sys.stdout if fd == 1 else sys.stderr
    return open(  # lives as long as the process
        os.dup(fd), "w", encoding=stream.encoding or "utf-8", errors="replace", buffering=1
    )
