"""The pipeline ``gitml init`` writes is the reference pipeline made generic."""

from __future__ import annotations

import yaml

from gitml import templates


def test_init_pipeline_has_the_reference_stages_and_plots() -> None:
    ours = yaml.safe_load(templates.read("init", "dvc.yaml"))
    reference = yaml.safe_load(templates.read("reference", "dvc.yaml"))
    assert ours["stages"] == reference["stages"]
    assert ours["plots"] == reference["plots"]
    assert ours["artifacts"] == {
        "model": {
            "path": "models/model.joblib",
            "type": "model",
            "desc": "the model trained by gitml's train stage",
        }
    }


def test_init_params_read_a_generic_csv() -> None:
    params = yaml.safe_load(templates.read("init", "params.yaml"))
    assert params["data"] == {"path": "data/data.csv", "format": "csv", "target": "target"}
    assert set(params) == {"data", "prepare", "train"}
