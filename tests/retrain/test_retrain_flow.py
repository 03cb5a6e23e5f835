"""gitml retrain on real git + DVC repositories with a bare origin and a local DVC remote, and the
GitHub emulation: the rows arrive, the data version moves, one pull request per model."""

from __future__ import annotations

from pathlib import Path

import yaml

from gitml.retrain.retrain import RetrainRequest, retrain
from tests.helpers import git
from tests.retrain.helpers import BRANCH, DATE, REPOSITORY, env_for, labelled_rows, write_labelled


def dvc_hash(root: Path) -> str:
    return yaml.safe_load((root / "data.dvc").read_text())["outs"][0]["md5"]


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
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--branch", BRANCH, str(world.origin), str(clone))
    after = dvc_hash(clone)
    assert after != before and on_remote(world, after)
    subject = git(clone, "log", "-1", "--format=%s")
    assert subject == "Retrain classifier: add 30 labelled rows to data/breast_cancer.csv"
    assert "Gitml-Source: week1.csv (35 rows)" in git(clone, "log", "-1", "--format=%B")

    second_rows = labelled_rows(world, 12, seed=7)
    second = retrain(
        request(world, write_labelled(tmp_path / "week2.csv", second_rows)), env_for(github)
    )
    assert second.appended.added == 12 and second.pr_action == "updated"
    pulls = github.pulls(REPOSITORY)
    assert len(pulls) == 1
    assert (
        pulls[0]["head_ref"] == BRANCH
        and pulls[0]["title"] == "Retrain classifier on 42 new labelled rows"
    )
    assert "(569 → 611 rows)" in pulls[0]["body"]
