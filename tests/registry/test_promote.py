"""Promotions with real git tags in temporary repositories sharing one bare remote."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gto.api
import pytest

from gitml.core import git as core_git
from gitml.core.artifacts import version_in_stage
from gitml.errors import EXIT_GATES_FAILED
from gitml.registry import git as registry_git
from gitml.registry.assign import assign_stage
from gitml.registry.promote import PromotionRefused, promote
from gitml.registry.versions import list_versions
from tests.cli import CliResult, run_gitml
from tests.helpers import git
from tests.projects import clone, commit_metrics, make_project, make_remote, remote_tags


def gto_stage(root: Path, stage: str) -> str | None:
    """The version `gto show` reports in ``stage`` (its default, timestamp ordering)."""
    for raw in gto.api.show(str(root), "classifier"):
        if any(s["stage"] == stage for s in raw["stages"]):
            return raw["version"]
    return None


def dvc_stage_rev(root: Path, stage: str) -> str:
    """The commit DVC's resolver (`dvc artifacts get --stage`) picks for ``stage``."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        return repo.artifacts.get_rev("classifier", stage=stage)


def test_two_merges_in_a_row_give_two_versions_second_in_staging(tmp_path):
    bare, work = make_remote(tmp_path)
    first = promote(work)
    assert (first.version, first.stage, first.baseline) == ("v0.1.0", "staging", None)
    assert first.pushed and first.tags == ["classifier@v0.1.0", "classifier#staging#1"]

    second_commit = commit_metrics(work, 0.91, "merge: better model")
    second = promote(work)
    assert second.version == "v0.2.0"
    assert second.baseline.version == "v0.1.0"
    assert [g.passed for g in second.gates] == [True, True]

    assert sorted(remote_tags(bare)) == sorted(
        ["classifier#staging#1", "classifier#staging#2", "classifier@v0.1.0", "classifier@v0.2.0"]
    )
    # the registration tag is annotated and points at the merge commit
    assert git(work, "cat-file", "-t", "classifier@v0.2.0") == "tag"
    assert git(work, "rev-list", "-n1", "classifier@v0.2.0") == second_commit
    # gitml, GTO and DVC agree on what is in staging
    versions = list_versions(work, "classifier")
    assert version_in_stage(versions, "staging").version == "v0.2.0"
    assert versions[0].metrics == {"accuracy": 0.91}
    assert gto_stage(work, "staging") == "v0.2.0"
    assert dvc_stage_rev(work, "staging") == second_commit
    # a fresh clone sees the same registry
    fresh = clone(bare, tmp_path / "fresh")
    assert version_in_stage(list_versions(fresh, "classifier"), "staging").version == "v0.2.0"


def test_rerun_on_the_same_commit_changes_nothing(tmp_path):
    bare, work = make_remote(tmp_path)
    promote(work)
    again = promote(work)
    assert again.tags == [] and again.version == "v0.1.0"
    assert len(remote_tags(bare)) == 2


def test_gate_blocks_promotion_against_the_version_in_stage(tmp_path):
    bare, work = make_remote(tmp_path)
    promote(work)
    commit_metrics(work, 0.85, "merge: worse model")  # above min 0.80, but regresses by 0.05
    before = remote_tags(bare)
    with pytest.raises(PromotionRefused) as refused:
        promote(work)
    assert refused.value.exit_code == EXIT_GATES_FAILED
    assert refused.value.message.startswith(
        "refusing to promote classifier at "
    ) and refused.value.message.endswith(
        "to staging: 1 gate(s) failed against v0.1.0 (in staging): accuracy max_regression "
        "0.02: regressed by 0.05 > 0.02 (0.9 -> 0.85)"
    )
    assert remote_tags(bare) == before
    assert core_git.run_git(work, "tag", "--list").stdout.split() == sorted(before)


def test_cli_refusal_prints_why_and_exits_1(tmp_path):
    _bare, work = make_remote(tmp_path)
    commit_metrics(work, 0.5, "merge: bad model")
    result = run_gitml("promote", cwd=work)
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith("1 gate(s) failed against no baseline (stage empty): accuracy min 0.8: 0.5 < 0.8")
    )
    assert result.stderr.strip().splitlines()[-1].startswith("ERROR: refusing to promote")


