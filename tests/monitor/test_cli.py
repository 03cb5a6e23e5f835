"""``gitml monitor`` end to end in process: files outside any repository, logs with feedback,
settings, --check, --export-labelled and every bad input ending in one clear line."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from tests.monitor_logs import START, frame, labelled_frame, write_feedback, write_logs

JSON_KEYS = {
    "model", "version", "stage", "reference", "current", "rows", "verdict", "reason", "dataset_drift",
    "share_drifted", "features", "prediction_drift", "performance", "gates", "chunks", "errors",
}  # fmt: skip
FEATURE_KEYS = {
    "name", "kind", "test", "statistic", "p_value", "threshold", "drifted", "status", "reason",
}  # fmt: skip


@pytest.fixture
def gitml(gitml_main, tmp_path, monkeypatch):
    """``gitml monitor ARGS`` in process, in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    return lambda *args: gitml_main("monitor", *args)


def files(tmp_path: Path, shift: dict | None = None, rows: int = 600) -> None:
    reference = frame(800, 10).assign(target=lambda d: (d["x1"] > 0).astype(int))
    reference.to_csv(tmp_path / "ref.csv", index=False)
    frame(rows, 13, shift).to_csv(tmp_path / "cur.csv", index=False)


def test_two_plain_files_outside_any_repository(gitml, tmp_path):
    files(tmp_path, {"x1": 0.8, "color": 1})
    run = gitml("--reference", "ref.csv", "--current", "cur.csv", "--json", "r.json", "-o", "r.md")
    assert run.code == 0, run
    data = json.loads((tmp_path / "r.json").read_text())
    assert set(data) == JSON_KEYS
    assert all(set(f) == FEATURE_KEYS for f in data["features"])
    assert data["verdict"] == "drift" and data["dataset_drift"] is True
    assert data["share_drifted"] == 0.5
    assert sorted(f["name"] for f in data["features"] if f["drifted"]) == ["color", "x1"]
    assert "target" not in {f["name"] for f in data["features"]}
    assert data["prediction_drift"] is None and data["performance"] is None
    text = (tmp_path / "r.md").read_text()
    assert text.startswith("## ⚠️ gitml monitor: dataset drift, 2 of 4 features drifted (50%)")
    assert "prediction drift is left out" in text and "performance is left out" in text
    # drifted features first, each with a histogram
    rows = [
        line for line in text.splitlines() if line.startswith("| 🔴") or line.startswith("| 🟢")
    ]
    assert [r.startswith("| 🔴") for r in rows] == [True, True, False, False]
    assert text.count("```mermaid") == 2


def step_outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_check_exits_1_on_drift_with_one_line_and_0_without(gitml, tmp_path, monkeypatch):
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    files(tmp_path, {"x1": 0.8, "color": 1})
    run = gitml("--reference", "ref.csv", "--current", "cur.csv", "--check", "-o", "r.md")
    assert run.code == 1
    assert run.err.strip().splitlines()[-1] == (
        "ERROR: dataset drift, 2 of 4 features drifted (50%)"
    )
    # written although --check failed the step: the workflow's later jobs read it
    assert step_outputs(outputs) == {"verdict": "drift"}
    outputs.unlink()
    files(tmp_path)
    run = gitml("--reference", "ref.csv", "--current", "cur.csv", "--check", "-o", "r.md")
    assert run.code == 0, run
    assert step_outputs(outputs) == {"verdict": "pass"}


