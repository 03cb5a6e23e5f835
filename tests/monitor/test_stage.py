"""``gitml monitor --stage``: the reference is the training data of the version in the stage, read
at its commit through DVC, in a real git + DVC project promoted with gitml's registry."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pytest
from sklearn.linear_model import LogisticRegression

from gitml import dvc_adapter
from gitml.registry.promote import promote
from tests.helpers import git
from tests.monitor_logs import frame, write_feedback, write_logs, write_profile_file

FEATURES = ["x1", "x2", "x3"]
PYPROJECT = """\
[tool.gitml.promote]
artifact = "classifier"

[tool.gitml.monitor]
stage = "prod"
reference = "prepared/train.csv"

[[tool.gitml.monitor.gates]]
metric = "accuracy"
max_regression = 0.05
"""
DVC_YAML = """\
metrics:
  - metrics.json
artifacts:
  classifier:
    path: models/model.joblib
    type: model
"""


def labelled(rows: int, seed: int, shift: dict | None = None):
    data = frame(rows, seed, shift)[FEATURES]
    data["target"] = (data["x1"] + 0.1 * data["x3"] > -0.5).astype(int)
    return data


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, LogisticRegression]:
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    dvc_adapter.init_dvc(root)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / "prepared").mkdir()
    (root / "models").mkdir()
    train = labelled(600, 1)
    train.to_csv(root / "prepared/train.csv", index=False)
    model = LogisticRegression().fit(train[FEATURES], train["target"])
    joblib.dump(model, root / "models/model.joblib")
    (root / "metrics.json").write_text(json.dumps({"accuracy": 0.97, "roc_auc": 0.99}))
    dvc_adapter.track(root, "prepared/train.csv")
    dvc_adapter.track(root, "models/model.joblib")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "model")
    promote(root, stage="prod", push=False)
    # the workspace moves on: the reference must still be the data at prod's commit
    labelled(600, 2, {"x2": 5}).to_csv(root / "prepared/train.csv", index=False)
    return root, model


def serve_logs(folder: Path, model, rows: int, seed: int, shift: dict | None) -> None:
    data = labelled(rows, seed, shift)
    features = data[FEATURES]
    predictions = model.predict(features).tolist()
    probabilities = model.predict_proba(features).round(6).tolist()
    write_logs(folder, features, predictions, probabilities, classes=[0, 1])
    write_feedback(folder, [(f"req-{i}", int(t)) for i, t in enumerate(data["target"][:80])])


def run(root: Path, monkeypatch, gitml_main, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(root)
    result = gitml_main("monitor", *args)
    return result.code, result.err


def test_the_stage_names_the_reference_the_model_and_its_registered_metrics(
    project, tmp_path, monkeypatch, gitml_main
):
    root, model = project
    serve_logs(tmp_path / "logs", model, 400, 7, {"x1": 1.5})
    out = tmp_path / "r.json"
    code, err = run(root, monkeypatch, gitml_main, "--current", str(tmp_path / "logs"),
                    "--json", str(out), "--check", "--export-labelled", str(tmp_path / "new.csv"))  # fmt: skip
    data = json.loads(out.read_text())
    assert (data["model"], data["version"], data["stage"]) == ("classifier", "v0.1.0", "prod")
    assert data["reference"]["source"] == "prepared/train.csv"
    assert data["reference"]["commit"] == git(root, "rev-parse", "HEAD")
    drifted = sorted(f["name"] for f in data["features"] if f["drifted"])
    assert drifted == ["x1"]  # x2 moved only in the uncommitted workspace copy
    assert [f["name"] for f in data["features"]] == FEATURES
    prediction = data["prediction_drift"]
    assert prediction["drifted"] is True
    assert [t["name"] for t in prediction["tests"]] == [
        "prediction",
        "probability[0]",
        "probability[1]",
    ]
    accuracy = next(m for m in data["performance"]["metrics"] if m["name"] == "accuracy")
    assert accuracy["registered"] == 0.97 and accuracy["current"] is not None
    assert data["gates"][0]["metric"] == "accuracy" and data["gates"][0]["passed"] is not None
    assert code == 1, err
    assert err.splitlines()[-1].startswith("ERROR: ") and "prediction drift" in err.splitlines()[-1]
    header = (tmp_path / "new.csv").read_text().splitlines()[0]
    assert header == "x1,x2,x3,target"


def test_a_window_like_the_training_data_is_healthy(project, tmp_path, monkeypatch, gitml_main):
    root, model = project
    serve_logs(tmp_path / "logs", model, 400, 8, None)
    out = tmp_path / "r.json"
    code, err = run(
        root,
        monkeypatch,
        gitml_main,
        "--current",
        str(tmp_path / "logs"),
        "--json",
        str(out),
        "--check",
    )
    data = json.loads(out.read_text())
    assert data["verdict"] == "pass", data
    assert code == 0, err


def test_a_stage_without_a_version_is_one_clear_line(project, tmp_path, monkeypatch, gitml_main):
    root, model = project
    serve_logs(tmp_path / "logs", model, 50, 8, None)
    code, err = run(
        root, monkeypatch, gitml_main, "--stage", "canary", "--current", str(tmp_path / "logs")
    )
    assert code == 2
    assert err == (
        "ERROR: no version of classifier is in stage 'canary'; see `gitml models`, or pass "
        "--reference FILE\n"
    )


@pytest.fixture
def profiled(tmp_path: Path) -> tuple[Path, LogisticRegression]:
    """A promoted version whose commit holds its training data, its evaluation split and the
    reference profile the evaluate stage writes (all DVC-tracked)."""
    root = tmp_path / "profiled"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    dvc_adapter.init_dvc(root)
    (root / "pyproject.toml").write_text(PROFILED)
    (root / "dvc.yaml").write_text(DVC_YAML)
    for folder in ("prepared", "models"):
        (root / folder).mkdir()
    train, evaluation = labelled(600, 1), labelled(400, 3)
    train.to_csv(root / "prepared/train.csv", index=False)
    evaluation.to_csv(root / "prepared/test.csv", index=False)
    model = LogisticRegression().fit(train[FEATURES], train["target"])
    joblib.dump(model, root / "models/model.joblib")
    write_profile_file(root / "profile.json", train, model, evaluation)
    (root / "metrics.json").write_text(json.dumps({"accuracy": 0.97}))
    for path in ("prepared/train.csv", "prepared/test.csv", "models/model.joblib", "profile.json"):
        dvc_adapter.track(root, path)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "model")
    promote(root, stage="prod", push=False)
    return root, model


PROFILED = """\
[tool.gitml.promote]
artifact = "classifier"