def test_move_a_version_to_prod_and_back(tmp_path):
    bare, work = make_remote(tmp_path)
    promote(work)
    commit_metrics(work, 0.92, "merge")
    promote(work)
    move = assign_stage(work, version="v0.1.0", stage="prod")
    assert (move.previous, move.tags, move.pushed) == (None, ["classifier#prod#3"], True)
    assert assign_stage(work, version="v0.1.0", stage="prod").changed is False
    assign_stage(work, version="v0.2.0", stage="prod")
    with pytest.raises(PromotionRefused) as refused:
        assign_stage(work, version="v0.1.0", stage="prod")
    assert refused.value.exit_code == EXIT_GATES_FAILED  # a refusal, as the README says
    assert refused.value.message == (
        "refusing to move prod back: it holds v0.2.0, newer than v0.1.0; "
        "pass --allow-older to roll back on purpose"
    )
    rollback = assign_stage(work, version="v0.1.0", stage="prod", allow_older=True)
    assert rollback.previous == "v0.2.0"
    assert gto_stage(work, "prod") == "v0.1.0"
    assert gto_stage(work, "staging") == "v0.2.0"
    assert "classifier#prod#5" in remote_tags(bare)


def test_cli_promote_to_prod_writes_github_output(tmp_path, monkeypatch):
    _bare, work = make_remote(tmp_path)
    promote(work)
    output = tmp_path / "out.txt"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    result = run_gitml("promote", "--to", "prod", "--version", "v0.1.0", cwd=work)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "classifier v0.1.0 -> prod; tag pushed: classifier#prod#2\n"
    commit = git(work, "rev-parse", "HEAD")
    assert output.read_text() == (
        f"version=v0.1.0\ncommit={commit}\nstage=prod\ntags=classifier#prod#2\n"
    )
    unknown = run_gitml("promote", "--to", "prod", "--version", "v9.0.0", cwd=work)
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "ERROR: classifier has no version v9.0.0; list them with `gitml models`\n"
    )


def test_register_only_then_assign_is_the_release_path(tmp_path):
    bare, work = make_remote(tmp_path)
    reserved = promote(work, assign=False)
    assert reserved.tags == ["classifier@v0.1.0"] and reserved.stage is None
    assert remote_tags(bare) == ["classifier@v0.1.0"]  # a version, but no stage yet
    assert gto_stage(work, "staging") is None
    assign_stage(work, version=reserved.version, stage="staging")
    assert gto_stage(work, "staging") == "v0.1.0"


def test_no_push_keeps_tags_local(tmp_path):
    bare, work = make_remote(tmp_path)
    local = promote(work, push=False)
    assert not local.pushed and remote_tags(bare) == []
    assert gto_stage(work, "staging") == "v0.1.0"


def test_stale_clone_retries_after_a_rejected_push(tmp_path, monkeypatch):
    bare, clone_a = make_remote(tmp_path)
    clone_b = clone(bare, tmp_path / "clone-b")
    promote(clone_a)  # v0.1.0 in staging on the remote; clone B has not seen it
    commit_metrics(clone_b, 0.91, "merge in B")
    git(clone_b, "push", "-q", "origin", "main")

    real_fetch = registry_git.fetch_tags
    calls = []

    def stale_first_fetch(root, remote):
        calls.append(root)
        if len(calls) > 1:  # the first fetch "misses" the other clone's tags
            real_fetch(root, remote)

    monkeypatch.setattr(registry_git, "fetch_tags", stale_first_fetch)
    result = promote(clone_b)
    assert result.attempts == 2
    assert result.version == "v0.2.0" and result.baseline.version == "v0.1.0"
    assert sorted(remote_tags(bare)) == sorted(
        ["classifier@v0.1.0", "classifier#staging#1", "classifier@v0.2.0", "classifier#staging#2"]
    )


def test_two_clones_promoting_at_once_never_lose_or_duplicate(tmp_path):
    bare, clone_a = make_remote(tmp_path)
    clone_b = clone(bare, tmp_path / "clone-b")
    commit_metrics(clone_a, 0.91, "merge A")
    commit_metrics(clone_b, 0.92, "merge B")

    def run(root: Path) -> CliResult:
        return run_gitml("promote", "--json", cwd=root)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, [clone_a, clone_b]))
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    promoted = [json.loads(r.stdout) for r in results]
    versions = sorted(p["version"] for p in promoted)
    assert versions == ["v0.1.0", "v0.2.0"]
    tags = remote_tags(bare)
    assert sorted(t for t in tags if "@" in t) == ["classifier@v0.1.0", "classifier@v0.2.0"]
    assert sorted(t for t in tags if "#" in t) == ["classifier#staging#1", "classifier#staging#2"]
    every_tag = {t for p in promoted for t in p["tags"]}
    assert every_tag == set(tags)  # nothing lost, nothing extra
    fresh = clone(bare, tmp_path / "fresh")
    assert gto_stage(fresh, "staging") == "v0.2.0"
    assert version_in_stage(list_versions(fresh, "classifier"), "staging").version == "v0.2.0"


def test_undeclared_artifact_is_a_config_error(tmp_path):
    work = make_project(tmp_path / "p")
    (work / "dvc.yaml").write_text("metrics:\n  - metrics.json\n")
    with pytest.raises(Exception, match=r"artifact 'classifier' is not declared in dvc.yaml"):
        promote(work, push=False)


