"""The demo's orchestration: failures name the step and cause, a second run resumes, a folder in
use or holding something else is refused. Steps are stand-ins here; the real loop is
test_demo_loop.py."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

import gitml.demo as demo_module
from gitml.demo import DemoResult, DemoStepFailed, run_demo
from gitml.demo.context import Context, demo_environment
from gitml.demo.folder import LOCK_FILE, STATE_FILE, STATE_VERSION, DemoFolder
from gitml.demo.progress import Progress
from gitml.demo.repository import baseline, create_repository
from gitml.demo.retraining import retrain_through_pull_request
from gitml.demo.summary import render_summary
from gitml.errors import EXIT_FAILURE, EXIT_USAGE, DataError, GitmlError, UsageError
from gitml.serving.store import bentoml_store
from tests.cli import run_gitml
from tests.helpers import git

# plays the demo's steps: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)


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
        monkeypatch.setattr(demo_module, "ALWAYS_RUN", {"serve"})


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


def test_a_state_file_from_an_earlier_gitml_starts_the_demo_over(tmp_path, monkeypatch) -> None:
    steps = Steps()
    steps.install(monkeypatch)
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / STATE_FILE).write_text(
        json.dumps({"version": 1, "steps": {"one": 1.0, "two": 2.0}, "facts": {"bento": "x"}})
    )
    reporter, stream = progress()
    result = run_demo(folder, progress=reporter, show=lambda *lines: None)
    assert steps.ran == ["one", "two", "serve"]  # nothing skipped: the old facts do not fit
    assert f"{folder / STATE_FILE} is from another gitml version: running every step again" in (
        stream.getvalue()
    )
    assert "bento" not in result.folder.facts
    assert json.loads((folder / STATE_FILE).read_text())["version"] == STATE_VERSION


def test_steps_leave_the_process_environment_and_directory_alone(tmp_path, monkeypatch) -> None:
    """Issue 12: the demo passes its environment and folders to what it runs; real steps (git,
    DVC, training, GTO) run from elsewhere and change neither ``os.environ`` nor the working
    directory."""
    import sklearn  # noqa: F401 - its import sets KMP_* variables itself, as it does for anyone

    for role in ("AUTHOR", "COMMITTER"):  # a laptop without a git identity in its environment
        monkeypatch.delenv(f"GIT_{role}_NAME")
        monkeypatch.delenv(f"GIT_{role}_EMAIL")
    monkeypatch.delenv("DVC_NO_ANALYTICS")
    scripts = str(Path(sys.executable).parent)  # the stages' `gitml` is found all the same
    path = [p for p in os.environ["PATH"].split(os.pathsep) if p != scripts]
    monkeypatch.setenv("PATH", os.pathsep.join(path))
    folder = DemoFolder(tmp_path / "demo")
    folder.claim()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env_before, cwd_before = dict(os.environ), os.getcwd()
    try:
        os.chdir(elsewhere)
        context = Context(folder, progress()[0], lambda *lines: None, demo_environment(folder))
        create_repository(context)
        baseline(context)
        assert os.getcwd() == str(elsewhere)
    finally:
        os.chdir(cwd_before)
        folder.release()
    assert dict(os.environ) == env_before
    assert context.env["BENTOML_HOME"] == str(folder.bentoml_home)
    assert os.environ.get("BENTOML_HOME") != str(folder.bentoml_home)
    workspace = folder.workspace
    # the demo's identity and no signing live in its repository, not in the process
    assert git(workspace, "config", "user.name") == "gitml demo"
    assert git(workspace, "config", "commit.gpgsign") == "false"
    assert git(workspace, "log", "-1", "--format=%an <%ae>") == "gitml demo <demo@gitml.invalid>"
    assert context.facts["baseline_version"] == "v0.1.0"
    assert (workspace / "models" / "model.joblib").is_file()
    assert "classifier@v0.1.0" in git(folder.origin, "tag", "--list").split()
    assert not list(elsewhere.iterdir())  # nothing written where the process was


def test_bentoml_calls_use_the_store_of_the_environment_passed(tmp_path) -> None:
    import bentoml

    ours = tmp_path / "demo-bentoml"
    with bentoml_store({"BENTOML_HOME": str(ours)}):
        with bentoml.models.create("demo-model:v1") as model:
            Path(model.path_of("weights")).write_text("1")
        assert [str(m.tag) for m in bentoml.models.list()] == ["demo-model:v1"]
    assert (ours / "models" / "demo-model" / "v1").is_dir()
    assert "demo-model:v1" not in [str(m.tag) for m in bentoml.models.list()]  # the process's


def test_the_summary_shows_both_pull_requests_and_the_three_versions(tmp_path) -> None:
    folder = DemoFolder(tmp_path / "demo")
    folder.facts.update(
        baseline_version="v0.1.0",
        pulls={
            "1": {
                "title": "Experiment: deeper trees",
                "branch": "experiment/deeper-trees",
                "verdict": "improved",
                "merge": "a" * 40,
                "comment_url": "http://127.0.0.1:1/demo/breast-cancer/pull/1#issuecomment-1",
            },
            "2": {
                "title": "Retrain classifier on 48 new labelled rows",
                "branch": "gitml/retrain/classifier-2026-11-29",
                "verdict": "mixed",
                "merge": "b" * 40,
                "comment_url": "http://127.0.0.1:2/demo/breast-cancer/pull/2#issuecomment-1",
            },
        },
        releases={
            "1": {"version": "v0.2.0", "stage": "staging", "bento": "classifier:v0.2.0"},
            "2": {
                "version": "v0.3.0",
                "stage": "staging",
                "bento": "classifier:v0.3.0",
                "predictions": "5 of 5 right",
            },
        },
    )
    text = render_summary(DemoResult(folder))
    assert (
        "Pull request #2 (Retrain classifier on 48 new labelled rows, branch "
        "gitml/retrain/classifier-2026-11-29): verdict mixed; merged; the comment was posted to "
        "http://127.0.0.1:2/demo/breast-cancer/pull/2#issuecomment-1"
    ) in text
    assert "Pull request #1 (Experiment: deeper trees, branch experiment/deeper-trees)" in text
    versions = text[text.index("Versions of classifier:\n") :].splitlines()[1:4]
    assert versions == [
        "  v0.1.0  the baseline, trained on main",
        "  v0.2.0  pull request #1 merged, promoted to staging; Bento classifier:v0.2.0; "
        "predictions ?",
        "  v0.3.0  pull request #2 merged, promoted to staging; Bento classifier:v0.3.0; "
        "predictions 5 of 5 right",
    ]
    assert text.rstrip().endswith("serve --stage staging")


def test_retraining_follows_the_monitoring_workflows_rule(tmp_path) -> None:
    """No drift or failed gate with labelled rows: the workflow would not retrain, nor does the
    demo (before touching any repository)."""
    folder = DemoFolder(tmp_path / "demo")
    folder.facts.update(monitor_verdict="ok", labelled_rows=48, retrain_due=False)
    context = Context(folder, progress()[0], lambda *lines: None, demo_environment(folder))
    with pytest.raises(GitmlError) as refused:
        retrain_through_pull_request(context, number=2)
    assert refused.value.message == (
        "the monitoring step found no drift or failed gate with labelled rows, so the "
        "monitoring workflow would not retrain; run `gitml demo --restart`"
    )
    assert not (tmp_path / "demo").exists()
