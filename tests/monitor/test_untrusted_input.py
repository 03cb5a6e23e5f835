"""``gitml monitor`` on data that cannot be tested or is hostile: never ``pass`` when nothing
was tested, never a crash (exit 3 "unexpected") on a value a log or a data file can hold."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from tests.monitor_logs import frame, log_record, write_feedback, write_logs

FEATURES = ["x1", "x2", "x3", "color"]


@pytest.fixture
def gitml(gitml_main, tmp_path, monkeypatch):
    """``gitml monitor ARGS`` in process, in ``tmp_path``; (result, JSON report or None)."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str):
        result = gitml_main("monitor", *args, "--json", "r.json", "-o", "r.md")
        path = tmp_path / "r.json"
        data = json.loads(path.read_text()) if path.exists() else None
        if path.exists():
            path.unlink()
        return result, data

    return run


def features_by_name(data: dict) -> dict[str, dict]:
    return {f["name"]: f for f in data["features"]}


def test_a_reference_with_a_header_only_is_untested_and_check_fails(gitml, tmp_path):
    """Before: verdict pass, --check exit 0, although no feature was tested."""
    frame(0, 1).to_csv(tmp_path / "ref.csv", index=False)
    frame(200, 2).to_csv(tmp_path / "cur.csv", index=False)
    run, data = gitml("--reference", "ref.csv", "--current", "cur.csv", "--check")
    assert data["verdict"] == "untested"
    assert data["reason"] == "no feature could be tested: the reference has no rows"
    assert {f["name"]: (f["status"], f["reason"]) for f in data["features"]} == {
        name: ("untested", "the reference has no rows") for name in FEATURES
    }
    assert run.code == 1, run
    assert run.err.splitlines()[-1] == (
        "ERROR: no feature could be tested: the reference has no rows"
    )
    text = (tmp_path / "r.md").read_text()
    assert text.startswith("## ❔ gitml monitor: no feature could be tested")


def test_a_window_whose_every_value_is_null_is_untested(gitml, tmp_path):
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    frame(200, 2).assign(x1=None, x2=None, x3=None, color=None).to_csv(
        tmp_path / "cur.csv", index=False
    )
    run, data = gitml("--reference", "ref.csv", "--current", "cur.csv", "--check")
    assert data["verdict"] == "untested", data
    assert run.code == 1
    for feature in data["features"]:
        assert feature["status"] == "untested" and feature["drifted"] is None
        assert feature["reason"] == "every value is missing in the current data"


def test_strings_where_numbers_are_expected_are_a_wrong_type_not_missing(gitml, tmp_path):
    """Before: "every value is missing", and the verdict pass."""
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    frame(200, 2).assign(x1="abc").to_csv(tmp_path / "cur.csv", index=False)
    run, data = gitml("--reference", "ref.csv", "--current", "cur.csv", "--check")
    x1 = features_by_name(data)["x1"]
    assert (x1["status"], x1["drifted"], x1["test"]) == ("untested", None, None)
    assert x1["reason"] == "wrong type: numbers expected, the current data holds 'abc'"
    assert [f["status"] for f in data["features"] if f["name"] != "x1"] == ["ok"] * 3
    assert data["verdict"] == "untested"
    assert data["reason"] == "1 of 4 features could not be tested: x1 (wrong type)"
    assert run.code == 1
    text = (tmp_path / "r.md").read_text()
    assert "| ⚪ not tested | x1 |" in text and "wrong type" in text
    assert "missing" not in text.split("### Problems with the input")[0].split("| x1 |")[1]


def test_a_feature_missing_from_the_current_data_is_listed_as_not_tested(gitml, tmp_path):
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    frame(200, 2).drop(columns=["x3"]).to_csv(tmp_path / "cur.csv", index=False)
    _run, data = gitml("--reference", "ref.csv", "--current", "cur.csv")
    x3 = features_by_name(data)["x3"]
    assert (x3["status"], x3["reason"]) == ("untested", "not in the current data")
    assert data["verdict"] == "untested"