def test_settings_tests_thresholds_and_gates(gitml, tmp_path):
    files(tmp_path, {"x1": 0.3})
    (tmp_path / "pyproject.toml").write_text(
        """
[tool.gitml.monitor]
reference = "ref.csv"
current = ["cur.csv"]
drift_share = 0.2

[tool.gitml.monitor.features.x1]
threshold = 0.000001

[[tool.gitml.monitor.gates]]
metric = "share_drifted"
max = 0.1
"""
    )
    run = gitml("--json", "r.json", "-o", "r.md", "--check")
    data = json.loads((tmp_path / "r.json").read_text())
    x1 = next(f for f in data["features"] if f["name"] == "x1")
    assert x1["threshold"] == 0.000001
    assert data["gates"] == [
        {"metric": "share_drifted", "rule": "max 0.1", "passed": x1["drifted"] is False
         or data["share_drifted"] <= 0.1, "detail": data["gates"][0]["detail"]}
    ]  # fmt: skip
    assert run.code == (1 if data["verdict"] in ("drift", "fail") else 0)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tool.gitml.monitor]\nrefrence = 'x'\n", "unknown key refrence in [tool.gitml.monitor]"),
        ("[tool.gitml.monitor.features.x1]\ntest = 'kss'\n", "test = 'kss': use one of ks,"),
        (
            "[tool.gitml.monitor.features.x1]\ntreshold = 1\n",
            "unknown key treshold in [tool.gitml.monitor.features.x1]",
        ),
        ("[[tool.gitml.monitor.gates]]\nmetric = 'acc'\nmin = 1\n", "metric = 'acc': use one of"),
        ("[tool.gitml.monitor]\nsample_rows = 0\n", "sample_rows must be a whole number >= 1"),
        (
            "[tool.gitml.monitor]\ncategorical_test = 'chi2'\n",
            "categorical_test = 'chi2': use one of 'two-sample', 'evidently'",
        ),
        ("[tool.gitml.monitor]\ntext = 'no'\n", "text = 'no': use one of 'test', 'skip'"),
        ("[tool.gitml.monitor]\nchunk = '1y'\n", "chunk = '1y' is not a chunk: use a period"),
        ("[tool.gitml.monitor]\nchunk = 0\n", "chunk = 0 is not a chunk"),
        ("[tool.gitml.monitor]\nuse_profile = true\n", "use_profile = True: use one of 'auto'"),
        ("[tool.gitml.monitor]\nprofile = ''\n", "profile must be a non-empty string"),
        ("[tool.gitml.monitor.features.x1]\nkind = 'words'\n", "kind = 'words': use one of"),
    ],
)
def test_bad_settings_are_usage_errors(gitml, tmp_path, toml, message):
    files(tmp_path)
    (tmp_path / "pyproject.toml").write_text(toml)
    run = gitml("--reference", "ref.csv", "--current", "cur.csv")
    assert run.code == 2, run
    assert run.err.startswith("ERROR: ") and message in run.err and len(run.err.splitlines()) == 1


def test_logs_with_feedback_give_performance_gates_and_the_labelled_export(
    gitml, tmp_path, monkeypatch
):
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    reference = frame(800, 10)
    reference["target"] = (reference["x1"] > 0).astype(int)
    reference.to_csv(tmp_path / "ref.csv", index=False)
    current = frame(200, 13)
    truth = (current["x1"] > 0).astype(int).tolist()
    predictions = [t if i % 4 else 1 - t for i, t in enumerate(truth)]  # 75% right
    probabilities = [[0.2, 0.8] if p else [0.9, 0.1] for p in predictions]
    records = write_logs(
        tmp_path / "logs", current, predictions, probabilities, workers=2, broken=2
    )
    # feedback for the first 100 rows; one logged row's features are not the model's
    write_feedback(tmp_path / "logs", [(f"req-{i}", truth[i]) for i in range(100)])
    odd = dict(records[0], request_id="odd", features={"x1": 0.5})
    with open(tmp_path / "logs/gitml_predictions/data/data.0.log", "a") as handle:
        handle.write(json.dumps(odd) + "\n")
    write_feedback(tmp_path / "logs", [("odd", 1)], worker=1)
    (tmp_path / "pyproject.toml").write_text(
        "[[tool.gitml.monitor.gates]]\nmetric = 'accuracy'\nmin = 0.9\n"
        "[[tool.gitml.monitor.gates]]\nmetric = 'roc_auc'\nmax_regression = 0.1\n"
    )
    run = gitml("--reference", "ref.csv", "--current", "logs", "--json", "r.json", "-o", "r.md",
                "--check", "--export-labelled", "new.csv")  # fmt: skip
    assert run.code == 1, run
    data = json.loads((tmp_path / "r.json").read_text())
    metrics = {m["name"]: m["current"] for m in data["performance"]["metrics"]}
    assert metrics["accuracy"] == pytest.approx(
        sum(p == t for p, t in zip(predictions[:100], truth[:100], strict=True)) / 101, abs=0.01
    )
    assert data["performance"]["labelled_rows"] == 101
    assert data["performance"]["estimated_accuracy"] == pytest.approx(
        (sum(0.8 if p else 0.9 for p in predictions) + max(probabilities[0])) / 201
    )
    assert [(g["metric"], g["passed"]) for g in data["gates"]] == [
        ("accuracy", False),
        ("roc_auc", None),  # no registered metrics outside a stage: not evaluated
    ]
    assert data["verdict"] == "fail" and data["current"]["broken_lines"] == 3
    assert "3 broken line(s) in the logs were skipped" in data["errors"]
    exported = pd.read_csv(tmp_path / "new.csv")
    assert list(exported.columns) == ["x1", "x2", "x3", "color", "target"]
    assert len(exported) == 100 and list(exported["target"]) == truth[:100]
    assert "wrote 100 labelled row(s) to new.csv; 1 left out" in run.err
    assert "estimate" in (tmp_path / "r.md").read_text()
    # a failed gate and labelled rows: the monitoring workflow's retrain job is due
    assert step_outputs(outputs) == {"verdict": "fail", "labelled-rows": "100", "retrain": "true"}


