"""`gitml init --release` on a model gitml's default (scikit-learn) service cannot serve."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gitml.scaffold.model_kind import model_kind
from tests.helpers import git
from tests.projects import Project

PIPELINE = """\
stages:
  train:
    cmd: python src/train.py
    deps: [src/train.py, data]
    outs: [{path}]
artifacts:
  segmenter:
    path: {path}
    type: model
"""
FASTAI_TRAIN = """\
from fastai.vision.all import *  # a fastai Learner, exported as a pickle

learn = unet_learner(dls, resnet34)
learn.export("models/model.pkl")
"""
SKLEARN_TRAIN = """\
import joblib
import torch  # only to seed
from sklearn.ensemble import RandomForestClassifier

joblib.dump(RandomForestClassifier().fit(X, y), "models/model.pkl")
"""


def write(project: Project, path: str, train: str = "print('train')\n", extra: str = "") -> None:
    project.write({"dvc.yaml": PIPELINE.format(path=path) + extra, "src/train.py": train})
    project.commit("a pipeline")


@pytest.mark.parametrize(
    ("path", "train", "extra", "framework", "why"),
    [
        ("models/model.pth", "", "", "PyTorch", "a .pth file"),
        ("models/model.onnx", "", "", "ONNX", "a .onnx file"),
        (
            "models/model.pkl",
            FASTAI_TRAIN,
            "",
            "fastai",
            "stage train, which writes it, imports fastai",
        ),
        ("models/model.pkl", SKLEARN_TRAIN, "", None, ""),
        ("models/model.joblib", "import joblib\n", "", None, ""),
        (
            "models/model.pkl",
            "",
            "    meta: {framework: pytorch}\n",
            "PyTorch",
            "dvc.yaml's meta for it says so",
        ),
    ],
)
def test_model_kind(project: Project, path, train, extra, framework, why):
    write(project, path, train or "print('train')\n", extra)
    kind = model_kind(project.root, "segmenter")
    assert (kind.framework, kind.why) == (framework, why)


def test_release_of_a_pytorch_model_is_refused_with_what_to_write(project: Project):
    write(project, "models/model.pth")
    result = project.gitml("init", "--release")
    assert result.returncode == 2, result.output
    assert result.stderr == (
        "ERROR: not writing a release workflow for segmenter: it is a PyTorch model (a .pth "
        "file) and gitml's default service serves scikit-learn estimators only; write a "
        'BentoML service for it (its shape: docs/serving.md, "Your own service"), check it with '
        "`gitml build --service serving/service.py`, then run "
        "`gitml init --release --service serving/service.py`\n"
    )
    assert git(project.root, "status", "--porcelain") == ""  # nothing written
    assert project.gitml("init").returncode == 0  # without --release: the PR workflows


def test_release_with_the_project_s_own_service(project: Project):
    write(project, "models/model.pkl", FASTAI_TRAIN)
    assert project.gitml("init", "--release").returncode == 2
    missing = project.gitml("init", "--release", "--service", "serving/service.py")
    assert missing.returncode == 2
    assert missing.stderr.startswith("ERROR: --service serving/service.py: no such Python file")
    project.write({"serving/service.py": "import bentoml\n"})
    result = project.gitml("init", "--release", "--service", "serving/service.py:Segmenter")
    assert result.returncode == 0, result.stderr
    release = yaml.safe_load((project.root / ".github/workflows/gitml-release.yml").read_text())
    assert release["jobs"]["release"]["with"]["service"] == "serving/service.py:Segmenter"
    pr = yaml.safe_load((project.root / ".github/workflows/gitml-pr.yml").read_text())
    assert "service" not in pr["jobs"]["experiment"]["with"]
    alone = project.gitml("init", "--service", "serving/service.py")
    assert alone.returncode == 2
    assert alone.stderr == "ERROR: --service is the release workflow's: pass it with --release\n"


def test_gitml_s_own_pipeline_is_servable(tmp_path: Path):
    assert model_kind(tmp_path, "model").framework is None  # no dvc.yaml at all