def test_drift_outranks_untested_and_pass_means_every_feature_was_tested(gitml, tmp_path):
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    frame(200, 2, {"x1": 3, "x2": 5, "color": 1}).assign(x3="abc").to_csv(
        tmp_path / "cur.csv", index=False
    )
    run, data = gitml("--reference", "ref.csv", "--current", "cur.csv")
    assert data["verdict"] == "drift" and run.code == 0
    assert features_by_name(data)["x3"]["status"] == "untested"
    frame(200, 2).to_csv(tmp_path / "cur.csv", index=False)
    _run, data = gitml("--reference", "ref.csv", "--current", "cur.csv")
    assert data["verdict"] == "pass"
    assert data["reason"] == "4 of 4 features tested, none drifted"
    assert all(f["status"] == "ok" and f["reason"] is None for f in data["features"])


def test_a_drift_gate_is_not_evaluated_when_nothing_was_tested(gitml, tmp_path):
    """Before: share_drifted 0 of 0 tested passed a `max` gate."""
    frame(0, 1).to_csv(tmp_path / "ref.csv", index=False)
    frame(200, 2).to_csv(tmp_path / "cur.csv", index=False)
    (tmp_path / "pyproject.toml").write_text(
        "[[tool.gitml.monitor.gates]]\nmetric = 'share_drifted'\nmax = 0.3\n"
    )
    _run, data = gitml("--reference", "ref.csv", "--current", "cur.csv")
    assert [(g["metric"], g["passed"]) for g in data["gates"]] == [("share_drifted", None)]


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "1e400", "NaN", "-1", "1.5", '"0"', "[0]", "true"])  # fmt: skip
def test_a_log_line_with_an_impossible_instance_is_a_skipped_broken_line(gitml, tmp_path, value):
    """Before: OverflowError ("unexpected", exit 3) for Infinity and 1e400."""
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    records = write_logs(tmp_path / "logs", frame(50, 2))
    bad = json.dumps(log_record(99, records[0]["features"], 1, [0.3, 0.7], [0, 1]))
    bad = bad.replace('"instance": 0', f'"instance": {value}')
    with open(tmp_path / "logs/gitml_predictions/data/data.0.log", "a") as handle:
        handle.write(bad + "\n")
    run, data = gitml("--reference", "ref.csv", "--current", "logs")
    assert run.code == 0, run
    assert data["current"]["broken_lines"] == 1 and data["rows"]["current"] == 50
    assert "1 broken line(s) in the logs were skipped" in data["errors"]


@pytest.mark.parametrize("value", ["Infinity", "1e400", "-1", "null", '"a"'])
def test_a_feedback_line_with_an_impossible_instance_is_a_skipped_broken_line(
    gitml, tmp_path, value
):
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    write_logs(tmp_path / "logs", frame(50, 2))
    write_feedback(tmp_path / "logs", [("req-1", 1)])
    path = tmp_path / "logs/gitml_feedback/data/data.0.log"
    line = path.read_text().replace('"instance": 0', f'"instance": {value}')
    path.write_text(path.read_text() + line)
    run, data = gitml("--reference", "ref.csv", "--current", "logs")
    assert run.code == 0, run
    assert data["current"]["broken_lines"] == 1 and data["rows"]["labelled"] == 1


def test_feedback_labels_that_are_not_the_models_classes_are_skipped_and_counted(gitml, tmp_path):
    """Before: scikit-learn's ValueError (exit 3) for NaN, "malignant", -1 and [1]."""
    reference = frame(300, 1).assign(target=lambda d: (d["x1"] > 0).astype(int))
    reference.to_csv(tmp_path / "ref.csv", index=False)
    current = frame(60, 2)
    truth = (current["x1"] > 0).astype(int).tolist()
    write_logs(tmp_path / "logs", current, truth, [[0.1, 0.9] if t else [0.9, 0.1] for t in truth])
    write_feedback(tmp_path / "logs", [(f"req-{i}", truth[i]) for i in range(40)])
    path = tmp_path / "logs/gitml_feedback/data/data.0.log"
    hostile = ["NaN", '"malignant"', "-1", "[1]", "{}", "true", "1.5", "null"]
    lines = [
        json.dumps({"timestamp": "2026-11-03T00:00:00Z", "request_id": f"req-{50 + i}",
                    "instance": 0, "label": 0}).replace('"label": 0', f'"label": {label}')
        for i, label in enumerate(hostile)
    ]  # fmt: skip
    path.write_text(path.read_text() + "\n".join(lines) + "\n")
    run, data = gitml("--reference", "ref.csv", "--current", "logs",
                      "--export-labelled", "new.csv")  # fmt: skip
    assert run.code == 0, run
    metrics = {m["name"]: m["current"] for m in data["performance"]["metrics"]}
    assert metrics["accuracy"] == 1.0  # on the 40 rows whose labels are classes
    assert data["performance"]["labelled_rows"] == 40
    assert (
        "8 feedback label(s) are not among the model's classes 0, 1 and were skipped "
        "(for example NaN)" in data["errors"]
    )
    exported = pd.read_csv(tmp_path / "new.csv")
    assert len(exported) == 40 and sorted(set(exported["target"])) == [0, 1]
    assert "wrote 40 labelled row(s) to new.csv; 8 left out" in run.err


