"""End to end: the monitoring workflow (monitor.yml calling gitml-monitor.yml) under act keeps one
sticky issue across runs, against the GitHub emulation, and with `retrain` opens one retraining
pull request on drift.

What is real: the reference project with its DVC remote, a version promoted to prod with gitml's
registry tags pushed to the origin, the prod model's answers written as the service's prediction
logs with feedback, act running the workflow on the host (gitml installed in the job from the
checked-out source), `gitml monitor --stage prod` reading the training data at prod's commit
through DVC, and `gitml monitor-issue` talking to the emulation through GITHUB_API_URL. With
`retrain`, the retrain job runs `gitml retrain --prepare` on the rows the monitor job exported
(the data goes to the job's DVC remote, the commit to the hand-off artifact) and the retrain-pr job
`gitml retrain --publish` (the branch to the bare origin, which the emulation reads, so the pull
request's head exists; the pull request to the emulation). A stage on main (tests/retrain/spy.py)
searches every /proc/*/environ, its environment and the temporary files for the job token's value
while the retrain job trains: it must find it nowhere, and must find a canary that the harness puts
in every step's environment.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import joblib
import pandas as pd
import pytest
import yaml

from gitml import dvc_adapter
from tests.cli import run_gitml
from tests.helpers import git
from tests.monitor_logs import write_feedback, write_logs
from tests.workflows.act_harness import REPOSITORY, World, act_world, explain

pytestmark = pytest.mark.slow(minutes=3)
MARKER = "<!-- gitml:monitor id=classifier.prod -->"
#: act's prefix on the lines of the retrain jobs (caller job / called workflow / job name)
RETRAIN_JOB = "[monitor/gitml monitor/gitml retrain (train)]"
PUBLISH_JOB = "[monitor/gitml monitor/gitml retrain (pull request)]"
#: this world's own token, so that no other test's process can hold its value
TOKEN = "ghs_monitor_world_" + os.urandom(12).hex()
SPY = Path(__file__).resolve().parents[1] / "retrain" / "spy.py"


@pytest.fixture
def world(tmp_path: Path):
    with act_world(tmp_path) as world:
        world.create()
        world.install_from_the_tests_cache()  # the retrain job restores no cache
        done = run_gitml("promote", "--stage", "prod", "--no-push", cwd=world.work)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        git(world.work, "push", "-q", "origin", "--tags")
        world.emulator.link_git(REPOSITORY, str(world.origin))  # a pushed branch exists there
        world.emulator.add_token(TOKEN, write=True)
        world.env["GITML_SPY_CANARY"] = "canary-" + os.urandom(8).hex()
        add_spy_stage(world)
        yield world


def add_spy_stage(world: World) -> None:
    """A stage on main that searches for the job token while the retrain job trains."""
    shutil.copy(SPY, world.work / "spy.py")
    pipeline = yaml.safe_load((world.work / "dvc.yaml").read_text())
    encoded = base64.b64encode(TOKEN.encode()).decode()
    pipeline["stages"]["spy"] = {
        "cmd": f"python spy.py {encoded} GITML_SPY_CANARY spy.json",
        "deps": ["spy.py"],
        "outs": [{"spy.json": {"cache": False}}],
        "always_changed": True,
    }
    (world.work / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    git(world.work, "add", "spy.py", "dvc.yaml")
    git(world.work, "commit", "-q", "-m", "A stage that looks for the token")
    git(world.work, "push", "-q", "origin", "main")


def traffic(world: World, folder: Path, scale: float) -> None:
    """The prod model's answers on the test split (features scaled by ``scale``) as the
    service's logs, with feedback for every row."""
    commit = git(world.work, "rev-parse", "HEAD")
    scratch = world.tmp / "scratch"
    model = joblib.load(
        dvc_adapter.read_output(world.work, "models/model.joblib", commit, scratch / "m.joblib")
    )
    test = pd.read_csv(
        dvc_adapter.read_output(world.work, "prepared/test.csv", commit, scratch / "test.csv")
    )
    features = test.drop(columns=["target"]) * scale
    classes = [int(c) for c in model.classes_]
    write_logs(
        folder,
        features,
        [int(p) for p in model.predict(features)],
        model.predict_proba(features).round(6).tolist(),
        classes=classes,
    )
    write_feedback(folder, [(f"req-{i}", int(t)) for i, t in enumerate(test["target"])])


