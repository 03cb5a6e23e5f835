"""`gitml init` on a project shaped like DVC's tutorials: its own requirements, an HTTPS remote,
per-split metrics that are DVC outputs not in the workspace."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from gitml.config import load_settings
from gitml.scaffold.requirements import find_requirements
from tests.cli import run_dvc
from tests.helpers import git
from tests.projects import Project

PIPELINE = """\
stages:
  evaluate:
    cmd: python src/evaluate.py
    deps: [src/evaluate.py]
    metrics:
      - eval/metrics.json
metrics:
  - summary.json
"""
EVALUATE = """\
import json, os
os.makedirs("eval", exist_ok=True)
json.dump({"roc_auc": {"train": 0.97, "test": 0.93}, "avg_prec": {"train": 0.9, "test": 0.8}},
          open("eval/metrics.json", "w"))
"""


def tutorial_project(project: Project) -> Project:
    """src/requirements.txt, an HTTPS default remote, eval/metrics.json cached by DVC (not in
    git) and summary.json committed to git; both then missing from the workspace."""
    project.write(
        {
            "src/requirements.txt": "dvclive>=3\nmatplotlib\n",
            "src/evaluate.py": EVALUATE,
            "dvc.yaml": PIPELINE,
            "summary.json": {"accuracy": 0.88},
        }
    )
    run_dvc("repro", "-q", cwd=project.root, expect=0)
    run_dvc(
        "remote", "add", "-d", "public", "https://dvc.example.org/store", cwd=project.root, expect=0
    )
    project.commit("tutorial pipeline")
    (project.root / "eval" / "metrics.json").unlink()  # a fresh clone has no cached outputs
    (project.root / "summary.json").unlink()
    return project


def test_init_wires_requirements_reads_saved_metrics_and_asks_no_credentials(project: Project):
    tutorial_project(project)
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    workflow = yaml.safe_load((project.root / ".github/workflows/gitml-pr.yml").read_text())
    inputs = next(job["with"] for job in workflow["jobs"].values() if "with" in job)
    assert inputs["requirements"] == "src/requirements.txt"
    assert inputs["cache-dependency-path"] == "src/requirements.txt"
    assert "secrets" not in next(iter(workflow["jobs"].values()))
    assert "credential" not in result.stderr and "secrets" not in result.stdout
    assert (
        "eval/metrics.json is not in the workspace: read it from the local DVC cache (the hash "
        "in dvc.lock)"
    ) in result.stderr
    assert "summary.json is not in the workspace: read it from commit" in result.stderr
    settings = load_settings(project.root)
    assert [(g.metric, g.max_regression) for g in settings.gates] == [("accuracy", 0.01)]
    text = (project.root / "pyproject.toml").read_text()
    assert '"avg_prec.test"' in text  # a direction stub: gitml cannot judge that name


def test_a_per_split_metric_gets_the_gate_on_its_held_out_split(project: Project):
    tutorial_project(project)
    project.root.joinpath("dvc.yaml").write_text(
        PIPELINE.replace("metrics:\n  - summary.json\n", "")
    )
    project.commit("no summary")
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    gates = load_settings(project.root).gates
    assert [(g.metric, g.max_regression) for g in gates] == [("roc_auc.test", 0.01)]


def test_requirements_found_where_the_stages_run(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src/requirements.txt").write_text("dvclive\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/requirements.txt").write_text("sphinx\n")
    found = find_requirements(tmp_path, ("python src/train.py",))
    assert found.path == "src/requirements.txt"
    assert "docs/requirements.txt" in found.notes[0]
    (tmp_path / "requirements.txt").write_text("pandas\n")
    assert find_requirements(tmp_path).path == "requirements.txt"


def test_pyproject_dependencies_are_the_requirements_when_there_is_no_file(tmp_path: Path):
    assert find_requirements(tmp_path).path is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = []\n')
    assert find_requirements(tmp_path).path is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["dvclive"]\n')
    assert find_requirements(tmp_path).path == "pyproject.toml"


def test_saved_metrics_keep_their_values(project: Project):
    tutorial_project(project)
    from gitml.scaffold.settings import read_metrics

    metrics, notes = read_metrics(project.root, ["eval/metrics.json", "summary.json"])
    assert len(notes) == 2  # both said where they were read from
    assert metrics["eval/metrics.json"]["roc_auc.test"] == 0.93
    assert metrics["summary.json"] == {"accuracy": 0.88}
    assert json.dumps(metrics)  # plain numbers


DVCLIVE_PIPELINE = """\
stages:
  train:
    cmd: python src/train.py
    deps: [src/train.py]
    outs:
      - eval
