"""The sticky monitoring issue against the GitHub emulation: one issue per model and stage,
opened on drift, updated each run, closed when healthy, found across every page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from gitml.github_emulator import GitHubEmulator
from gitml.monitor.issue import LABEL

REPO = "octo/ml"
TOKEN = "ghs_monitor_write_token"
READ_ONLY = "ghs_monitor_read_only_token"
MARKER = "<!-- gitml:monitor id=classifier.prod -->"


@pytest.fixture
def emulator():
    with GitHubEmulator() as emu:
        emu.add_token(TOKEN)
        emu.add_token(READ_ONLY, write=False)
        emu.add_repo(REPO)
        yield emu


@pytest.fixture
def post(emulator, tmp_path: Path, monkeypatch, gitml_main):
    """Write a report with a verdict and run `gitml monitor-issue` on it; (exit code, out, err)."""
    monkeypatch.setenv("GITHUB_API_URL", emulator.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITML_GITHUB_WRITE_INTERVAL", "0")
    monkeypatch.setenv("GITML_GITHUB_RETRIES", "0")

    def run(verdict: str, text: str | None = None, model="classifier", stage="prod"):
        (tmp_path / "m.md").write_text(text or f"## gitml monitor: {verdict}\n")
        (tmp_path / "m.json").write_text(
            json.dumps({"verdict": verdict, "model": model, "stage": stage})
        )
        result = gitml_main("monitor-issue", str(tmp_path / "m.md"))
        return result.code, result.out, result.err

    return run


def ours(emulator) -> list[dict]:
    return [i for i in emulator.issues(REPO) if MARKER in i["body"]]


def test_one_issue_is_opened_on_drift_updated_closed_when_healthy_and_reopened(emulator, post):
    assert post("pass")[:2] == (0, "Healthy, and no monitoring issue is open: nothing to do.\n")
    assert emulator.issues(REPO) == []

    code, out, _ = post("drift", "## drift run 1\n")
    assert code == 0 and out.startswith("Created monitoring issue #1: ")
    [issue] = ours(emulator)
    assert issue["title"] == "gitml monitor: classifier in prod"
    assert issue["labels"] == [LABEL] and issue["state"] == "open"
    assert issue["body"] == f"## drift run 1\n\n{MARKER}\n"

    assert post("fail", "## drift run 2\n")[1].startswith("Updated monitoring issue #1")
    assert post("pass", "## healthy\n")[1].startswith("Closed monitoring issue #1")
    [issue] = ours(emulator)
    assert issue["state"] == "closed" and issue["body"].startswith("## healthy")
    assert post("pass", "## still healthy\n")[1].startswith("Updated monitoring issue #1")
    assert ours(emulator)[0]["state"] == "closed"
    assert post("drift", "## again\n")[1].startswith("Reopened monitoring issue #1")
    assert [(i["number"], i["state"]) for i in ours(emulator)] == [(1, "open")]
    # another stage of the same model gets its own issue
    assert post("drift", model="classifier", stage="staging")[1].startswith(
        "Created monitoring issue #2"
    )


def test_the_issue_is_found_beyond_the_first_pages(emulator, post):
    post("drift")
    for index in range(130):  # newer labelled issues push ours past the first page of 100
        emulator.add_issue_record(
            REPO,
            f"other {index}",
            "x",
            labels=[LABEL],
            login="github-actions[bot]",
            user_type="Bot",
        )
    code, out, _ = post("drift", "## second\n")
    assert code == 0 and out.startswith("Updated monitoring issue #1"), out
    assert len(ours(emulator)) == 1
    pages = [r for r in emulator.requests_to("GET", "*/issues") if r.query.get("labels") == LABEL]
    assert [r.query.get("state") for r in pages][-2:] == ["all", "all"]


def test_someone_quoting_the_marker_does_not_take_over_the_issue(emulator, post):
    emulator.add_issue_record(
        REPO, "a question", f"why this? {MARKER}", labels=[LABEL], login="mallory"
    )
    post("drift")
    issues = emulator.issues(REPO)
    assert [(i["number"], i["author"]["login"]) for i in issues] == [
        (1, "mallory"),
        (2, "github-actions[bot]"),
    ]
    assert issues[0]["body"] == f"why this? {MARKER}"


def test_a_read_only_token_is_one_clear_error_and_the_summary_still_has_the_report(
    emulator, post, monkeypatch, tmp_path
):
    monkeypatch.setenv("GITHUB_TOKEN", READ_ONLY)
    code, _, err = post("drift", "## the report\n")
    assert code == 3
    assert err.startswith("ERROR: GitHub answered 403") and "issues: write" in err
    assert len(err.splitlines()) == 1
    assert (tmp_path / "summary.md").read_text() == "## the report\n"
    assert emulator.issues(REPO) == []


def test_a_missing_report_is_a_usage_error(post, tmp_path, gitml_main):
    (tmp_path / "m.md").unlink(missing_ok=True)
    assert gitml_main("monitor-issue", str(tmp_path / "nope.md")).code == 2


def test_the_emulation_behaves_like_githubs_issue_api(emulator):
    api = f"{emulator.url}/repos/{REPO}"
    write = {"Authorization": f"token {TOKEN}"}
    emulator.add_pull(REPO, 1, head_sha="a" * 40)
    created = requests.post(
        f"{api}/issues", json={"title": "t", "body": "b", "labels": ["x"]}, headers=write
    )
    assert created.status_code == 201 and created.json()["number"] == 2
    assert requests.post(f"{api}/issues", json={"body": "b"}, headers=write).status_code == 422
    long = requests.post(f"{api}/issues", json={"title": "t", "body": "x" * 65_537}, headers=write)
    assert long.status_code == 422 and "body is too long" in long.text
    read_only = requests.post(
        f"{api}/issues", json={"title": "t"}, headers={"Authorization": f"token {READ_ONLY}"}
    )
    assert read_only.status_code == 403
    assert (
        requests.patch(f"{api}/issues/2", json={"state": "shut"}, headers=write).status_code == 422
    )
    closed = requests.patch(f"{api}/issues/2", json={"state": "closed"}, headers=write).json()
    assert closed["state"] == "closed" and closed["state_reason"] == "completed"
    # the list holds pull requests too, open by default, filtered by every label given
    listed = requests.get(f"{api}/issues", headers=write).json()
    assert [(i["number"], "pull_request" in i) for i in listed] == [(1, True)]
    every = requests.get(f"{api}/issues?state=all&labels=x", headers=write).json()
    assert [i["number"] for i in every] == [2]
    assert requests.get(f"{api}/issues?state=all&labels=x,y", headers=write).json() == []
    for index in range(35):
        emulator.add_issue_record(REPO, f"i{index}")
    first = requests.get(f"{api}/issues", headers=write)
    assert len(first.json()) == 30 and 'rel="next"' in first.headers["link"]