def dispatch(world: World, logs: Path, retrain: bool = False) -> tuple[int, str]:
    git(world.work, "checkout", "-q", "main")
    inputs = {"stage": "prod", "current": str(logs)}
    if retrain:
        inputs["retrain"] = "true"  # GitHub's payload holds a boolean input as a string
    event = {
        "inputs": inputs,
        "ref": "refs/heads/main",
        "repository": world.repository(),
    }
    return world.act("workflow_dispatch", "monitor.yml", event, TOKEN)


def ours(world: World) -> list[dict]:
    return [i for i in world.emulator.issues(REPOSITORY) if MARKER in i["body"]]


def retrain_branches(world: World) -> dict[str, str]:
    """The retraining branches on the bare origin: name -> sha."""
    listed = git(world.origin, "for-each-ref", "--format=%(refname:short) %(objectname)",
                 "refs/heads/gitml/retrain/")  # fmt: skip
    return dict(line.split() for line in listed.splitlines())


def assert_no_retraining(world: World, log: str) -> None:
    assert RETRAIN_JOB not in log and PUBLISH_JOB not in log, "a retrain job ran"
    assert not world.artifact(world.run_id, "gitml-monitor-retrain").exists()


def test_the_monitor_workflow_keeps_one_issue_across_runs(world: World) -> None:
    drifted = world.tmp / "logs-drifted"
    traffic(world, drifted, scale=1.6)
    code, log = dispatch(world, drifted)
    assert code == 0, explain(code, log)
    [issue] = ours(world)
    assert issue["state"] == "open" and issue["labels"] == ["gitml-monitor"]
    assert issue["title"] == "gitml monitor: classifier in prod"
    assert "dataset drift" in issue["body"].splitlines()[0]
    report = json.loads(
        (world.artifact(world.run_id, "gitml-monitor") / "monitor.json").read_text()
    )
    assert report["verdict"] in ("drift", "fail") and report["stage"] == "prod"
    # the version in prod: main before the spy stage was added
    assert report["reference"]["commit"] == git(world.work, "rev-parse", "main~1")
    # retrain is off (the schedule's default): drift alone opens no pull request
    assert_no_retraining(world, log)
    assert world.emulator.pulls(REPOSITORY) == [] and retrain_branches(world) == {}

    # still drifting, now with retrain: the same issue, updated, and one retraining PR
    code, log = dispatch(world, drifted, retrain=True)
    assert code == 0, explain(code, log)
    assert [(i["number"], i["state"]) for i in ours(world)] == [(issue["number"], "open")]
    assert RETRAIN_JOB in log and PUBLISH_JOB in log
    exported = world.artifact(world.run_id, "gitml-monitor-retrain") / "labelled.csv"
    labelled = len(pd.read_csv(exported))
    assert labelled > 0
    [(branch, tip)] = retrain_branches(world).items()
    assert branch.startswith("gitml/retrain/classifier-")
    main_dvc = git(world.origin, "show", "main:data.dvc")
    assert git(world.origin, "show", f"{tip}:data.dvc") != main_dvc  # a new data version
    message = git(world.origin, "log", "-1", "--format=%B", tip)
    assert f"Gitml-Source: labelled.csv ({labelled} rows)" in message
    # the job trained: the same commit holds a dvc.lock for the new data (what promote checks)
    assert "Gitml-Pipeline: reproduced" in message
    assert git(world.origin, "show", f"{tip}:dvc.lock") != git(
        world.origin, "show", "main:dvc.lock"
    )
    [pull] = world.emulator.pulls(REPOSITORY)
    assert (pull["state"], pull["head_ref"], pull["base_ref"]) == ("open", branch, "main")
    # the monitoring summary, read from the monitor job's JSON report
    assert f"**Verdict: {report['verdict']}** for `classifier`" in pull["body"]
    assert "Drifted features:" in pull["body"] and "No monitoring summary" not in pull["body"]
    # while the pipeline trained, the token was in no process's environment and no temporary
    # file, though the search reached the steps' environment (the canary)
    spied = json.loads(git(world.origin, "show", f"{tip}:spy.json"))
    assert spied["found"] == [], spied
    assert spied["canary_in_gitml_environ"] is True and spied["processes"] > 3

    # healthy, retrain still on: the job is skipped, the PR and its branch are left as they are
    healthy = world.tmp / "logs-healthy"
    traffic(world, healthy, scale=1.0)
    code, log = dispatch(world, healthy, retrain=True)
    assert code == 0, explain(code, log)
    [closed] = ours(world)
    assert (closed["number"], closed["state"]) == (issue["number"], "closed")
    assert "no dataset drift" in closed["body"].splitlines()[0]
    assert_no_retraining(world, log)
    assert retrain_branches(world) == {branch: tip}
    assert [p["number"] for p in world.emulator.pulls(REPOSITORY)] == [pull["number"]]