def hostile_column(tmp_path: Path, values: list, suffix: str = ".csv") -> Path:
    current = frame(200, 2)
    current["x1"] = current["x1"].astype(object)
    for index, value in enumerate(values):
        current.loc[index, "x1"] = value
    path = tmp_path / f"cur{suffix}"
    if suffix == ".csv":
        current.to_csv(path, index=False)
    else:
        rows = current.to_dict(orient="records")
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize(
    ("values", "suffix", "left_out"),
    [
        ([math.inf], ".csv", 1),  # "autodetected range of [..., inf] is not finite"
        ([-math.inf, math.inf], ".jsonl", 2),
        ([1e308, -1e308], ".csv", 0),  # "Too many bins for data range"
        ([1e308] * 200, ".csv", 0),
        ([10**400], ".jsonl", 1),  # OverflowError: int too large to convert to float
        (["1" * 400], ".csv", 1),
    ],
)
def test_extreme_numbers_in_a_feature_are_tested_or_left_out_never_a_crash(
    gitml, tmp_path, values, suffix, left_out
):
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    path = hostile_column(tmp_path, values, suffix)
    run, data = gitml("--reference", "ref.csv", "--current", path.name)
    assert run.code == 0, run
    x1 = features_by_name(data)["x1"]
    assert x1["status"] in ("ok", "drift"), x1
    problems = [e for e in data["errors"] if e.startswith("x1:")]
    if left_out:
        assert problems == [
            f"x1: {left_out} current value(s) are not finite numbers (left out of the test)"
        ]
    else:
        assert problems == []
    if len(values) == 200:  # every value moved to 1e308: that is drift
        assert x1["status"] == "drift"


def test_a_reference_with_extreme_numbers_is_tested(gitml, tmp_path):
    reference = frame(300, 1)
    reference.loc[0, "x1"], reference.loc[1, "x1"] = 1.7e308, -1.7e308
    reference.to_csv(tmp_path / "ref.csv", index=False)
    frame(2000, 2).to_csv(tmp_path / "cur.csv", index=False)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.gitml.monitor.features.x1]\ntest = 'wasserstein'\n"
        "[tool.gitml.monitor.features.x2]\ntest = 'jensenshannon'\n"
    )
    run, data = gitml("--reference", "ref.csv", "--current", "cur.csv")
    assert run.code == 0, run
    assert features_by_name(data)["x1"]["status"] in ("ok", "drift")


@pytest.mark.parametrize("since", ["100000000d", "99999999999999999999s", "9999999999w"])
def test_an_age_beyond_the_calendar_is_a_usage_error(gitml, tmp_path, since):
    """Before: OverflowError "date value out of range" (exit 3)."""
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    frame(20, 2).to_csv(tmp_path / "cur.csv", index=False)
    run, _data = gitml("--reference", "ref.csv", "--current", "cur.csv", "--since", since)
    assert run.code == 2, run
    assert f"'{since}' reaches back before the year 1" in run.err
    assert "Traceback" not in run.err and "unexpected" not in run.err


def test_a_missing_reference_names_the_reference_option(gitml, tmp_path):
    frame(20, 2).to_csv(tmp_path / "cur.csv", index=False)
    run, _data = gitml("--reference", "nope.csv", "--current", "cur.csv")
    assert run.code == 3
    assert run.err == (
        "ERROR: nope.csv does not exist; check --reference (or [tool.gitml.monitor] reference)\n"
    )
    (tmp_path / "folder").mkdir()
    run, _data = gitml("--reference", "folder", "--current", "cur.csv")
    assert run.code == 2
    assert "--reference" in run.err and "--current" not in run.err