def test_cli_release_path_reserve_then_assign(tmp_path, monkeypatch):
    bare, work = make_remote(tmp_path)
    output = tmp_path / "out.txt"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    commit = git(work, "rev-parse", "HEAD")
    reserve = run_gitml("promote", "--no-assign", cwd=work)
    assert reserve.returncode == 0, reserve.stderr
    assert reserve.stdout == (
        f"classifier v0.1.0 ({commit[:7]}) registered (no stage yet)\n"
        "tags pushed to origin: classifier@v0.1.0\n"
    )
    assert output.read_text() == (
        f"version=v0.1.0\ncommit={commit}\nstage=\ntags=classifier@v0.1.0\n"
    )
    again = run_gitml("promote", "--no-assign", cwd=work)
    assert (
        again.stdout == f"classifier v0.1.0 ({commit[:7]}) is already registered; nothing to do\n"
    )
    assert remote_tags(bare) == ["classifier@v0.1.0"]
    assign = run_gitml("promote", "--to", "staging", "--version", "v0.1.0", cwd=work)
    assert assign.stdout == "classifier v0.1.0 -> staging; tag pushed: classifier#staging#1\n"
    assert sorted(remote_tags(bare)) == ["classifier#staging#1", "classifier@v0.1.0"]


def test_promote_to_needs_version(gitml_main):
    assert gitml_main("promote", "--to", "prod").code == 2


TWO_FILES_DVC_YAML = """\
metrics:
  - metrics.json
  - train/metrics.json
  - eval/metrics.json
artifacts:
  classifier:
    path: models/model.joblib
    type: model
"""


def two_metrics_files(tmp_path: Path, eval_text: str) -> Path:
    """The registry project with two more metrics files sharing the name ``dice_multi`` (train
    and evaluate, as a fastai segmentation project writes them); ``eval_text`` is the second's."""
    work = make_project(tmp_path / "work")
    (work / "dvc.yaml").write_text(TWO_FILES_DVC_YAML)
    (work / "train").mkdir()
    (work / "eval").mkdir()
    (work / "train" / "metrics.json").write_text('{"dice_multi": 0.8695}')
    (work / "eval" / "metrics.json").write_text(eval_text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "two metrics files")
    return work


def test_metrics_sharing_a_name_are_recorded_per_file(tmp_path):
    work = two_metrics_files(tmp_path, '{"dice_multi": 0.85}')
    promote(work, push=False)
    message = git(work, "tag", "-l", "--format=%(contents)", "classifier@v0.1.0")
    assert '"eval/metrics.json": {"dice_multi": 0.85}' in message
    assert '"train/metrics.json": {"dice_multi": 0.8695}' in message
    listed = json.loads(run_gitml("models", "--json", cwd=work).stdout)[0]
    assert listed["metrics_by_file"] == {
        "metrics.json": {"accuracy": 0.9},
        "eval/metrics.json": {"dice_multi": 0.85},
        "train/metrics.json": {"dice_multi": 0.8695},
    }
    assert listed["metrics"] == {
        "accuracy": 0.9,
        "eval/metrics.json:dice_multi": 0.85,
        "train/metrics.json:dice_multi": 0.8695,
    }


def test_versions_tagged_before_metrics_were_kept_by_file_still_show_them(tmp_path):
    work = make_project(tmp_path / "work")
    old = 'Registering artifact classifier version v0.1.0\n\ngitml-metrics: {"accuracy": 0.9}\n'
    gto.api.register(str(work), "classifier", "HEAD", version="v0.1.0", message=old)
    result = run_gitml("models", cwd=work)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split()[-1] == "accuracy"
    assert result.stdout.splitlines()[1].split()[-1] == "0.9"


def test_metrics_that_did_not_load_refuse_a_gated_promotion_in_one_line(tmp_path):
    work = two_metrics_files(tmp_path, '{"dice_multi": ')  # the gate's accuracy loads
    result = run_gitml("promote", "--no-push", cwd=work)
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("ERROR: refusing to promote classifier at ")
    assert "the gates cannot be checked on metrics that did not load: eval/metrics.json at" in line
    assert git(work, "tag", "--list") == ""


def test_metrics_that_did_not_load_are_said_without_gates(tmp_path):
    work = two_metrics_files(tmp_path, '{"dice_multi": ')
    (work / "pyproject.toml").write_text('[tool.gitml.promote]\nartifact = "classifier"\n')
    git(work, "commit", "-q", "-am", "no gates")
    result = run_gitml("promote", "--no-push", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "warning: metrics did not load; the version is registered without them: " in (
        result.stderr
    )
    assert "eval/metrics.json at" in result.stderr
    message = git(work, "tag", "-l", "--format=%(contents)", "classifier@v0.1.0")
    assert "Metrics not loaded: eval/metrics.json at" in message
