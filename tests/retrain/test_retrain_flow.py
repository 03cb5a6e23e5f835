"""gitml retrain on real git + DVC repositories with a bare origin and a local DVC remote, and the
GitHub emulation: the rows arrive, the data version moves, one pull request per model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gitml import dvc_adapter
from gitml.retrain.retrain import RetrainRequest, retrain
from tests.helpers import git
from tests.retrain.helpers import BRANCH, DATE, REPOSITORY, env_for, labelled_rows, write_labelled

# reproduces and retrains the pipeline: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)


def dvc_hash(root: Path) -> str:
    return yaml.safe_load((root / "data.dvc").read_text())["outs"][0]["md5"]


def locked(root: Path) -> dict[str, str]:
    """dvc.lock's hashes: ``stage:path`` -> md5, for every dep and out."""
    stages = yaml.safe_load((root / "dvc.lock").read_text())["stages"]
    return {
        f"{name}:{entry['path']}": entry["md5"]
        for name, stage in stages.items()
        for entry in [*stage.get("deps", []), *stage.get("outs", [])]
    }


def metrics(root: Path) -> dict:
    return json.loads((root / "metrics.json").read_text())


def on_remote(world, md5: str) -> bool:
    return (world.dvc_remote / "files" / "md5" / md5[:2] / md5[2:]).is_file()


def request(world, *files: Path, **options) -> RetrainRequest:
    return RetrainRequest(data=files, root=world.workspace, date=DATE, **options)


def test_two_runs_add_rows_push_the_data_and_keep_one_pull_request(world, github, tmp_path):
    before = dvc_hash(world.workspace)
    first_rows = labelled_rows(world, 30, seed=1, duplicates=5)
    first = retrain(
        request(world, write_labelled(tmp_path / "week1.csv", first_rows)), env_for(github)
    )

    assert first.appended.added == 30 and first.appended.duplicates == 5
    assert first.branch == BRANCH and first.pr_action == "created"
    clone = world.root / "clone"  # beside the workspace: the DVC remote's path is relative
    git(tmp_path, "clone", "--quiet", "--branch", BRANCH, str(world.origin), str(clone))
    after = dvc_hash(clone)
    assert after != before and on_remote(world, after)
    subject = git(clone, "log", "-1", "--format=%s")
    assert subject == "Retrain classifier: add 30 labelled rows to data/breast_cancer.csv"
    message = git(clone, "log", "-1", "--format=%B")
    assert "Gitml-Source: week1.csv (35 rows)" in message
    assert "The pipeline was reproduced on the new data (prepare ran, train ran, evaluate ran)" in (
        message
    )
    assert_holds_the_retrained_model(world, clone, after)
    assert git(clone, "rev-list", "--count", "origin/main..HEAD") == "1"  # one commit

    second_rows = labelled_rows(world, 12, seed=7)
    second = retrain(
        request(world, write_labelled(tmp_path / "week2.csv", second_rows)), env_for(github)
    )
    assert second.appended.added == 12 and second.pr_action == "updated"
    assert [s.status for s in second.stages] == ["ran", "ran", "ran"]
    git(clone, "pull", "--quiet")
    assert git(clone, "rev-list", "--count", "origin/main..HEAD") == "2"
    assert_holds_the_retrained_model(world, clone, dvc_hash(clone))
    pulls = github.pulls(REPOSITORY)
    assert len(pulls) == 1
    assert (
        pulls[0]["head_ref"] == BRANCH
        and pulls[0]["title"] == "Retrain classifier on 42 new labelled rows"
    )
    assert "(569 → 611 rows)" in pulls[0]["body"]
    assert "The pipeline was reproduced on the new data in the same commit" in pulls[0]["body"]


def assert_holds_the_retrained_model(world, clone: Path, data_hash: str) -> None:
    """The branch's commit holds a dvc.lock trained on ``data_hash``: a new model, on the DVC
    remote, new metrics committed; gitml promote's check finds nothing stale."""
    main = world.workspace
    old, new = locked(main), locked(clone)
    assert new["prepare:data"] == data_hash != old["prepare:data"]
    model = new["train:models/model.joblib"]
    assert model != old["train:models/model.joblib"] and on_remote(world, model)
    assert new["evaluate:models/model.joblib"] == model
    assert metrics(clone) != metrics(main)
    assert git(clone, "status", "--porcelain") == ""
    assert git(clone, "show", "--name-only", "--format=", "HEAD").split() == [
        "data.dvc",
        "dvc.lock",
        "metrics.json",
        "plots/confusion_matrix.csv",
        "plots/feature_importance.csv",
        "plots/precision_recall.json",
        "plots/roc.json",
    ]
    assert dvc_adapter.stale_stages(clone, "HEAD") == []


def test_no_repro_commits_the_data_alone_and_says_the_lock_is_stale(world, github, tmp_path):
    rows = write_labelled(tmp_path / "week1.csv", labelled_rows(world, 8, seed=5))
    result = retrain(request(world, rows, reproduce=False), env_for(github))
    assert not result.reproduced and result.stages == [] and result.committed == ["data.dvc"]
    body = github.pulls(REPOSITORY)[0]["body"]
    assert "**`dvc.lock` is stale:**" in body and "`gitml promote` refuses" in body
    message = git(world.workspace, "log", "-1", "--format=%B", result.commit)
    assert message.rstrip().endswith("Gitml-Pipeline: not reproduced")
    stale = dvc_adapter.stale_stages(world.workspace, result.commit)
    assert [(s.name, s.reasons) for s in stale] == [("prepare", ("data changed",))]
