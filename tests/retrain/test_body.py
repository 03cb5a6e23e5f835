"""The retraining's words: commit message, pull request body with the monitoring summary."""

from __future__ import annotations

import json

from gitml.core.model import StageRun
from gitml.retrain import body
from gitml.retrain.append import Appended
from gitml.retrain.branch import RetrainCommit
from gitml.retrain.summary import read_summary

MONITOR_REPORT = {
    "model": "classifier",
    "version": "v0.2.0",
    "stage": "prod",
    "rows": 1000,
    "verdict": "drift",
    "dataset_drift": False,
    "share_drifted": 0.1,
    "features": [
        {
            "name": "mean_radius",
            "kind": "numeric",
            "test": "ks",
            "statistic": 0.31,
            "p_value": 0.0001,
            "threshold": 0.05,
            "drifted": True,
        },
        {
            "name": "mean_area",
            "kind": "numeric",
            "test": "ks",
            "statistic": 0.02,
            "p_value": 0.8,
            "threshold": 0.05,
            "drifted": False,
        },
    ],
    "performance": {"rows": 52, "metrics": {"accuracy": {"current": 0.88, "registered": 0.958}}},
}


def test_the_commit_message_names_the_rows_their_source_and_the_reproduction():
    appended = Appended(added=30, duplicates=4, repeated=1, rows_before=569)
    stages = "prepare ran, train ran, evaluate ran"
    message = body.commit_message("classifier", "data/d.csv", appended, (("w1.csv", 35),), stages)
    assert message == (
        "Retrain classifier: add 30 labelled rows to data/d.csv\n\n"
        "From w1.csv (35 rows); 5 duplicate row(s) dropped. The dataset grows from 569 to 599 "
        "rows.\n"
        "The pipeline was reproduced on the new data (prepare ran, train ran, evaluate ran): "
        "dvc.lock and the metrics in this commit describe the retrained model, which is on the "
        "DVC remote.\n\n"
        "Gitml-Retrain: classifier\nGitml-Dataset: data/d.csv\nGitml-Rows-Added: 30\n"
        "Gitml-Rows-Dropped: 5\nGitml-Rows-Total: 599\nGitml-Source: w1.csv (35 rows)\n"
        "Gitml-Pipeline: reproduced\n"
    )
    data_only = body.commit_message("classifier", "data/d.csv", appended, (("w1.csv", 35),))
    assert (
        "The pipeline was not reproduced (--no-repro): dvc.lock still names the model trained "
        "before these rows, and gitml promote refuses this commit until it is.\n"
    ) in data_only
    assert data_only.endswith("Gitml-Pipeline: not reproduced\n")


def test_the_body_says_whether_the_branch_holds_the_retrained_model():
    reproduced = RetrainCommit("a" * 40, "2026-11-29", 30, 5, 599, ("w1.csv",), reproduced=True)
    data_only = RetrainCommit("b" * 40, "2026-11-30", 12, 0, 611, ("w2.csv",), reproduced=False)
    fresh = body.pr_body("classifier", "data/d.csv", "data.dvc", "main", [reproduced], None)
    assert "The pipeline was reproduced on the new data in the same commit" in fresh
    assert "stale" not in fresh
    assert "| aaaaaaa | 2026-11-29 | 30 | 5 | 599 | reproduced | w1.csv |" in fresh
    stale = body.pr_body(
        "classifier", "data/d.csv", "data.dvc", "main", [reproduced, data_only], None
    )
    assert "**`dvc.lock` is stale:**" in stale and "`gitml promote` refuses" in stale
    assert "| bbbbbbb | 2026-11-30 | 12 | 0 | 611 | not reproduced | w2.csv |" in stale


