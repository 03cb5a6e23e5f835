"""`gitml init` on a project shaped like DVC's tutorials: its own requirements, an HTTPS remote,
per-split metrics that are DVC outputs not in the workspace."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from gitml.config import load_settings
from gitml.scaffold.requirements import find_requirements
from tests.cli import run_dvc
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
    assert "eval/metrics.json is not in the workspace: read it from the DVC cache or remote" in (
        result.stderr
    )
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
