"""The retraining pull request as the PR workflow runs it: a fresh clone of the branch,
`gitml run --pull`, `gitml report --base origin/main`: the data change and the new metrics of the
model gitml retrain trained and committed (the runner reproduces nothing)."""

from __future__ import annotations

import pytest

from gitml.report.assemble import build_report
from gitml.report.markdown import render
from gitml.retrain.retrain import RetrainRequest, retrain
from gitml.run import run_pipeline
from tests.helpers import git
from tests.retrain.helpers import BRANCH, DATE, env_for, labelled_rows, write_labelled

# retrains, then runs the PR report on it: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)


def test_the_pr_workflow_reports_the_data_change_and_the_retrained_models_metrics(
    world, github, tmp_path, monkeypatch
):
    labelled = write_labelled(tmp_path / "labelled.csv", labelled_rows(world, 60, seed=11))
    retrain(RetrainRequest(data=(labelled,), root=world.workspace, date=DATE), env_for(github))

    ci = world.root / "ci-pull-request"  # beside the workspace: the DVC remote's path is relative
    git(tmp_path, "clone", "--quiet", "--branch", BRANCH, str(world.origin), str(ci))
    monkeypatch.chdir(ci)  # as the workflow's step runs, in the clone
    run = run_pipeline(ci, pull=True)
    report = build_report(base="origin/main", root=ci)

    # the branch already holds the reproduced pipeline: the runner pulls the retrained model
    # and trains nothing again
    assert [(s.name, s.status) for s in run.stages] == [
        ("prepare", "skipped"),
        ("train", "skipped"),
        ("evaluate", "skipped"),
    ]
    # the runner's fresh clone lacks the base's listing of data/: the folder is the change
    changed = {c.path.rstrip("/"): c for c in report.data}
    assert changed["data"].change == "modified", report.data
    assert changed["data"].head_size > changed["data"].base_size
    metrics = {row.name: row for row in report.metrics}
    assert metrics["accuracy"].base is not None and metrics["accuracy"].head is not None
    assert any(row.delta for row in report.metrics)  # a model trained on more rows
    text = render(report)
    assert "data/" in text and "modified" in text and "accuracy" in text