metrics:
  - eval/metrics.json
plots:
  - eval/plots/roc.json
"""
DVCLIVE_TRAIN = """\
import json, os
os.makedirs("eval/plots", exist_ok=True)
json.dump({"dice_multi": 0.87, "train": {"loss": 0.2}}, open("eval/metrics.json", "w"))
json.dump([{"fpr": 0, "tpr": 0}, {"fpr": 1, "tpr": 1}], open("eval/plots/roc.json", "w"))
"""


def fresh_clone(project: Project, tmp_path: Path) -> Project:
    """``project`` pushed to a bare repository and cloned: no DVC cache, no outputs."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(project.root, "push", "-q", str(bare), "main")
    git(tmp_path, "clone", "-q", str(bare), str(tmp_path / "clone"))
    return Project(tmp_path / "clone")


def test_init_on_a_fresh_clone_whose_data_is_not_pulled(project: Project, tmp_path: Path):
    project.write(
        {
            "src/requirements.txt": "dvclive>=3\nscipy\nmatplotlib\n",
            "src/train.py": DVCLIVE_TRAIN,
            "dvc.yaml": DVCLIVE_PIPELINE,
        }
    )
    run_dvc("repro", "-q", cwd=project.root, expect=0)
    project.commit("dvclive-style pipeline, outputs in DVC's cache only")
    clone = fresh_clone(project, tmp_path)
    assert not (clone.root / "eval").exists()

    dry = clone.gitml("init", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert (
        "WARNING: could not read eval/metrics.json: it is in neither the workspace, git nor the "
        "local DVC cache (the output eval of stage train, a directory, is not pulled); no gate "
        "or direction is proposed from it (`dvc pull eval/metrics.json`, then "
        "`gitml init --force` proposes them: it replaces [tool.gitml])\n"
    ) in dry.stderr
    assert git(clone.root, "status", "--porcelain") == ""

    first = clone.gitml("init")
    assert first.returncode == 0, first.stderr
    assert "the workflows install src/requirements.txt (beside the scripts the stages run in " \
        "src/)\n" in first.stdout  # fmt: skip
    workflow = yaml.safe_load((clone.root / ".github/workflows/gitml-pr.yml").read_text())
    assert workflow["jobs"]["experiment"]["with"]["requirements"] == "src/requirements.txt"
    project_files = {
        p: p.read_bytes() for p in clone.root.rglob("*") if ".git" not in p.parts and p.is_file()
    }

    again = clone.gitml("init")
    assert again.returncode == 0, again.stderr
    actions = [line.split()[0] for line in again.stdout.split("\n\n")[0].splitlines()]
    assert set(actions) == {"unchanged"}
    assert "\nnothing changed: gitml init has set up this project already\n" in again.stdout
    assert "commit:" not in again.stdout
    after = {p: p.read_bytes() for p in project_files}
    assert after == project_files


def test_requirements_a_stage_depends_on_win_over_the_top_level_file(tmp_path: Path):
    (tmp_path / "requirements.txt").write_text("mkdocs\n")
    (tmp_path / "ml").mkdir()
    (tmp_path / "ml/requirements-train.txt").write_text("torch\n")
    found = find_requirements(tmp_path, ("python -m ml.train",), ("ml/requirements-train.txt",))
    assert (found.path, found.reason) == (
        "ml/requirements-train.txt",
        "a stage of dvc.yaml depends on it",
    )
    assert find_requirements(tmp_path, ("python -m ml.train",)).path == "requirements.txt"


def test_tooling_requirements_come_last_and_conda_is_named(tmp_path: Path):
    (tmp_path / "requirements-dev.txt").write_text("pytest\n")
    (tmp_path / "requirements-ml.txt").write_text("xgboost\n")
    (tmp_path / "environment.yml").write_text("dependencies: [python=3.11, pip]\n")
    found = find_requirements(tmp_path, ("python train.py",))
    assert found.path == "requirements-ml.txt"
    assert found.notes[0].startswith("environment.yml is a conda environment, which the workflows")
    assert (
        "several requirements files (requirements-ml.txt, requirements-dev.txt)" in (found.notes[1])
    )


def test_no_requirements_file_is_said_for_a_project_s_own_stages(tmp_path: Path):
    assert find_requirements(tmp_path, ("gitml stage train",)).notes == ()
    assert (
        find_requirements(tmp_path, ("python train.py",))
        .notes[0]
        .startswith("no requirements file found: the workflows install gitml alone")
    )
