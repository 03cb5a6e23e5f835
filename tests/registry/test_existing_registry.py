"""A registry made with `gto` before gitml (stages dev/stage/prod): read it and extend it."""

from __future__ import annotations

import json
from pathlib import Path

import gto.api
import pytest

from gitml.errors import ConfigError
from gitml.registry.stages import choose_stage
from gitml.scaffold.settings import propose_settings
from tests.cli import BIN, run_dvc, run_gitml, run_tool
from tests.helpers import git

GTO = str(BIN / "gto")

DVC_YAML = """\
metrics:
  - metrics.json
artifacts:
  classifier:
    path: models/model.joblib
    type: model
  embedder:
    path: models/embedder.pkl
    type: model
"""


@pytest.fixture
def gto_project(tmp_path: Path) -> Path:
    """classifier v1.0.0 in dev and prod, v1.1.0 in stage; regressor (only in tags) v0.1.0 in
    prod; embedder declared in dvc.yaml and never registered. No [tool.gitml] at all."""
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    assert run_dvc("init", "-q", cwd=root).returncode == 0
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / "metrics.json").write_text('{"accuracy": 0.90}\n')
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first model")
    first = git(root, "rev-parse", "HEAD")
    gto.api.register(str(root), "classifier", first, version="v1.0.0")
    gto.api.assign(str(root), "classifier", "dev", version="v1.0.0")
    gto.api.assign(str(root), "classifier", "prod", version="v1.0.0")
    gto.api.register(str(root), "regressor", first, version="v0.1.0")
    gto.api.assign(str(root), "regressor", "prod", version="v0.1.0")
    (root / "metrics.json").write_text('{"accuracy": 0.92}\n')
    git(root, "commit", "-q", "-am", "better model")
    gto.api.register(str(root), "classifier", "HEAD", version="v1.1.0")
    gto.api.assign(str(root), "classifier", "stage", version="v1.1.0")
    return root


def test_models_with_no_config_lists_every_artifact_as_gto_show_does(gto_project):
    listed = run_gitml("models", "--json", cwd=gto_project)
    assert listed.returncode == 0, listed.stderr
    models = json.loads(listed.stdout)
    shown = json.loads(run_tool(GTO, "show", "--json", cwd=gto_project).stdout)
    assert sorted(models) == ["classifier", "embedder", "regressor"]  # tags + dvc.yaml
    assert models["embedder"] == []
    for name, summary in shown.items():
        versions = models[name]
        assert versions[0]["version"] == summary["version"]  # the latest
        for stage, version in summary["stage"].items():
            holders = [v["version"] for v in versions if stage in v["stages"]]
            assert (holders[0] if holders else None) == version, (name, stage)
    table = run_gitml("models", cwd=gto_project).stdout
    assert "embedder    (none registered)" in table
    assert "classifier  v1.1.0             stage" in table


def test_promote_with_no_stage_configured_extends_the_registry_stages(gto_project):
    (gto_project / "metrics.json").write_text('{"accuracy": 0.93}\n')
    git(gto_project, "commit", "-q", "-am", "merged PR")
    result = run_gitml("promote", "--artifact", "classifier", "--no-push", cwd=gto_project)
    assert result.returncode == 0, result.stderr
    assert "classifier v1.2.0" in result.stdout and "-> stage (was v1.1.0)" in result.stdout
    assert git(gto_project, "tag", "--list", "classifier#staging#*") == ""
    shown = json.loads(run_tool(GTO, "show", "--json", cwd=gto_project).stdout)
    assert shown["classifier"]["stage"] == {"dev": "v1.0.0", "prod": "v1.0.0", "stage": "v1.2.0"}


def test_promote_names_the_candidates_when_it_cannot_choose(gto_project):
    gto.api.assign(str(gto_project), "regressor", "qa", version="v0.1.0")  # dev, prod, qa, stage
    git(gto_project, "tag", "-d", "classifier#stage#3")  # the registry now uses dev, prod, qa
    result = run_gitml("promote", "--artifact", "classifier", "--no-push", cwd=gto_project)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "ERROR: cannot choose the stage to promote to: the registry uses the stages dev, prod, "
        'qa; set [tool.gitml.promote] stage = "dev" (or another of them) in pyproject.toml, '
        "or pass --stage\n"
    )
    (gto_project / "pyproject.toml").write_text('[tool.gitml.promote]\nstage = "qa"\n')
    chosen = run_gitml("promote", "--artifact", "classifier", "--no-push", cwd=gto_project)
    assert chosen.returncode == 0, chosen.stderr
    assert "classifier v1.1.0" in chosen.stdout and "-> qa" in chosen.stdout


@pytest.mark.parametrize(
    ("stages", "chosen"),
    [
        ([], "staging"),
        (["prod", "staging"], "staging"),
        (["dev", "prod", "stage"], "stage"),
        (["dev", "prod"], "dev"),
        (["Pre-Prod", "production"], "Pre-Prod"),
    ],
)
def test_the_promote_stage_chosen_from_the_registry(stages, chosen):
    assert choose_stage(stages) == chosen


@pytest.mark.parametrize("stages", [["prod"], ["dev", "qa", "prod"], ["stage", "stg"]])
def test_no_stage_stands_out(stages):
    with pytest.raises(ConfigError) as error:
        choose_stage(stages)
    assert error.value.exit_code == 2
    assert f"uses the stages {', '.join(stages)}" in error.value.message


def test_init_writes_the_registry_stage_not_staging():
    metrics = {"metrics.json": {"accuracy": 0.9}}
    extended = propose_settings("main", metrics, ("classifier",), ("dev", "prod", "stage")).text
    assert 'stage = "stage"' in extended and "staging" not in extended
    fresh = propose_settings("main", metrics, ("classifier",)).text
    assert 'stage = "staging"' in fresh
    ambiguous = propose_settings("main", metrics, ("classifier",), ("dev", "qa", "prod"))
    assert '# stage = "dev"  # choose one of dev, qa, prod' in ambiguous.text
    assert any("dev, qa, prod" in note for note in ambiguous.notes)
