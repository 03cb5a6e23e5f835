"""gitml's built-in stages on a dataset with a feature that holds text (`color`: red, blue)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gitml.templates import read
from tests.cli import run_gitml


def dataset(folder: Path) -> Path:
    rows = 40
    frame = pd.DataFrame(
        {
            "size": [float(i % 7) for i in range(rows)],
            "color": ["red" if i % 3 else "blue" for i in range(rows)],
            "target": [i % 2 for i in range(rows)],
        }
    )
    (folder / "data").mkdir()
    frame.to_csv(folder / "data" / "data.csv", index=False)
    (folder / "params.yaml").write_text(read("init", "params.yaml"))
    return folder


def test_a_text_feature_is_one_line_naming_the_column_and_the_fix(tmp_path: Path):
    folder = dataset(tmp_path)
    prepared = run_gitml("stage", "prepare", cwd=folder)
    assert prepared.returncode == 2, prepared.stderr
    assert prepared.stderr == (
        "ERROR: data/data.csv: feature column color holds text ('blue', 'red'); gitml's built-in "
        "stages and its default service take numbers only: encode color as numbers in the "
        "dataset (one 0/1 column per value, e.g. color_blue) or leave it out with "
        "prepare.features in params.yaml\n"
    )
    assert not (folder / "prepared").exists()


def test_train_on_a_prepared_split_with_text_says_the_same(tmp_path: Path):
    folder = dataset(tmp_path)
    (folder / "prepared").mkdir()
    pd.read_csv(folder / "data" / "data.csv").to_csv(folder / "prepared/train.csv", index=False)
    trained = run_gitml("stage", "train", cwd=folder)
    assert trained.returncode == 2, trained.stderr
    assert trained.stderr.startswith(
        "ERROR: prepared/train.csv: feature column color holds text ('blue', 'red');"
    )
    assert "could not convert" not in trained.stderr


def test_leaving_the_column_out_trains(tmp_path: Path):
    folder = dataset(tmp_path)
    params = folder / "params.yaml"
    params.write_text(params.read_text().replace("features: []", "features: [size]"))
    assert run_gitml("stage", "prepare", cwd=folder).returncode == 0
    trained = run_gitml("stage", "train", cwd=folder)
    assert trained.returncode == 0, trained.stderr
    assert (folder / "models" / "model.joblib").is_file()