def test_retraining_is_due_only_on_an_alarm_with_labelled_rows(gitml, tmp_path, monkeypatch):
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    reference = frame(800, 10).assign(target=lambda d: (d["x1"] > 0).astype(int))
    reference.to_csv(tmp_path / "ref.csv", index=False)

    def monitor(shift: dict | None, feedback: int) -> dict[str, str]:
        logs = tmp_path / f"logs-{bool(shift)}-{feedback}"
        current = frame(200, 13, shift)
        truth = (current["x1"] > 0).astype(int).tolist()
        write_logs(logs, current, truth, [[0.1, 0.9] if t else [0.9, 0.1] for t in truth])
        write_feedback(logs, [(f"req-{i}", truth[i]) for i in range(feedback)])
        if outputs.exists():
            outputs.unlink()
        run = gitml("--reference", "ref.csv", "--current", str(logs), "-o", "r.md",
                    "--export-labelled", "new.csv")  # fmt: skip
        assert run.code == 0, run
        return step_outputs(outputs)

    drifted = {"x1": 0.8, "color": 1}
    assert monitor(drifted, 40) == {"verdict": "drift", "labelled-rows": "40", "retrain": "true"}
    assert monitor(drifted, 0) == {"verdict": "drift", "labelled-rows": "0", "retrain": "false"}
    assert monitor(None, 40) == {"verdict": "pass", "labelled-rows": "40", "retrain": "false"}


def test_an_empty_window_is_reported_not_a_crash(gitml, tmp_path):
    frame(100, 1).to_csv(tmp_path / "ref.csv", index=False)
    write_logs(tmp_path / "logs", frame(10, 2))
    since = (START + timedelta(days=9)).isoformat()
    run = gitml("--reference", "ref.csv", "--current", "logs", "--since", since, "--check",
                "--json", "r.json")  # fmt: skip
    assert run.code == 0, run
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["verdict"] == "empty" and data["features"] == []
    assert "the window holds no rows: nothing was tested" in data["errors"]
    assert "no rows in the window" in run.out


def test_all_missing_and_missing_columns_are_reported(gitml, tmp_path):
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    frame(200, 2).assign(x2=None).drop(columns=["x3"]).assign(extra=1).to_csv(
        tmp_path / "cur.csv", index=False
    )
    run = gitml("--reference", "ref.csv", "--current", "cur.csv", "--json", "r.json")
    assert run.code == 0, run
    errors = json.loads((tmp_path / "r.json").read_text())["errors"]
    assert "feature(s) missing in the current data: x3" in errors
    assert "column(s) in the current data that are not features (ignored): extra" in errors
    assert "x2: not tested: every value is missing in the current data" in errors


def test_a_large_current_is_sampled_and_the_report_says_so(gitml, tmp_path):
    frame(300, 1).to_csv(tmp_path / "ref.csv", index=False)
    frame(3000, 2).to_csv(tmp_path / "cur.csv", index=False)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.gitml.monitor]\nsample_rows = 1000\nchunk_rows = 256\n"
    )
    run = gitml("--reference", "ref.csv", "--current", "cur.csv")
    assert run.code == 0, run
    assert (
        "the current data has 3,000 rows: the tests ran on a seeded random sample of 1,000"
        in run.out
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--current", "cur.csv"],
            2,
            "nothing to compare with: pass --stage STAGE or --reference FILE",
        ),
        (["--stage", "prod", "--current", "cur.csv"], 2, "set [tool.gitml.monitor] reference"),
        (["--reference", "nope.csv", "--current", "cur.csv"], 3, "nope.csv does not exist"),
        (["--reference", "ref.csv"], 2, "no current data: pass --current PATH"),
        (
            ["--reference", "ref.csv", "--current", "cur.csv", "--since", "yesterday"],
            2,
            "is not a time",
        ),
        (
            ["--stage", "prod", "--reference", "ref.csv", "--current", "cur.csv"],
            2,
            "either --stage or --reference",
        ),
    ],
)
def test_unusable_requests_end_in_one_clear_line(gitml, tmp_path, args, code, message):
    files(tmp_path)
    run = gitml(*args)
    assert run.code == code, run
    assert message in run.err and "Traceback" not in run.err


