"""`gitml demo` end to end: real git, DVC, training, GTO tags, BentoML build and HTTP serving, and
the GitHub emulation, all in one temporary folder: pull request #1 (an experiment), monitoring,
pull request #2 (`gitml retrain`), three versions; then a second run in the same folder."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from gitml.core.markdown import cell
from gitml.demo.monitoring import SHIFT
from tests.browser import open_in_browser
from tests.cli import CliResult, run_gitml
from tests.helpers import REPO_ROOT, git

pytestmark = pytest.mark.slow(minutes=4)  # the whole loop: two PRs, three releases, serving


def demo(folder: Path, *args: str) -> CliResult:
    return run_gitml("demo", "--dir", str(folder), *args, cwd=folder.parent, timeout=1800)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliResult]:
    folder = tmp_path_factory.mktemp("demo") / "gitml-demo"
    result = demo(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    done = next(line for line in result.stdout.splitlines() if line.startswith("gitml demo: done"))
    print(f"\n{done}")  # the README's demo time is measured here
    return folder, result


def test_the_reviewer_sees_the_report_in_the_terminal(finished, browser) -> None:
    folder, result = finished
    out = result.stdout
    assert "✅ gitml: 2 improved, 0 regressed, all gates pass" in out
    assert "params.yaml  train.params.max_depth  4 -> 8" in out
    assert "better  metrics.json  roc_auc    0.993291  0.994759  +0.001468  +0.15%" in out
    report = folder.resolve() / "ci-pull-request-1" / "report.html"
    assert f"Plots (4: open {report})" in out
    page = open_in_browser(browser, report)
    page.assert_clean()
    assert "ROC curve" in page.text and len(page.charts) == 4


def test_the_data_is_the_reference_projects_byte_for_byte(finished) -> None:
    folder, _ = finished
    ours = yaml.safe_load((REPO_ROOT / "data.dvc").read_text())["outs"][0]["md5"]
    # the first version's data (main has the retrained rows now)
    first = git(folder / "origin.git", "show", "classifier@v0.1.0:data.dvc")
    theirs = yaml.safe_load(first)["outs"][0]["md5"]
    assert theirs == ours


def test_one_sticky_comment_and_a_check_run_reached_github(finished) -> None:
    folder, result = finished
    state = json.loads((folder / "github" / "pull-1-state.json").read_text())
    repo = state["repos"]["demo/breast-cancer"]
    comments = repo["issue_comments"]["1"]
    assert len(comments) == 1  # posted twice, updated in place
    assert "2 improved, 0 regressed, all gates pass" in comments[0]["body"]
    assert (folder / "github" / "pull-1-comment.md").read_text() == comments[0]["body"]
    assert [c["conclusion"] for c in repo["check_runs"]] == ["success", "success"]
    assert "gitml: 2 improved" in (folder / "github" / "pull-1-job-summary.md").read_text()
    assert "/demo/breast-cancer/pull/1#issuecomment-" in result.stdout


def test_each_merge_promoted_a_version_with_gto_tags(finished) -> None:
    folder, _ = finished
    origin = folder / "origin.git"
    tags = set(git(origin, "tag", "--list").split())
    assert {
        "classifier@v0.1.0",
        "classifier#staging#1",
        "classifier@v0.2.0",
        "classifier#staging#2",
        "classifier@v0.3.0",
        "classifier#staging#3",
    } <= tags
    merges = git(origin, "log", "--merges", "--format=%H %s", "main").splitlines()
    assert [line.split(" ", 1)[1] for line in merges] == [
        f"Merge pull request #2 from {retraining_branch(folder)}",
        "Merge pull request #1 from experiment/deeper-trees",
    ]
    second, first = (line.split()[0] for line in merges)
    assert git(origin, "rev-parse", "classifier@v0.2.0^{commit}") == first
    assert git(origin, "rev-parse", "classifier@v0.3.0^{commit}") == second
    assert git(origin, "rev-parse", "main") == second

    def model(tag: str) -> str:
        lock = yaml.safe_load(git(origin, "show", f"{tag}:dvc.lock"))
        outs = [out for stage in lock["stages"].values() for out in stage.get("outs", [])]
        return next(out["md5"] for out in outs if out["path"] == "models/model.joblib")

    # v0.3.0 is the model trained on the new rows, not v0.2.0's under a new name
    assert model("classifier@v0.3.0") != model("classifier@v0.2.0")


def test_the_served_models_answered_real_rows(finished) -> None:
    folder, result = finished
    lines = result.stdout.splitlines()
    headers = [
        i for i, line in enumerate(lines) if line == "  row  actual     predicted  P(benign)"
    ]
    assert len(headers) == 2  # v0.2.0, then the retrained v0.3.0
    for header in headers:
        answers = lines[header + 1 : header + 6]
        assert [line.split()[0] for line in answers] == ["1", "2", "3", "4", "5"]
        assert all(line.split()[2] in ("benign", "malignant") for line in answers)
    assert "rows of the test split (v0.2.0, staging):" in lines[headers[0] - 2]
    assert "rows of the test split (v0.3.0, staging):" in lines[headers[1] - 2]
    assert (folder / "bentoml" / "bentos" / "classifier" / "v0.3.0").is_dir()


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


def test_retraining_opens_pull_request_2_with_the_labelled_rows(finished) -> None:
    folder, result = finished
    labelled = (folder / "monitoring" / "labelled.csv").read_text().splitlines()
    assert len(labelled) == 1 + 48  # a header, and every row that got its true label
    assert labelled[0].split(",")[-1] == "target"
    branch = retraining_branch(folder)
    assert branch.startswith("gitml/retrain/classifier-")
    opened = json.loads((folder / "github" / "pull-2-opened-state.json").read_text())
    pulls = opened["repos"]["demo/breast-cancer"]["pulls"]
    assert {n: (p["state"], p["head_ref"]) for n, p in pulls.items()} == {
        "1": ("closed", "experiment/deeper-trees"),
        "2": ("open", branch),
    }
    body = (folder / "github" / "pull-2-body.md").read_text()
    assert "added **48** labelled rows to `data/breast_cancer.csv` (569 → 617 rows)" in body
    # the monitoring summary; feature names are data, escaped in the table (`mean\_radius`)
    assert all(f"| {cell(name)} | ks |" in body for name in SHIFT)
    assert f"on branch {branch}; pull request #2: http://127.0.0.1:" in result.stdout
    # the data reached the DVC remote before the branch pointed at it, and main has it now
    md5 = yaml.safe_load(git(folder / "origin.git", "show", "main:data.dvc"))["outs"][0]["md5"]
    assert (folder / "dvc-remote" / "files" / "md5" / md5[:2] / md5[2:]).is_file()
    # the pull request is gitml retrain's one commit: data, dvc.lock, metrics and plots
    origin = folder / "origin.git"
    commits = git(origin, "log", "--format=%H", f"main^1..{branch}").split()
    assert len(commits) == 1
    assert git(origin, "show", "--name-only", "--format=", commits[0]).split()[:3] == [
        "data.dvc",
        "dvc.lock",
        "metrics.json",
    ]
    assert "Gitml-Pipeline: reproduced" in git(origin, "log", "-1", "--format=%B", commits[0])
    assert "The pipeline was reproduced on the new data in the same commit" in body


def test_ci_on_pull_request_2_shows_the_data_change_and_the_new_metrics(finished, browser) -> None:
    folder, result = finished
    ci = folder / "ci-pull-request-2"
    report = json.loads((ci / "report.json").read_text())
    assert report["base"] == "origin/main" and report["verdict"] == "pass"
    changes = {change["path"]: change for change in report["data"]}
    assert changes["data/"]["change"] == "modified"
    assert changes["data/"]["head_size"] > changes["data/"]["base_size"]
    assert {row["name"] for row in report["metrics"]} >= {"accuracy", "roc_auc", "log_loss"}
    assert all(row["base"] is not None and row["head"] is not None for row in report["metrics"])
    assert "The report on pull request #2, as the reviewer reads it:" in result.stdout
    comment = (folder / "github" / "pull-2-comment.md").read_text()
    assert "| modified | data/ |" in comment and "### Metrics" in comment
    state = json.loads((folder / "github" / "pull-2-state.json").read_text())
    assert state["repos"]["demo/breast-cancer"]["issue_comments"]["2"][0]["body"] == comment
    page = open_in_browser(browser, ci / "report.html")
    page.assert_clean()
    assert len(page.charts) == 4


def test_the_summary_lists_every_step_both_pull_requests_and_three_versions(finished) -> None:
    folder, result = finished
    summary = result.stdout[result.stdout.index("gitml demo: done in") :]
    for index in range(1, 20):
        assert f"\n  {index}.  " in summary
    assert "Serve the retrained model and send it real rows" in summary
    assert (
        "gitml retrain: reproduced the pipeline on them (prepare ran (" in result.stderr
    )  # by gitml retrain itself: no step of the demo trains the retraining branch
    assert "Monitor the served model: shifted traffic, feedback, drift" in summary
    assert "(earlier run)" not in summary
    assert "Pull request #1 (Experiment: deeper trees, branch experiment/deeper-trees)" in summary
    assert "Pull request #2 (Retrain classifier" in summary
    assert f"branch {retraining_branch(folder)}): verdict " in summary
    versions = summary[summary.index("Versions of classifier:\n") :].splitlines()[1:4]
    assert [line.split()[0] for line in versions] == ["v0.1.0", "v0.2.0", "v0.3.0"]
    assert "pull request #2 merged, promoted to staging; Bento classifier:v0.3.0" in versions[2]
    assert "[8/19] Build the Bento of the model and smoke-test it" in result.stderr
    assert "gitml smoke-test: 143 rows answered as the model does; a bad row got 400" in (
        result.stderr
    )


def test_prod_is_validated_on_its_logged_traffic_promoted_and_rolled_back(finished, browser):
    folder, result = finished
    production = folder / "production"
    first = json.loads((production / "first" / "validate.json").read_text())
    assert (first["verdict"], first["champion"]) == ("smoke-tested", None)
    assert (
        first["notes"][-1]
        == "no version of classifier is in prod yet: there is no production traffic to compare with"
    )
    report = json.loads((production / "retrained" / "validate.json").read_text())
    assert report["candidate"]["version"] == "v0.3.0"
    assert report["champion"]["version"] == "v0.2.0"
    assert report["traffic"]["requests"] == 72  # the monitoring step's requests, all replayed
    assert report["traffic"]["labelled_rows"] == 48
    assert report["replay_fidelity"] == 1.0 and report["new_errors"] == 0
    assert report["verdict"] in ("pass", "fail")  # judged: enough traffic and feedback
    page = open_in_browser(browser, production / "retrained" / "validate.html")
    page.assert_clean()
    assert page.charts == {"latency": 1, "intervals": 1}

    origin = folder / "origin.git"
    prod_tags = sorted((t for t in git(origin, "tag", "--list").split() if "#prod#" in t),
                       key=lambda t: int(t.rsplit("#", 1)[1]))  # fmt: skip
    assert len(prod_tags) == 3  # v0.2.0, v0.3.0, the rollback to v0.2.0: nothing deleted
    message = git(origin, "for-each-ref", "--format=%(contents)", f"refs/tags/{prod_tags[1]}")
    assert f'"verdict":"{report["verdict"]}"' in message
    assert ("gitml-override: " in message) == (report["verdict"] != "pass")
    last = git(origin, "for-each-ref", "--format=%(contents)", f"refs/tags/{prod_tags[2]}")
    assert "(gitml rollback; was v0.3.0)" in last
    assert git(origin, "rev-parse", f"{prod_tags[2]}^{{commit}}") == git(
        origin, "rev-parse", "classifier@v0.2.0^{commit}"
    )
    out = result.stdout
    assert "gitml models --history --stage prod (after the rollback):" in out
    history = out[out.index("(after the rollback):") :].splitlines()[3:6]
    assert [line.split()[4] for line in history] == ["v0.2.0", "v0.3.0", "v0.2.0"]
    assert "then rolled back from v0.3.0 to v0.2.0" in out


def test_a_second_run_resumes_and_serves_again(finished) -> None:
    folder, _ = finished
    again = demo(folder)
    assert again.returncode == 0, again.stdout + again.stderr
    for index in range(1, 20):
        assert f"[{index}/19] " in again.stderr
    # everything but serving the model in production is done and kept
    assert again.stderr.count(": done earlier (") == 18
    assert "[17/19] Serve the retrained model and send it real rows\n" in again.stderr
    assert "(resumed: steps done earlier were not run again)" in again.stdout
    assert "  row  actual     predicted  P(benign)" in again.stdout


def test_the_suggested_next_command_lists_the_three_versions(finished) -> None:
    _, result = finished
    lines = result.stdout.splitlines()
    command = lines[lines.index("Try next:") + 1].strip()
    assert command.endswith(" models")
    listed = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split()[:2] for line in listed.stdout.splitlines()[1:]]
    # v0.2.0 is back in prod after the rollback
    assert rows == [["v0.3.0", "staging"], ["v0.2.0", "prod"], ["v0.1.0", "-"]]


def test_a_real_failure_names_the_step_and_keeps_its_output(finished) -> None:
    # runs last: it breaks the folder. The Bento disappears from the store; serving must fail.
    folder, _ = finished
    shutil.rmtree(folder / "bentoml" / "bentos" / "classifier")
    broken = demo(folder)
    log = folder.resolve() / "logs" / "17-serve-2.log"
    assert broken.returncode == 3, broken.stderr
    assert broken.stderr.splitlines()[-1] == (
        "ERROR: demo step 17 (Serve the retrained model and send it real rows) failed: bentoml "
        f"serve exited with code 1 before ready. Its output is in {log}. Fix the cause and run "
        f"`gitml demo --dir {folder.resolve()}` again to resume from this step"
    )
    assert "classifier:v0.3.0" in log.read_text()  # bentoml's own words are in the log


def retraining_branch(folder: Path) -> str:
    state = json.loads((folder / "gitml-demo.json").read_text())
    return state["facts"]["pulls"]["2"]["branch"]
