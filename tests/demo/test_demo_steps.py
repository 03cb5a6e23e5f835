"""The demo's orchestration: failures name the step and cause, a second run resumes, a folder in
use or holding something else is refused. Steps are stand-ins here; the real loop is
test_demo_loop.py."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import gitml.demo as demo_module
from gitml.demo import DemoStepFailed, run_demo
from gitml.demo.folder import LOCK_FILE, DemoFolder
from gitml.demo.progress import Progress
from gitml.errors import EXIT_FAILURE, EXIT_USAGE, DataError, UsageError
from tests.cli import run_gitml


class Steps:
    """Three stand-in steps; ``broken`` makes the named one fail once."""

    def __init__(self, broken: str | None = None, error: Exception | None = None):
        self.ran: list[str] = []
        self.broken = broken
        self.error = error or DataError("data/breast_cancer.csv not found; run `gitml run --pull`")

    def make(self, key: str):
        def step(context) -> None:
            self.ran.append(key)
            print(f"output of {key}")  # DVC's logs: go to the step's log
            os.write(2, b"from a child process\n")  # a pipeline stage, BentoML: too
            if key == self.broken:
                self.broken = None
                raise self.error
            context.facts[key] = "done"

        return step

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(
            demo_module,
            "STEPS",
            [(key, f"Step {key}", self.make(key)) for key in ("one", "two", "serve")],
        )


def progress() -> tuple[Progress, io.StringIO]:
    stream = io.StringIO()
    return Progress(stream=stream, tick=False), stream


def test_a_failure_names_the_step_the_cause_and_how_to_resume(tmp_path, monkeypatch) -> None:
    steps = Steps(broken="two")
    steps.install(monkeypatch)
    folder = tmp_path / "demo"
    with pytest.raises(DemoStepFailed) as failed:
        run_demo(folder, progress=progress()[0], show=lambda *lines: None)
    log = folder / "logs" / "02-two.log"
    assert failed.value.message == (
        "demo step 2 (Step two) failed: data/breast_cancer.csv not found; run `gitml run --pull`. "
        f"Its output is in {log}. Fix the cause and run `gitml demo --dir {folder}` again to "
        "resume from this step"
    )
    assert failed.value.exit_code == EXIT_FAILURE
    assert log.read_text() == "output of two\nfrom a child process\n"

    reporter, stream = progress()
    result = run_demo(folder, progress=reporter, show=lambda *lines: None)
    assert steps.ran == ["one", "two", "two", "serve"]
    assert result.resumed
    assert [(s.key, s.earlier) for s in result.steps] == [
        ("one", True),
        ("two", False),
        ("serve", False),
    ]
    assert stream.getvalue().startswith("[1/3] Step one: done earlier (")
    assert "[2/3] Step two\n" in stream.getvalue()


def test_an_unexpected_exception_still_names_the_step(tmp_path, monkeypatch) -> None:
    Steps(broken="one", error=KeyError("bento")).install(monkeypatch)
    with pytest.raises(DemoStepFailed) as failed:
        run_demo(tmp_path / "demo", progress=progress()[0], show=lambda *lines: None)
    assert failed.value.message.startswith("demo step 1 (Step one) failed: KeyError: 'bento'. ")
    assert failed.value.exit_code == EXIT_FAILURE


def test_serving_runs_again_when_everything_is_done(tmp_path, monkeypatch) -> None:
    steps = Steps()
    steps.install(monkeypatch)
    run_demo(tmp_path / "demo", progress=progress()[0], show=lambda *lines: None)
    run_demo(tmp_path / "demo", progress=progress()[0], show=lambda *lines: None)
    assert steps.ran == ["one", "two", "serve", "serve"]
    run_demo(tmp_path / "demo", progress=progress()[0], show=lambda *lines: None, restart=True)
    assert steps.ran[4:] == ["one", "two", "serve"]


def test_a_folder_holding_something_else_is_refused(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError) as refused:
        DemoFolder(tmp_path).claim()
    assert refused.value.message == (
        f"{tmp_path} is not empty and holds no gitml demo; pass --dir with a new or empty folder"
    )
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_folder_in_use_is_refused_by_the_cli(tmp_path) -> None:
    folder = tmp_path / "demo"
    holder = DemoFolder(folder)
    holder.claim()  # this process is "the other demo"
    try:
        result = run_gitml("demo", "--dir", str(folder), timeout=120)
    finally:
        holder.release()
    assert result.returncode == EXIT_USAGE
    assert result.stderr == (
        f"ERROR: {folder} is in use by another gitml demo (pid {os.getpid()}); wait for it to "
        "finish or pass --dir with another folder\n"
    )
    assert (folder / LOCK_FILE).exists()


def test_the_lock_is_released_when_the_demo_stops(tmp_path, monkeypatch) -> None:
    Steps(broken="one").install(monkeypatch)
    with pytest.raises(DemoStepFailed):
        run_demo(tmp_path / "demo", progress=progress()[0], show=lambda *lines: None)
    DemoFolder(tmp_path / "demo").claim()  # would raise if the failed run still held it


def test_a_file_for_the_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("")
    result = run_gitml("demo", "--dir", str(target), timeout=120)
    assert result.returncode == EXIT_USAGE
    assert f"Error: Invalid value for '--dir': Directory '{target}' is a file." in result.stderr
