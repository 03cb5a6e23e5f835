"""`gitml init` on a repository that uses CML today: a train.py writing metrics.txt, a plot and
a model, its data in git, a CML workflow, no DVC pipeline. And gitml's own pipeline beside a
user's metrics.json and data that git tracks."""

from __future__ import annotations

import re
import shlex
import subprocess

import pandas as pd
import yaml
from sklearn.datasets import load_breast_cancer

from gitml.config import load_settings
from tests.cli import run_dvc
from tests.helpers import git
from tests.projects import Project

TRAIN = """\
import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression

train = pd.read_csv("data/train.csv")
test = pd.read_csv("data/test.csv")
model = LogisticRegression(max_iter=5000).fit(train.drop(columns="target"), train["target"])
acc = model.score(test.drop(columns="target"), test["target"])
with open("metrics.txt", "w") as outfile:
    outfile.write("Accuracy: " + str(acc) + "\\n")
joblib.dump(model, "model.joblib")
with open("plot.png", "wb") as image:  # (a real project draws it with matplotlib)
    image.write(b"\\x89PNG\\r\\n\\x1a\\n")
"""
CML_WORKFLOW = """\
name: model-training
on: [pull_request]
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: iterative/setup-cml@v2
      - name: Train model
        env:
          REPO_TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: |
          pip install -r requirements.txt
          python train.py
          cat metrics.txt >> report.md
          cml comment create report.md
"""


def cml_repository(project: Project) -> Project:
    """A CML user's repository (DVC initialised by the fixture, unused): everything in git."""
    frame = load_breast_cancer(as_frame=True).frame.iloc[:, -6:]
    project.write(
        {
            "data/train.csv": frame.iloc[::2].to_csv(index=False),
            "data/test.csv": frame.iloc[1::2].to_csv(index=False),
            "train.py": TRAIN,
            "requirements.txt": "scikit-learn\npandas\n",
            ".github/workflows/cml.yaml": CML_WORKFLOW,
            "metrics.txt": "Accuracy: 0.91\n",
        }
    )
    project.commit("CML project")
    return project


def test_init_writes_a_stage_around_the_training_script(project: Project):
    cml_repository(project)
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    assert not (project.root / "params.yaml").exists()
    stage = yaml.safe_load((project.root / "dvc.yaml").read_text())["stages"]["train"]
    assert stage == {
        "cmd": "python train.py",
        "deps": ["train.py", "data/train.csv", "data/test.csv"],
        "outs": ["model.joblib"],
        "metrics": [{"metrics.json": {"cache": False}}],
        "plots": [{"plot.png": {"cache": False}}],
    }
    settings = load_settings(project.root)
    assert settings.promote.artifact == "model"
    assert [g.metric for g in settings.gates] == ["accuracy"]
    assert "dvc add data" not in result.stdout.replace("&& dvc add data`)", "")
    assert (
        "WARNING: no dvc.yaml: wrote a one-stage pipeline around train.py (the script the CML "
        "workflow runs) instead of gitml's built-in stages\n"
    ) in result.stderr
    steps = result.stdout.split("Next:\n")[1]
    assert (
        "  1. make train.py also write its metrics as JSON, which DVC reads (metrics.txt it "
        'cannot): `json.dump({"accuracy": accuracy}, open("metrics.json", "w"))` with the '
        "values it computes\n"
    ) in steps
    assert steps.rstrip().endswith(
        ".github/workflows/cml.yaml runs CML: gitml-pr.yml replaces it on pull requests (the "
        "comment, compared with the base branch, and the `gitml` check); once gitml's workflow "
        "has commented on a pull request, delete it: `git rm .github/workflows/cml.yaml`"
    )

    # follow the steps: the JSON metrics, one run, the printed `git add`
    train = project.root / "train.py"
    train.write_text(
        train.read_text() + 'import json\njson.dump({"accuracy": acc}, open("metrics.json", "w"))\n'
    )
    ran = project.gitml("run")
    assert ran.returncode == 0, ran.stderr
    add = re.search(r"`(git add [^`]+) && git commit", result.stdout).group(1)
    subprocess.run(shlex.split(add), cwd=project.root, check=True, capture_output=True)
    assert [
        line
        for line in git(project.root, "status", "--porcelain").splitlines()
        if not line.startswith(("A  ", "M  "))
    ] == [" M metrics.txt", " M train.py"]  # the script rewrote its own text metrics
    project.commit("Add gitml")
    report = project.report_json("--base", "HEAD")
    assert [(m["name"], m["status"]) for m in report["metrics"]] == [("accuracy", "unchanged")]


def test_a_user_s_metrics_json_gets_promote_settings_and_a_warning(project: Project):
    frame = load_breast_cancer(as_frame=True).frame
    project.write({"metrics.json": {"auc": 0.9}, "data/data.csv": frame.to_csv(index=False)})
    project.commit("data in git, metrics of the user's own")
    result = project.gitml("init")
    assert result.returncode == 0, result.stderr
    assert load_settings(project.root).promote.artifact == "model"
    assert (
        "WARNING: metrics.json exists and gitml's pipeline writes it: the first `gitml run` "
        "overwrites it; move it or change the path in dvc.yaml and params.yaml first\n"
    ) in result.stderr
    assert "`git rm -r -q --cached data && dvc add data && gitml run`" in result.stdout
    git(project.root, "rm", "-r", "-q", "--cached", "data")
    run_dvc("add", "data", cwd=project.root, expect=0)  # what failed: "already tracked by SCM"
    assert (project.root / "data.dvc").is_file()
    assert isinstance(pd.read_csv(project.root / "data/data.csv"), pd.DataFrame)


def test_a_training_script_without_a_cml_workflow(tmp_path):
    from gitml.scaffold.script_pipeline import find_script_pipeline

    Project(tmp_path).write(
        {
            "src/train.py": (
                "import json, torch\n"
                "# df = pd.read_csv('data/old.csv')\n"
                "frame = load('data/raw.parquet')\n"
                "torch.save(net, 'models/net.pt')\n"
                'json.dump(scores, open("eval/metrics.json", "w"))\n'
                "fig.savefig('eval/confusion.png')\n"
            ),
            "data/raw.parquet": "x",
            "data/old.csv": "x",
        }
    )
    found, origin = find_script_pipeline(tmp_path, tmp_path)
    assert origin == "the training script found"
    assert (found.command, found.deps, found.model) == (
        "python src/train.py",
        ("src/train.py", "data/raw.parquet"),  # a commented-out read is no dependency
        "models/net.pt",
    )
    assert (found.metrics, found.text_metrics, found.plots) == (
        ("eval/metrics.json",),
        (),
        ("eval/confusion.png",),
    )
    assert find_script_pipeline(tmp_path / "data", tmp_path / "data") is None
