"""The terminal rendering of a report: exact text for a known report."""

from __future__ import annotations

from gitml.core.model import DataChange, GateResult, LoadError, MetricRow, ParamRow, StageRun
from gitml.report.model import Report
from gitml.report.terminal import columns, render


def test_a_report_reads_as_aligned_text() -> None:
    report = Report(
        base="origin/main",
        head="workspace",
        metrics=[
            MetricRow(
                "metrics.json", "accuracy", 0.95, 0.91, -0.04, -0.0421, "higher", "regressed"
            ),
            MetricRow("metrics.json", "log_loss", 0.2, 0.1, -0.1, -0.5, "lower", "improved"),
        ],
        params=[ParamRow("params.yaml", "train.params.max_depth", 4, 8)],
        data=[DataChange("models/model.joblib", "modified", 2048, 4096)],
        gates=[
            GateResult("accuracy", "metrics.json:accuracy", "min 0.9", True, "0.91 >= 0.9"),
            GateResult(
                "accuracy", "metrics.json:accuracy", "max_regression 0.02", False, "-0.04 < -0.02"
            ),
        ],
        pipeline=[StageRun("train", "ran", 3.25), StageRun("evaluate", "restored", 0.1)],
        errors=[
            LoadError("metrics", "origin/main", "extra.json", "file not found"),
            LoadError("plots", "workspace", "roc.json", "file not found", hint="pull it first"),
        ],
    )
    assert render(report, html_path="report.html") == (
        "❌ gitml: 1 metrics file not loaded, 1 improved, 1 regressed, 1 of 2 gates failed, "
        "1 load error\n"
        "Comparing workspace against origin/main.\n"
        "\n"
        "Quality gates\n"
        "  FAIL  accuracy  max_regression 0.02  -0.04 < -0.02\n"
        "  pass  accuracy  min 0.9              0.91 >= 0.9\n"
        "\n"
        "Metrics\n"
        "          file          metric    base  head  change  relative\n"
        "  worse   metrics.json  accuracy  0.95  0.91  -0.04   -4.21%\n"
        "  better  metrics.json  log_loss  0.2   0.1   -0.1    -50.00%\n"
        "\n"
        "Not loaded (neither passed nor compared)\n"
        "  extra.json  origin/main  file not found\n"
        "\n"
        "Params changed\n"
        "  params.yaml  train.params.max_depth  4 -> 8\n"
        "\n"
        "Data changed\n"
        "  modified  models/model.joblib  2.0 KiB -> 4.0 KiB\n"
        "\n"
        "Pipeline\n"
        "  train     ran                      3.2s\n"
        "  evaluate  restored from run-cache  0.1s\n"
        "\n"
        "Load errors\n"
        "  plots  workspace  roc.json  file not found (pull it first)\n"
    )


def test_no_metrics_says_so() -> None:
    text = render(Report(base="main", head="workspace"))
    assert text == (
        "✅ gitml: 0 improved, 0 regressed, no gates\n"
        "Comparing workspace against main.\n"
        "\n"
        "Metrics\n"
        "  No metrics found on either revision.\n"
    )


def test_columns_pad_all_but_the_last() -> None:
    assert columns([["a", "long", "x"], ["bbb", "s", "yy"]]) == [
        "  a    long  x",
        "  bbb  s     yy",
    ]
    assert columns([]) == []
