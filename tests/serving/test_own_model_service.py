"""`gitml build --service` for a model that is not a scikit-learn estimator: the file is imported
as it is (its own name, no joblib), the requirements beside the service reach the Bento, and the
smoke test serves it until it is ready (gitml cannot run such a model to compare answers)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli import run_dvc, run_gitml
from tests.helpers import git
from tests.projects import new_project

pytestmark = pytest.mark.slow(minutes=1)

PIPELINE = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py]
    outs: [models/model.pth]
artifacts:
  doubler:
    path: models/model.pth
    type: model
"""
# not a pickle, not an estimator: what joblib.load could never read
TRAIN = """\
import json, os
os.makedirs("models", exist_ok=True)
json.dump({"weight": 2.0}, open("models/model.pth", "w"))
"""
# the shape docs/serving.md ("Your own service") documents
SERVICE = """\
import json
import os

import bentoml


@bentoml.service(workers=1)
class Doubler:
    model_ref = bentoml.models.BentoModel(os.environ["GITML_MODEL_TAG"])

    def __init__(self) -> None:
        path = self.model_ref.path_of(self.model_ref.info.metadata["model_file"])
        with open(path) as file:
            self.weight = json.load(file)["weight"]

    @bentoml.api
    def predict(self, instances: list[dict]) -> list[float]:
        return [self.weight * row["x"] for row in instances]
"""


def test_build_a_non_scikit_learn_model_with_its_own_service(tmp_path: Path):
    project = new_project(tmp_path / "project")  # (this folder's `project` is the served clone)
    project.write(
        {
            "dvc.yaml": PIPELINE,
            "train.py": TRAIN,
            "serving/service.py": SERVICE,
            "serving/requirements.txt": "tomli-w\n",
        }
    )
    run_dvc("repro", "-q", cwd=project.root, expect=0)
    project.commit("a model of its own kind")
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml"), "BENTOML_DO_NOT_TRACK": "1"}
    result = run_gitml(
        "build", "--artifact", "doubler", "--service", "serving/service.py:Doubler", "--smoke-test",
        cwd=project.root, env=env, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    label = "g" + git(project.root, "rev-parse", "HEAD")[:12]
    assert result.stdout == f"bento: doubler:{label}\n"
    model = tmp_path / "bentoml" / "models" / "doubler" / label
    assert (model / "model.pth").read_text() == '{"weight": 2.0}'
    assert not (model / "model.joblib").exists()
    bento = tmp_path / "bentoml" / "bentos" / "doubler" / label
    requirements = (bento / "env" / "python" / "requirements.txt").read_text()
    assert "tomli-w" in requirements
