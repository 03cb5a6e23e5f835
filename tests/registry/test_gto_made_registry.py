"""Registries built with `gto`'s own commands: what `gitml models` and `gitml promote` make of
states gitml never writes itself (a stage on a commit never registered, a deprecated artifact, a
deregistered version), checked against `gto show --json` and `gto show -d --json`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import gto.api
import pytest

from tests.cli import BIN, CliResult, run_gitml, run_tool
from tests.helpers import git
from tests.projects import new_project

GTO = str(BIN / "gto")

DVC_YAML = """\
metrics:
  - metrics.json
artifacts:
  classifier:
    path: models/model.joblib
    type: model
"""


def gto_cli(root: Path, *args: str) -> CliResult:
    return run_tool(GTO, *args, cwd=root, expect=0)


def shown(root: Path, deprecated: bool = False) -> dict:
    """What `gto show --json` (`-d` with ``deprecated``) prints, from the function it calls."""
    return json.loads(json.dumps(gto.api.show(str(root), deprecated=deprecated), default=str))


def models_json(root: Path, *args: str) -> dict | list:
    result = run_gitml("models", "--json", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def commit_accuracy(root: Path, accuracy: float, message: str) -> str:
    (root / "metrics.json").write_text(json.dumps({"accuracy": accuracy}) + "\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def built_with_gto(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """classifier v1.0.0 in prod (registered and assigned with the `gto` command), then a newer
    commit assigned `staging` with `gto assign --sr` (never registered)."""
    root = new_project(tmp_path_factory.mktemp("gto") / "project").root
    (root / "dvc.yaml").write_text(DVC_YAML)
    commit_accuracy(root, 0.90, "first model")
    gto_cli(root, "register", "classifier", "HEAD", "--version", "v1.0.0")
    gto_cli(root, "assign", "classifier", "--version", "v1.0.0", "--stage", "prod")
    commit_accuracy(root, 0.91, "second model")
    gto_cli(root, "assign", "classifier", "HEAD", "--stage", "staging", "--sr")
    return root


@pytest.fixture
def registry(built_with_gto: Path, tmp_path: Path) -> Path:
    """A copy of the registry built with `gto`, for one test to change."""
    return Path(shutil.copytree(built_with_gto, tmp_path / "project", symlinks=True))


def holders(versions: list[dict], stage: str) -> list[str]:
    return [v["version"] for v in versions if stage in v["stages"]]


def test_a_stage_on_an_unregistered_commit_is_listed_as_gto_shows_it(registry):
    staged = git(registry, "rev-parse", "HEAD")
    printed = json.loads(gto_cli(registry, "show", "--json").stdout)
    assert printed["classifier"]["stage"] == {"prod": "v1.0.0", "staging": staged}
    assert printed == shown(registry)
    every = models_json(registry)
    for stage, version in shown(registry)["classifier"]["stage"].items():
        assert holders(every["classifier"], stage) == [version], stage
    unregistered = next(v for v in every["classifier"] if v["version"] == staged)
    assert unregistered["status"] == "unregistered"
    assert unregistered["registered"] is False
    table = run_gitml("models", cwd=registry).stdout
    assert f"classifier  {staged[:7]} (not registered)  staging" in table


def test_a_promotion_into_that_stage_says_what_it_replaces(registry):
    staged = git(registry, "rev-parse", "HEAD")
    commit_accuracy(registry, 0.92, "merged PR")
    result = run_gitml(
        "promote", "--artifact", "classifier", "--stage", "staging", "--no-push", cwd=registry
    )
    assert result.returncode == 0, result.stderr
    assert f"-> staging (was {staged[:7]}, not registered)" in result.stdout
    assert "classifier v1.1.0" in result.stdout  # the unregistered commit takes no version number
    assert shown(registry)["classifier"]["stage"]["staging"] == "v1.1.0"


def test_a_deprecated_artifact_is_left_out_as_gto_show_does(registry):
    gto.api.deprecate(str(registry), "classifier")
    assert "classifier" not in shown(registry)
    assert shown(registry, deprecated=True)["classifier"]["active"] is False
    listed = run_gitml("models", cwd=registry)
    assert listed.returncode == 0, listed.stderr
    assert "v1.0.0" not in listed.stdout
    assert models_json(registry) == {"classifier": []} or "classifier" not in models_json(registry)
    with_deprecated = models_json(registry, "--deprecated")
    assert {v["status"] for v in with_deprecated["classifier"]} == {"deprecated"}
    table = run_gitml("models", "--deprecated", cwd=registry).stdout
    assert "classifier (deprecated)  v1.0.0" in table
    named = run_gitml("models", "--artifact", "classifier", cwd=registry)
    assert named.returncode == 0, named.stderr
    assert named.stdout == (
        "classifier is deprecated (tag classifier@deprecated), as `gto show` says; "
        "pass --deprecated to list its versions\n"
    )


def test_json_tells_a_deregistered_version_from_an_active_one(registry):
    commit_accuracy(registry, 0.93, "third model")
    gto.api.register(str(registry), "classifier", "HEAD", version="v1.1.0")
    gto.api.deregister(str(registry), "classifier", version="v1.1.0")  # gto deprecate NAME V
    assert shown(registry)["classifier"]["version"] == "v1.0.0"
    versions = {v["version"]: v for v in models_json(registry, "--artifact", "classifier")}
    assert versions["v1.1.0"]["status"] == "deregistered"
    assert versions["v1.1.0"]["active"] is False
    assert versions["v1.0.0"]["status"] == "active"
    assert versions["v1.0.0"]["active"] is True


def test_moving_a_deregistered_version_into_a_stage_is_refused(registry):
    third = commit_accuracy(registry, 0.93, "third model")
    gto.api.register(str(registry), "classifier", "HEAD", version="v1.1.0")
    gto.api.deregister(str(registry), "classifier", version="v1.1.0")
    tags = git(registry, "tag", "--list")
    result = run_gitml(
        "promote", "--artifact", "classifier", "--to", "prod", "--version", "v1.1.0",
        "--no-push", cwd=registry,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    assert result.stderr == (
        "ERROR: refusing to assign prod to classifier v1.1.0: the version was deregistered "
        f"(tag classifier@v1.1.0!), so `gto show` would not show it in prod; register the "
        f"commit again with `gitml promote --rev {third[:12]} --stage prod`, or move an "
        "active version (`gitml models`)\n"
    )
    assert git(registry, "tag", "--list") == tags  # nothing written
    assert shown(registry)["classifier"]["stage"]["prod"] == "v1.0.0"


def test_an_unknown_artifact_exits_1_as_gto_show_does(registry):
    assert run_tool(GTO, "show", "nope", cwd=registry).returncode == 1  # gto's own exit code
    result = run_gitml("models", "--artifact", "nope", cwd=registry)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "ERROR: no artifact nope: the registry's tags and dvc.yaml know classifier; "
        "check the name (`gitml models` lists them)\n"
    )


def test_models_outside_a_git_repository_is_one_line(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    for args in ((), ("--artifact", "classifier")):
        result = run_gitml("models", *args, cwd=folder)
        assert result.returncode == 2, result.stderr
        assert result.stderr == (
            f"ERROR: {folder.resolve()} is not in a git repository: the registry is its git "
            "tags; run `gitml models` in your project's clone\n"
        )


def stage_registry(project, stages: list[str]) -> Path:
    """classifier v1.0.0 assigned ``stages`` one after the other (no [tool.gitml])."""
    root = project.root
    (root / "dvc.yaml").write_text(DVC_YAML)
    commit_accuracy(root, 0.90, "first model")
    gto.api.register(str(root), "classifier", "HEAD", version="v1.0.0")
    for stage in stages:
        gto.api.assign(str(root), "classifier", stage, version="v1.0.0")
    commit_accuracy(root, 0.91, "merged PR")
    return root


def refused_stage(root: Path) -> str:
    result = run_gitml("promote", "--artifact", "classifier", "--no-push", cwd=root)
    assert result.returncode == 2, result.output
    return result.stderr.split("stage = ")[1].split('"')[1]


def test_the_proposed_stage_is_the_first_in_the_order_stages_were_first_used(project):
    root = stage_registry(project, ["test", "dev", "prod"])
    assert refused_stage(root) == "test"  # not "dev", the first alphabetically


def test_the_proposed_stage_follows_the_order_gto_config_lists(project):
    root = stage_registry(project, ["dev", "prod"])
    (root / ".gto").write_text("stages: [qa, dev, prod]\n")
    assert refused_stage(root) == "qa"


def test_production_is_never_proposed_for_a_merge(project):
    root = stage_registry(project, ["prod"])
    assert refused_stage(root) == "staging"