def test_the_body_shows_drift_performance_and_every_data_commit(tmp_path):
    path = tmp_path / "monitor.json"
    path.write_text(json.dumps(MONITOR_REPORT))
    summary = body.summary_markdown(read_summary(path))
    commits = [
        RetrainCommit("a" * 40, "2026-11-29", 30, 5, 599, ("w1.csv (35 rows)",)),
        RetrainCommit("b" * 40, "2026-11-30", 12, 0, 611, ("w2.csv (12 rows)",)),
    ]
    text = body.pr_body("classifier", "data/d.csv", "data.dvc", "main", commits, summary)
    assert "added **42** labelled rows to `data/d.csv` (569 → 611 rows)" in text
    assert "| aaaaaaa | 2026-11-29 | 30 | 5 | 599 | - | w1.csv (35 rows) |" in text
    assert "**Verdict: drift** for `classifier` v0.2.0 (prod), 1000 rows monitored" in text
    assert "Drifted features: 1 of 2, share 0.10." in text
    assert "| mean\\_radius | ks | 0.31 | 0.05 |" in text and "mean_area" not in text
    assert "Performance on 52 labelled rows" in text and "| accuracy | 0.88 | 0.958 |" in text
    assert text.rstrip().endswith("<!-- gitml:retrain model=classifier -->")
    # a later run without --summary keeps this one
    assert body.previous_summary(text) == summary


def test_a_markdown_summary_is_shown_as_written_and_odd_json_is_not_a_crash(tmp_path):
    note = tmp_path / "note.md"
    note.write_text("Drift in **mean_radius** since Monday.\n")
    assert body.summary_markdown(read_summary(note)) == (
        "From `note.md`:\n\nDrift in **mean_radius** since Monday."
    )
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"verdict": "ok", "features": "none", "performance": [1, 2]}))
    assert body.summary_markdown(read_summary(odd)).startswith("**Verdict: ok** (from `odd.json`)")


def test_the_command_says_what_was_done():
    from gitml.commands.retrain import render, step_outputs
    from gitml.retrain.pull_request import PullRequest
    from gitml.retrain.retrain import Retrained

    result = Retrained(
        model="classifier",
        dataset="data/d.csv",
        dvc_file="data.dvc",
        branch="gitml/retrain/classifier-2026-11-29",
        appended=Appended(added=30, duplicates=4, repeated=1, rows_before=569),
        data_pushed=2,
        commit="c" * 40,
        pr_action="created",
        pr=PullRequest(3, "https://github.com/o/r/pull/3", "b", "t", "body"),
        pushed=True,
    )
    assert render(result) == [
        "Appended 30 row(s) to data/d.csv (569 -> 599); 5 duplicate(s) dropped.",
        "Pushed 2 file(s) to the DVC remote, committed data.dvc (cccccccccccc) and pushed branch "
        "gitml/retrain/classifier-2026-11-29.",
        "Not reproduced (--no-repro): the branch's dvc.lock is stale, so gitml promote refuses "
        "it until the pipeline is reproduced and dvc.lock committed.",
        "Opened pull request #3: https://github.com/o/r/pull/3",
    ]
    result.reproduced, result.data_pushed = True, 9
    result.stages = [StageRun("prepare", "ran", 1.0), StageRun("train", "restored", 0.1)]
    result.committed = ["data.dvc", "dvc.lock", "metrics.json"]
    assert render(result)[1:3] == [
        "Reproduced the pipeline on the new data: prepare ran, train restored.",
        "Pushed 9 file(s) to the DVC remote, committed data.dvc, dvc.lock, metrics.json "
        "(cccccccccccc) and pushed branch gitml/retrain/classifier-2026-11-29.",
    ]
    result.pushed = False  # --prepare: committed, for --publish to push
    assert render(result)[2] == (
        "Pushed 9 file(s) to the DVC remote, committed data.dvc, dvc.lock, metrics.json "
        "(cccccccccccc) for branch gitml/retrain/classifier-2026-11-29 (not pushed yet)."
    )
    assert render(Retrained(nothing="Nothing to do: a.csv has no rows.")) == [
        "Nothing to do: a.csv has no rows."
    ]
    assert step_outputs(result) == {
        "branch": "gitml/retrain/classifier-2026-11-29",
        "commit": "c" * 40,
        "pr-number": "3",
        "pr-url": "https://github.com/o/r/pull/3",
    }
    assert step_outputs(Retrained(nothing="Nothing to do: a.csv has no rows.")) == {
        "branch": "",
        "commit": "",
        "pr-number": "",
        "pr-url": "",
    }
