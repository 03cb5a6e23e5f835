"""`gitml demo` end to end: real git, DVC, training, GTO tags, BentoML build and HTTP serving, and
the GitHub emulation, all in one temporary folder; then a second run in the same folder."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from gitml.demo.steps import SHIFT
from tests.browser import open_in_browser
from tests.cli import CliResult, run_gitml
from tests.helpers import REPO_ROOT, git


def demo(folder: Path, *args: str) -> CliResult:
    return run_gitml("demo", "--dir", str(folder), *args, cwd=folder.parent, timeout=900)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliResult]:
    folder = tmp_path_factory.mktemp("demo") / "gitml-demo"
    result = demo(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder, result


def test_the_reviewer_sees_the_report_in_the_terminal(finished, browser) -> None:
    folder, result = finished
    out = result.stdout
    assert "✅ gitml: 2 improved, 0 regressed, all gates pass" in out
    assert "params.yaml  train.params.max_depth  4 -> 8" in out
    assert "better  metrics.json  roc_auc    0.993291  0.994759  +0.001468  +0.15%" in out
    assert f"Plots (4: open {folder.resolve() / 'ci-pull-request' / 'report.html'})" in out
    page = open_in_browser(browser, folder / "ci-pull-request" / "report.html")
    page.assert_clean()
    assert "ROC curve" in page.text and len(page.charts) == 4


def test_the_data_is_the_reference_projects_byte_for_byte(finished) -> None:
    folder, _ = finished
    ours = yaml.safe_load((REPO_ROOT / "data.dvc").read_text())["outs"][0]["md5"]
    theirs = yaml.safe_load((folder / "workspace" / "data.dvc").read_text())["outs"][0]["md5"]
    assert theirs == ours


def test_one_sticky_comment_and_a_check_run_reached_github(finished) -> None:
    folder, result = finished
    state = json.loads((folder / "github" / "state.json").read_text())
    repo = state["repos"]["demo/breast-cancer"]
    comments = repo["issue_comments"]["1"]
    assert len(comments) == 1  # posted twice, updated in place
    assert "2 improved, 0 regressed, all gates pass" in comments[0]["body"]
    assert (folder / "github" / "pull-1-comment.md").read_text() == comments[0]["body"]
    assert [c["conclusion"] for c in repo["check_runs"]] == ["success", "success"]
    assert "gitml: 2 improved" in (folder / "github" / "job-summary.md").read_text()
    assert "/demo/breast-cancer/pull/1#issuecomment-" in result.stdout


def test_the_merge_promoted_the_model_with_gto_tags(finished) -> None:
    folder, _ = finished
    tags = set(git(folder / "origin.git", "tag", "--list").split())
    assert {
        "classifier@v0.1.0",
        "classifier#staging#1",
        "classifier@v0.2.0",
        "classifier#staging#2",
    } <= tags
    merge = git(folder / "origin.git", "rev-parse", "main")
    assert git(folder / "origin.git", "rev-parse", "classifier@v0.2.0^{commit}") == merge
    assert git(folder / "origin.git", "log", "-1", "--format=%s", "main") == (
        "Merge pull request #1 from experiment/deeper-trees"
    )


def test_the_served_model_answered_real_rows(finished) -> None:
    folder, result = finished
    lines = result.stdout.splitlines()
    header = lines.index("  row  actual     predicted  P(benign)")
    answers = lines[header + 1 : header + 6]
    assert [line.split()[0] for line in answers] == ["1", "2", "3", "4", "5"]
    assert all(line.split()[2] in ("benign", "malignant") for line in answers)
    assert "Promoted: classifier v0.2.0 in staging; Bento classifier:v0.2.0" in result.stdout
    assert (folder / "bentoml" / "bentos" / "classifier").is_dir()


def test_the_monitoring_step_flags_the_shifted_features_and_opens_one_issue(
    finished, browser
) -> None:
    folder, result = finished
    monitoring = folder / "monitoring"
    report = json.loads((monitoring / "report.json").read_text())
    drifted = {f["name"] for f in report["features"] if f["drifted"]}
    assert drifted == set(SHIFT)  # the shifted features, and no false alarm on the others
    assert report["stage"] == "staging" and report["version"] == "v0.2.0"
    assert report["verdict"] in ("drift", "fail")
    assert report["current"]["rows"] == 143  # the test split, every row logged once
    assert report["current"]["labelled_rows"] == 48  # every third row got its true label
    for name in SHIFT:
        assert f"  drifted: {name} (" in result.stdout
    assert "Monitoring the served model (shifted traffic and feedback):" in result.stdout

    state = json.loads((folder / "github" / "monitoring-state.json").read_text())
    issues = list(state["repos"]["demo/breast-cancer"]["issues"].values())
    assert [(i["state"], i["labels"]) for i in issues] == [("open", ["gitml-monitor"])]
    assert issues[0]["title"] == "gitml monitor: classifier in staging"
    body = (folder / "github" / "monitoring-issue.md").read_text()
    assert body == issues[0]["body"] and all(name in body for name in SHIFT)
    assert f"/demo/breast-cancer/issues/{issues[0]['number']}\n" in result.stdout

    page = open_in_browser(browser, monitoring / "report.html")
    page.assert_clean()
    assert all(page.charts.get(name) == 1 for name in SHIFT)  # each feature's distributions


def test_the_summary_lists_every_step_with_its_time(finished) -> None:
    _, result = finished
    summary = result.stdout[result.stdout.index("gitml demo: done in") :]
    for index in range(1, 11):
        assert f"\n  {index}.  " in summary
    assert "Serve the model and send it real rows" in summary
    assert "Monitor the served model: shifted traffic, feedback, drift" in summary
    assert "(earlier run)" not in summary
    assert "[8/10] Build the Bento and smoke-test it" in result.stderr
    assert "gitml smoke-test: 143 rows answered as the model does; a bad row got 400" in (
        result.stderr
    )


def test_a_second_run_resumes_and_serves_again(finished) -> None:
    folder, _ = finished
    again = demo(folder)
    assert again.returncode == 0, again.stdout + again.stderr
    for index in range(1, 11):
        assert f"[{index}/10] " in again.stderr
    # the monitoring step is done and kept: its logs, report and issue stay as they were
    assert again.stderr.count(": done earlier (") == 9
    assert "[9/10] Serve the model and send it real rows\n" in again.stderr
    assert "(resumed: steps done earlier were not run again)" in again.stdout
    assert "  row  actual     predicted  P(benign)" in again.stdout


def test_the_suggested_next_command_lists_both_versions(finished) -> None:
    _, result = finished
    lines = result.stdout.splitlines()
    command = lines[lines.index("Try next:") + 1].strip()
    assert command.endswith(" models")
    listed = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split()[:2] for line in listed.stdout.splitlines()[1:]]
    assert rows == [["v0.2.0", "staging"], ["v0.1.0", "-"]]


def test_a_real_failure_names_the_step_and_keeps_its_output(finished) -> None:
    # runs last: it breaks the folder. The Bento disappears from the store; serving must fail.
    folder, _ = finished
    shutil.rmtree(folder / "bentoml" / "bentos" / "classifier")
    broken = demo(folder)
    log = folder.resolve() / "logs" / "09-serve.log"
    assert broken.returncode == 3, broken.stderr
    assert broken.stderr.splitlines()[-1] == (
        "ERROR: demo step 9 (Serve the model and send it real rows) failed: bentoml serve exited "
        f"with code 1 before ready. Its output is in {log}. Fix the cause and run `gitml demo "
        f"--dir {folder.resolve()}` again to resume from this step"
    )
    assert "classifier:v0.2.0" in log.read_text()  # bentoml's own words are in the log
