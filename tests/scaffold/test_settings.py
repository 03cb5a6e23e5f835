"""The proposed ``[tool.gitml]`` section and how it is merged into pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitml.config import parse_settings, tomllib
from gitml.dvc_adapter import flatten_metrics as flatten
from gitml.errors import ConfigError
from gitml.scaffold.settings import (
    discover_metrics_files,
    merge_pyproject,
    propose_settings,
    read_metrics,
)


def settings_of(text: str):
    return parse_settings(tomllib.loads(text)["tool"]["gitml"])


def test_flatten_matches_dvcs_dotted_names_and_drops_lists() -> None:
    assert flatten({"test": {"acc": 0.9, "curve": [1, 2]}, "n": 3}) == {"test.acc": 0.9, "n": 3}


def test_the_gate_goes_on_the_preferred_metric_found() -> None:
    metrics = {"m.json": {"roc_auc": 0.9, "f1": 0.8, "log_loss": 0.3}}
    settings = settings_of(propose_settings("main", metrics, ()).text)
    assert [(g.metric, g.max_regression) for g in settings.gates] == [("f1", 0.01)]
    assert settings.promote.artifact is None


def test_nested_and_ambiguous_names_are_spelled_as_gates_match_them() -> None:
    nested = settings_of(propose_settings("main", {"m.json": {"test.accuracy": 0.9}}, ()).text)
    assert nested.gates[0].metric == "test.accuracy"
    twice = {"a.json": {"accuracy": 0.9}, "b.json": {"accuracy": 0.8}}
    assert (
        settings_of(propose_settings("main", twice, ()).text).gates[0].metric == "a.json:accuracy"
    )


def test_no_gate_is_invented_for_unknown_metrics() -> None:
    proposed = propose_settings("dev", {"m.json": {"lift": 2.0, "uplift": 1.0}}, ("a", "b"))
    settings = settings_of(proposed.text)
    assert settings.gates == () and settings.base == "dev" and settings.directions == {}
    assert '# "lift" = "higher"  # or "lower"\n' in proposed.text
    assert proposed.notes == (
        "direction unknown for lift, uplift: set it in [tool.gitml.metrics]",
        "no gate proposed: no metric has a direction gitml knows by name; add "
        "[[tool.gitml.gates]] for the metric that matters",
        "dvc.yaml declares 2 models (a, b): choose one as [tool.gitml.promote] artifact",
    )


@pytest.mark.parametrize(
    ("metrics", "gate", "threshold"),
    [
        # a preferred name wins, its held-out split first
        ({"m.json": {"loss": 0.3, "f1.train": 0.9, "f1.test": 0.8}}, "f1.test", 0.01),
        # no preferred name: a known higher-is-better one (segmentation's IoU)
        ({"eval/metrics.json": {"train/loss": 0.2, "iou.valid": 0.71}}, "iou.valid", 0.01),
        # only a loss: its held-out split, 1% of its value
        ({"m.json": {"train.loss": 0.2, "val_loss": 0.35}}, "val_loss", 0.0035),
        ({"m.json": {"rmse": 1234.5}}, "rmse", 12.0),
    ],
)
def test_the_gate_is_on_the_headline_metric(metrics, gate, threshold) -> None:
    proposed = propose_settings("main", metrics, ())
    settings = settings_of(proposed.text)
    assert [(g.metric, g.max_regression) for g in settings.gates] == [(gate, threshold)]
    # the directions gitml knows are written out, so the gate can be evaluated and read
    known = {name for values in metrics.values() for name in values}
    assert gate in settings.directions and set(settings.directions) <= known


def test_the_same_name_in_two_files_is_written_with_its_file() -> None:
    metrics = {"train/metrics.json": {"dice": 0.9}, "eval/metrics.json": {"dice": 0.85}}
    settings = settings_of(propose_settings("main", metrics, ()).text)
    assert settings.directions == {
        "eval/metrics.json:dice": "higher",
        "train/metrics.json:dice": "higher",
    }
    assert [g.metric for g in settings.gates] == ["eval/metrics.json:dice"]  # held out


def test_read_metrics_keeps_numbers_and_notes_missing_files(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("acc: 0.5\nok: true\nname: x\nnested: {rmse: 2}\n")
    metrics, notes = read_metrics(tmp_path, ["m.yaml", "gone.json"])
    assert metrics == {"m.yaml": {"acc": 0.5, "nested.rmse": 2}}
    assert notes == [
        "could not read gone.json: it is in neither the workspace, git nor the local DVC cache "
        "(no DVC project here); no gate or direction is proposed from it (`dvc pull gone.json`, "
        "then `gitml init --force` proposes them: it replaces [tool.gitml])"
    ]


def test_discovers_metrics_files_at_the_top_and_one_folder_down(tmp_path: Path) -> None:
    for name in ["metrics.json", "eval/metrics_test.yaml", "a/b/metrics.json", ".x/metrics.json"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    (tmp_path / "metrics.csv").write_text("")
    assert discover_metrics_files(tmp_path) == ["metrics.json", "eval/metrics_test.yaml"]


SECTION = '[tool.gitml]\nbase = "main"\n'


def test_merge_creates_appends_and_skips() -> None:
    assert merge_pyproject(None, SECTION, force=False) == ("created", SECTION)
    assert merge_pyproject('[project]\nname = "x"\n', SECTION, force=False) == (
        "appended",
        '[project]\nname = "x"\n\n' + SECTION,
    )
    assert merge_pyproject('[tool.gitml]\nbase = "dev"\n', SECTION, force=False) == (
        "skipped",
        None,
    )


def test_force_replaces_only_gitmls_tables() -> None:
    existing = (
        '[project]\nname = "x"\n\n'
        '# ours\n[tool.gitml]\nbase = "dev"\n\n[[tool.gitml.gates]]\nmetric = "a"\nmin = 1\n\n'
        "[tool.ruff]\nline-length = 100\n\n"
        '[tool.gitml.promote]\nartifact = "m"\n'
    )
    action, text = merge_pyproject(existing, SECTION, force=True)
    assert action == "overwritten"
    assert text == (
        '[project]\nname = "x"\n\n# ours\n' + SECTION + "\n[tool.ruff]\nline-length = 100\n"
    )


def test_force_refuses_a_gitml_table_it_cannot_cut_out() -> None:
    with pytest.raises(ConfigError, match="delete that table and rerun"):
        merge_pyproject('[tool]\ngitml = { base = "dev" }\n', SECTION, force=True)


def test_invalid_pyproject_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"pyproject.toml is not valid TOML"):
        merge_pyproject("[project\n", SECTION, force=False)