def text_files(tmp_path: Path, shift: bool = False) -> None:
    """A free-text column beside one numeric feature; ``shift`` changes the vocabulary."""
    reference, current = labelled_frame(800, 21), labelled_frame(600, 22)
    if shift:
        current["comment"] = current["comment"].str.replace("word1", "refund", regex=False)
    reference[["x1", "comment"]].to_csv(tmp_path / "ref.csv", index=False)
    current[["x1", "comment"]].to_csv(tmp_path / "cur.csv", index=False)


def test_a_text_column_is_tested_as_text_never_as_categorical(gitml, tmp_path):
    text_files(tmp_path)
    run = gitml("--reference", "ref.csv", "--current", "cur.csv", "--json", "r.json")
    assert run.code == 0, run
    data = json.loads((tmp_path / "r.json").read_text())
    comment = next(f for f in data["features"] if f["name"] == "comment")
    # every text is new, so a category test would say p = 0: the domain classifier does not
    assert (comment["kind"], comment["test"], comment["drifted"]) == (
        "text", "domain_classifier", False,
    )  # fmt: skip
    assert 0.4 < comment["statistic"] < 0.6 and data["verdict"] == "pass"
    text_files(tmp_path, shift=True)
    run = gitml("--reference", "ref.csv", "--current", "cur.csv", "--json", "r.json")
    comment = next(f for f in json.loads((tmp_path / "r.json").read_text())["features"]
                   if f["name"] == "comment")  # fmt: skip
    assert comment["drifted"] is True and comment["statistic"] > 0.6


def test_text_can_be_left_untested_by_name(gitml, tmp_path):
    text_files(tmp_path, shift=True)
    (tmp_path / "pyproject.toml").write_text('[tool.gitml.monitor]\ntext = "skip"\n')
    run = gitml("--reference", "ref.csv", "--current", "cur.csv", "--json", "r.json", "-o", "r.md")
    assert run.code == 0, run
    data = json.loads((tmp_path / "r.json").read_text())
    comment = next(f for f in data["features"] if f["name"] == "comment")
    assert (comment["kind"], comment["test"], comment["drifted"]) == ("text", None, None)
    assert data["errors"] == []  # a choice, not a problem with the input
    notes = (tmp_path / "r.md").read_text().split("### Notes", 1)[1]
    assert '- comment: not tested: text (\\[tool.gitml.monitor\\] text = "skip")' in notes


def test_chunks_give_drift_and_the_estimate_over_time(gitml, tmp_path):
    frame(800, 10).to_csv(tmp_path / "ref.csv", index=False)
    # 2,880 rows one minute apart: two days, the second one shifted
    calm, moved = frame(1440, 13), frame(1440, 14, {"x1": 1.0, "color": 1})
    current = pd.concat([calm, moved], ignore_index=True)
    write_logs(tmp_path / "logs", current, probabilities=[[0.2, 0.8]] * len(current))
    run = gitml("--reference", "ref.csv", "--current", "logs", "--chunk", "1d", "--json", "r.json")
    assert run.code == 0, run
    chunks = json.loads((tmp_path / "r.json").read_text())["chunks"]
    assert [(c["chunk"], c["rows"], c["drifted"]) for c in chunks] == [
        ("2026-11-01", 1440, []),
        ("2026-11-02", 1440, ["x1", "color"]),
    ]
    assert chunks[0]["estimated_accuracy"] == pytest.approx(0.8)  # the confidence: no calibration
    run = gitml(
        "--reference", "ref.csv", "--current", "logs", "--chunk", "1000", "--json", "r.json"
    )
    chunks = json.loads((tmp_path / "r.json").read_text())["chunks"]
    assert [c["rows"] for c in chunks] == [1000, 1000, 880]
    assert [c["chunk"] for c in chunks] == ["rows 1-1,000", "rows 1,001-2,000", "rows 2,001-2,880"]


def test_chunks_by_time_need_times(gitml, tmp_path):
    files(tmp_path)
    run = gitml(
        "--reference", "ref.csv", "--current", "cur.csv", "--chunk", "1d", "--json", "r.json"
    )
    assert run.code == 0, run
    assert "--chunk 1d needs times, and the current data has none" in run.out
    assert json.loads((tmp_path / "r.json").read_text())["chunks"] == []
    bad = gitml("--reference", "ref.csv", "--current", "cur.csv", "--chunk", "daily")
    assert bad.code == 2 and "Invalid value for --chunk: 'daily' is not a chunk" in bad.err
