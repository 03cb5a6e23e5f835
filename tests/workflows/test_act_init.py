"""End to end: the PR workflow that `gitml init` writes runs under act and reports on a real PR.

A user's new repository, as the printed next steps make it: `gitml init --ref SHA`, a real dataset
(scikit-learn's breast cancer) tracked with `dvc add`, a local DVC remote outside the repository,
`gitml run --push`, main pushed to a bare origin; then a PR that changes a hyper-parameter, trained
and pushed the same way. act runs the generated `.github/workflows/gitml-pr.yml` byte for byte
for a `pull_request` event; the job talks to the GitHub emulation and pulls from the DVC remote.

What is stood in (see act_harness.py and stand-ins/README.md):

* the pinned remote actions, by local composite actions;
* github.com/gitml/gitml, by a copy of this repository committed in a temporary folder: act maps
  the reusable workflow `gitml/gitml/.github/workflows/gitml-pr.yml@SHA` to it with
  ``--local-repository``, and the job's git reads the written `gitml-spec`
  (``gitml @ git+https://github.com/gitml/gitml@SHA``) from it through a ``url.insteadOf`` in the
  job's global git config. The written file is not edited: the URL it names is only redirected,
  as a proxy or a mirror would, to the same commit.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.cli import run_dvc, run_gitml
from tests.helpers import git
from tests.workflows.act_harness import (
    REPOSITORY,
    WRITE_TOKEN,
    World,
    act_world,
    copy_repository,
    explain,
    register,
)

pytestmark = pytest.mark.slow(minutes=2)

#: A fixed date makes the copy's commit depend on its files only: an unchanged tree gives the same
#: SHA on every run, so the host uv cache already holds the gitml built from it.
COPY_DATE = "2000-01-01T00:00:00+00:00"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # uv colours its output in act's log


def gitml_release(folder: Path) -> str:
    """This repository's files as one commit in ``folder``, standing in for a gitml release."""
    copy_repository(folder)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A", "--force")  # uv builds what is committed: every copied file
    env = {**os.environ, "GIT_AUTHOR_DATE": COPY_DATE, "GIT_COMMITTER_DATE": COPY_DATE}
    subprocess.run(
        ["git", "commit", "-q", "-m", "gitml"], cwd=folder, env=env, check=True, capture_output=True
    )
    return git(folder, "rev-parse", "HEAD")


def gitml(cwd: Path, *args: str) -> str:
    return run_gitml(*args, cwd=cwd, expect=0).stdout


def dvc(cwd: Path, *args: str) -> str:
    return run_dvc(*args, cwd=cwd, expect=0).stdout


@pytest.fixture
def world(tmp_path: Path):
    with act_world(tmp_path) as world:
        yield world


def test_the_workflow_init_writes_runs_on_a_pr_and_reports(world: World) -> None:
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    release = world.tmp / "gitml-release"
    sha = gitml_release(release)
    gitconfig = world.tmp / "job-gitconfig"
    gitconfig.write_text(
        f'[url "{release.as_uri()}"]\n\tinsteadOf = https://github.com/gitml/gitml\n'
    )
    world.local_repositories[f"gitml/gitml@{sha}"] = release
    world.env.update(
        {
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            # uv first asks raw.githubusercontent.com for the pyproject.toml of a github.com
            # requirement; unreachable here, it retries for seconds before cloning anyway
            "UV_NO_GITHUB_FAST_PATH": "1",
        }
    )

    # the user's repository, following `gitml init`'s next steps
    work = world.work
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    gitml(work, "init", "--ref", sha)
    workflow = work / ".github" / "workflows" / "gitml-pr.yml"
    written = workflow.read_text()
    assert f"uses: gitml/gitml/.github/workflows/gitml-pr.yml@{sha} # v" in written
    assert f'gitml-spec: "gitml @ git+https://github.com/gitml/gitml@{sha}"' in written
    (work / "data").mkdir()
    frame: pd.DataFrame = load_breast_cancer(as_frame=True).frame
    frame.to_csv(work / "data" / "data.csv", index=False)
    dvc(work, "remote", "add", "-d", "storage", str(world.tmp / "dvc-remote"))
    dvc(work, "add", "data")
    gitml(work, "run", "--push")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "Add gitml")
    world.publish()

    # a PR that tunes the forest, trained and pushed like main
    edits = {"params.yaml": ("n_estimators: 100", "n_estimators: 200")}
    pr = world.push_pr(1, "more-trees", edits, before_commit=lambda: gitml(work, "run", "--push"))
    register(world, pr)

    code, log = world.run_pr(pr, WRITE_TOKEN, workflow="gitml-pr.yml")
    assert code == 0, explain(code, log)
    assert workflow.read_text() == written  # act ran the file init wrote, as written
    # the job installed the gitml the written spec names, at the pinned commit
    installed = f"+ gitml==0.1.0 (from git+https://github.com/gitml/gitml@{sha})"
    assert installed in ANSI.sub("", log), explain(code, log)
    comments = world.emulator.issue_comments(REPOSITORY, 1)
    assert len(comments) == 1, comments
    body = comments[0]["body"]
    assert re.search(r"^## ✅ gitml: .*all gates pass", body, re.MULTILINE), body
    assert re.search(r"n\\?_estimators \| 100 \| 200", body), body
    checks = [c for c in world.emulator.check_runs(REPOSITORY) if c["head_sha"] == pr["head"]]
    assert [(c["name"], c["conclusion"]) for c in checks] == [("gitml", "success")]