[tool.gitml.monitor]
stage = "prod"
reference = "prepared/train.csv"
evaluation = "prepared/test.csv"
profile = "profile.json"
"""


def monitor_json(root: Path, logs: Path, monkeypatch, gitml_main, settings: str) -> dict:
    (root / "pyproject.toml").write_text(PROFILED + settings)
    out = root.parent / "r.json"
    code, err = run(root, monkeypatch, gitml_main, "--current", str(logs), "--json", str(out))
    assert code == 0, err
    return json.loads(out.read_text())


def test_the_profile_decides_as_the_training_data_does(profiled, tmp_path, monkeypatch, gitml_main):
    root, model = profiled
    serve_logs(tmp_path / "logs", model, 400, 7, {"x1": 0.3, "x3": 0.15})
    raw = monitor_json(root, tmp_path / "logs", monkeypatch, gitml_main, 'use_profile = "never"\n')
    profile = monitor_json(
        root, tmp_path / "logs", monkeypatch, gitml_main, 'use_profile = "always"\n'
    )
    assert raw["reference"]["source"] == "prepared/train.csv"
    assert profile["reference"]["source"] == "profile.json"
    assert profile["features"] == raw["features"]  # up to 2,000 rows the profile is exact
    assert profile["prediction_drift"] == raw["prediction_drift"]
    # calibrated on the same evaluation split, read raw or from the profile
    assert raw["performance"]["estimate_method"] == "calibrated"
    # (the profile keeps probabilities to 6 decimals)
    for ours, theirs in zip(
        profile["performance"]["estimates"], raw["performance"]["estimates"], strict=True
    ):
        assert ours == pytest.approx(theirs, abs=1e-5)
    assert (profile["verdict"], profile["rows"]) == (raw["verdict"], raw["rows"])


def test_auto_takes_the_profile_where_the_training_data_is_large_or_absent(
    profiled, tmp_path, monkeypatch, gitml_main
):
    root, model = profiled
    serve_logs(tmp_path / "logs", model, 300, 8, None)
    large = monitor_json(root, tmp_path / "logs", monkeypatch, gitml_main, "sample_rows = 500\n")
    assert large["reference"]["source"] == "profile.json" and large["reference"]["rows"] == 600
    text = (root.parent / "r.json").read_text()
    assert large["verdict"] == "pass", text
    small = monitor_json(root, tmp_path / "logs", monkeypatch, gitml_main, "")
    assert small["reference"]["source"] == "prepared/train.csv"  # small: the raw rows
    (root / "pyproject.toml").write_text(PROFILED.replace('reference = "prepared/train.csv"\n', ""))
    out = root.parent / "absent.md"
    code, err = run(
        root, monkeypatch, gitml_main, "--current", str(tmp_path / "logs"), "-o", str(out)
    )
    assert code == 0, err
    assert "the reference is the version's profile profile.json at " in out.read_text()
    assert "no training data is configured" in out.read_text()


def test_one_monitor_run_reads_the_settings_once(profiled, tmp_path, monkeypatch, gitml_main):
    """Settings are read at the command's edge and passed down (issue 26's bouncing)."""
    from gitml.config import settings as settings_module

    root, model = profiled
    serve_logs(tmp_path / "logs", model, 100, 9, None)
    reads: list[Path] = []
    real = settings_module._read_pyproject

    def counted(path: Path):
        reads.append(path)
        return real(path)

    monkeypatch.setattr(settings_module, "_read_pyproject", counted)
    code, err = run(root, monkeypatch, gitml_main, "--current", str(tmp_path / "logs"), "-o",
                    str(tmp_path / "r.md"))  # fmt: skip
    assert code == 0, err
    assert len(reads) == 1, reads
