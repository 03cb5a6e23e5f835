"""The promote guard on a real git + DVC pipeline with a bare origin and a local DVC remote: a
commit whose dvc.lock does not match its data or params is refused, a reproduced one promoted,
and the check reads the commit's hashes, not the workspace's data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gitml.errors import EXIT_FAILURE, EXIT_GATES_FAILED, RemoteError
from gitml.registry.promote import promote
from gitml.registry.reproduced import StaleLock
from tests.cli import run_dvc, run_gitml
from tests.helpers import git
from tests.projects import PYPROJECT, remote_tags

# `prepare` copies the data folder's rows into prepared/ (a folder output), `train` reads one
# file inside it: checking train's lock entry needs the folder's listing, not the data
PREPARE = "import shutil\nshutil.copytree('data', 'prepared', dirs_exist_ok=True)\n"
TRAIN = """\
import json
import yaml
rows = open('prepared/rows.csv').read().split()
scale = yaml.safe_load(open('params.yaml'))['train']['scale']
open('model.txt', 'w').write(str(len(rows) * scale))
json.dump({'accuracy': min(0.99, 0.8 + 0.01 * len(rows))}, open('metrics.json', 'w'))
"""
DVC_YAML = f"""\
stages:
  prepare:
    cmd: {sys.executable} prepare.py
    deps: [data, prepare.py]
    outs: [prepared]
  train:
    cmd: {sys.executable} train.py
    deps: [prepared/rows.csv, train.py]
    params: [train]
    outs: [model.txt]
    metrics:
      - metrics.json:
          cache: false
artifacts:
  classifier:
    path: model.txt
    type: model
"""


def reproduce_and_commit(work: Path, message: str) -> str:
    run_dvc("repro", "-q", cwd=work, expect=0)
    run_dvc("push", "-q", cwd=work, expect=0)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", message)
    return git(work, "rev-parse", "HEAD")


def add_rows(work: Path, count: int) -> None:
    rows = work / "data" / "rows.csv"
    rows.write_text(rows.read_text() + "".join(f"{n}\n" for n in range(count)))
    run_dvc("add", "-q", "data", cwd=work, expect=0)
    run_dvc("push", "-q", "data.dvc", cwd=work, expect=0)


@pytest.fixture
def pipeline(tmp_path: Path) -> tuple[Path, Path]:
    """origin.git and a clone ``work`` on main: data tracked by data.dvc, reproduced, pushed."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    run_dvc("init", "-q", cwd=work, expect=0)
    run_dvc("remote", "add", "-d", "local", "../dvc-remote", cwd=work, expect=0)
    (work / "pyproject.toml").write_text(PYPROJECT)
    (work / "params.yaml").write_text("train:\n  scale: 1\n")
    (work / "dvc.yaml").write_text(DVC_YAML)
    (work / "prepare.py").write_text(PREPARE)
    (work / "train.py").write_text(TRAIN)
    (work / "data").mkdir()
    (work / "data" / "rows.csv").write_text("".join(f"{n}\n" for n in range(10)))
    run_dvc("add", "-q", "data", cwd=work, expect=0)
    reproduce_and_commit(work, "first model")
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    return origin, work


def fresh_clone(origin: Path, path: Path) -> Path:
    """A release runner's checkout: no data, no models, no DVC cache (nothing pulled)."""
    git(path.parent, "clone", "-q", str(origin), str(path))
    assert not (path / "data").exists() and not (path / ".dvc" / "cache").exists()
    return path


def test_new_data_with_the_old_lock_is_refused_and_the_reproduced_commit_promoted(
    pipeline, tmp_path
):
    origin, work = pipeline
    promote(work, stage="staging")
    add_rows(work, 5)
    git(work, "commit", "-q", "-am", "Add rows (data only: the lock still names the old model)")
    git(work, "push", "-q", "origin", "main")

    runner = fresh_clone(origin, tmp_path / "runner")
    refused = run_gitml("promote", cwd=runner)
    assert refused.returncode == EXIT_GATES_FAILED
    stale = git(runner, "rev-parse", "HEAD")
    assert refused.stderr == (
        f"ERROR: refusing to promote classifier at {stale[:12]}: its dvc.lock does not match "
        "its data, params or code, so the model it names was not trained on them; stale "
        "stage(s): prepare (data changed); reproduce the pipeline on that commit and commit "
        "the result (`gitml run --push`, then commit dvc.lock and the metrics files), as "
        "`gitml retrain` does unless --no-repro\n"
    )
    assert remote_tags(origin) == ["classifier#staging#1", "classifier@v0.1.0"]

    fresh = reproduce_and_commit(work, "Retrain on the new rows")
    git(work, "push", "-q", "origin", "main")
    git(runner, "pull", "-q", "origin", "main")
    promoted = promote(runner, stage="staging")
    assert (promoted.version, promoted.commit) == ("v0.2.0", fresh)
    assert "classifier@v0.2.0" in remote_tags(origin)


def test_a_stale_downstream_stage_is_found_through_the_folders_listing_on_the_remote(
    pipeline, tmp_path
):
    """prepare reproduced alone, train's code and params changed: train's lock entry names the
    old prepared/rows.csv, which only the listing of prepared/ (on the DVC remote, not in the
    runner's empty cache) can tell; the code and params are read from the commit."""
    origin, work = pipeline
    add_rows(work, 3)
    (work / "params.yaml").write_text("train:\n  scale: 2\n")
    (work / "train.py").write_text(TRAIN + "print('trained')\n")
    run_dvc("repro", "-q", "prepare", cwd=work, expect=0)
    run_dvc("push", "-q", cwd=work, expect=0)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "Reproduce prepare only, change a param")
    git(work, "push", "-q", "origin", "main")

    runner = fresh_clone(origin, tmp_path / "runner")
    with pytest.raises(StaleLock) as refused:
        promote(runner, push=False)
    assert (
        "stale stage(s): train (prepared/rows.csv changed; train.py changed; params train "
        "changed);" in refused.value.message
    )
    assert git(runner, "tag", "--list") == ""


def test_a_listing_neither_cached_nor_on_the_remote_cannot_be_checked(pipeline, tmp_path):
    origin, _ = pipeline
    for listing in (tmp_path / "dvc-remote").rglob("*.dir"):
        listing.unlink()
    runner = fresh_clone(origin, tmp_path / "runner")
    with pytest.raises(RemoteError) as failed:
        promote(runner, push=False)
    assert failed.value.exit_code == EXIT_FAILURE
    assert failed.value.message.startswith(
        "cannot check that dvc.lock is current: the listing of prepared ("
    )
    assert "is in neither the DVC cache nor remote 'local'" in failed.value.message
