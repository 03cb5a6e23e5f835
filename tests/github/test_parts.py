"""The pure parts: marker and body, step summary and outputs, retry waits, artifact, verdict."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from gitml.core.github_output import write_outputs
from gitml.errors import UsageError
from gitml.github import artifact, checks, sticky
from gitml.github.client import RetrySettings, rate_limit_wait
from gitml.github.summary import append_step_summary, trim_to_bytes

from .conftest import HEAD_SHA, REPO


def test_body_ends_with_the_marker_and_replaces_an_earlier_one():
    body = sticky.compose("# Report\n\ntext\n", "gpu")
    assert body == "# Report\n\ntext\n\n<!-- gitml:report id=gpu -->\n"
    # a saved body posted again keeps one marker, for the id asked
    assert sticky.compose(body, "cpu") == "# Report\n\ntext\n\n<!-- gitml:report id=cpu -->\n"
    assert sticky.marker_id(body) == "gpu"
    assert sticky.strip_marker(body) == "# Report\n\ntext\n"


@pytest.mark.parametrize("bad", ["", "a b", "x-->", "-lead", "a" * 65, "ü"])
def test_ids_that_could_break_the_marker_are_refused(bad):
    with pytest.raises(UsageError):
        sticky.check_id(bad)


def test_trim_keeps_whole_lines_within_the_byte_limit():
    text = "".join(f"line {n} é\n" for n in range(1000))
    trimmed, was = trim_to_bytes(text, 2000, note="\n[trimmed]\n")
    assert was and len(trimmed.encode()) <= 2000
    assert trimmed.endswith("\n[trimmed]\n") and trimmed.split("\n[trimmed]")[0].endswith("é\n")
    assert trim_to_bytes("short", 2000) == ("short", False)


def test_step_summary_appends_within_the_limit(tmp_path):
    path = tmp_path / "summary.md"
    path.write_text("x" * 900)
    assert append_step_summary(path, "y\n" * 200, limit=1000) is True
    assert path.stat().st_size <= 1000
    assert path.read_text().startswith("x" * 900 + "\n")
    other = tmp_path / "other.md"
    assert append_step_summary(other, "# ok\n") is False
    assert other.read_text() == "# ok\n"


def test_outputs_single_and_multi_line(tmp_path):
    path = tmp_path / "out"
    write_outputs({"verdict": "pass", "comment-url": ""}, path)
    write_outputs({"notes": "a\nb"}, path)
    lines = path.read_text().splitlines()
    assert lines[:2] == ["verdict=pass", "comment-url="]
    assert lines[2].startswith("notes<<gitml_") and lines[3:5] == ["a", "b"]
    assert lines[5] == lines[2].split("<<")[1]


def test_rate_limit_waits_follow_the_headers():
    now = 1_000_000.0
    assert rate_limit_wait({"Retry-After": "7"}, now) == 7
    assert (
        rate_limit_wait({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1000030"}, now) == 31
    )
    # a reset in the past still waits the one second of uncertainty
    assert rate_limit_wait({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "999990"}, now) == 1
    assert rate_limit_wait({"X-RateLimit-Remaining": "12", "X-RateLimit-Reset": "1000030"}) is None
    http_date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
    assert 55 < rate_limit_wait({"Retry-After": http_date}) <= 60


def test_retry_settings_come_from_the_environment():
    settings = RetrySettings.from_env(
        {
            "GITML_GITHUB_RETRIES": "2",
            "GITML_GITHUB_MAX_WAIT": "0.5",
            "GITML_GITHUB_WRITE_INTERVAL": "0",
        }
    )
    assert (settings.retries, settings.max_wait, settings.write_interval) == (2, 0.5, 0)
    assert RetrySettings.from_env({}) == RetrySettings()
    with pytest.raises(UsageError, match="GITML_GITHUB_MAX_WAIT must be a non-negative number"):
        RetrySettings.from_env({"GITML_GITHUB_MAX_WAIT": "soon"})


def test_pr_file_round_trip_and_refusals(tmp_path):
    saved = artifact.PrFile(REPO, 7, HEAD_SHA, "gpu", "fail", "forbidden")
    report = artifact.write_artifact(tmp_path / "a", "body\n", saved, None)
    assert report.read_text() == "body\n"
    back = artifact.read_saved(tmp_path / "a" / "pr.json", report, None)
    assert (back.pr_file, back.body, back.verdict_path) == (saved, "body\n", None)

    def refused(**change):
        data = json.loads((tmp_path / "a" / "pr.json").read_text())
        data.update(change)
        path = tmp_path / "bad.json"
        with pytest.raises(UsageError, match=r"is not a gitml pr\.json"):
            artifact.parse_pr_file(json.dumps(data), path)

    refused(format="other/1")
    refused(pr="7; rm -rf /")
    refused(pr=True)
    refused(head_sha="$(id)")
    refused(id="x -->")
    refused(repository="../../etc")
    refused(run="echo")
    refused(pr=None, head_sha=None)


def test_verdict_json(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(
        json.dumps(
            {
                "verdict": "fail",
                "gates": [
                    {"metric": "acc", "rule": "min", "passed": False, "detail": "0.8 < 0.9"},
                    {"metric": "f1", "rule": "max_regression", "passed": True, "detail": "ok"},
                ],
            }
        )
    )
    verdict = checks.load_verdict(path)
    assert checks.title(verdict) == "1 of 2 quality gates failed"
    assert checks.summary(verdict, "http://c") == (
        "**1 of 2 quality gates failed**\n\nFailing gates:\n\n- `acc` min: 0.8 < 0.9\n\n"
        "Full report: http://c\n"
    )
    path.write_text(json.dumps({"verdict": "maybe"}))
    with pytest.raises(UsageError, match='has no top-level "verdict"'):
        checks.load_verdict(path)


# -- a saved report is read only from inside its artifact directory -----------------------------


def saved_artifact(tmp_path):
    """An artifact directory as a fork PR's run leaves it: report.md, report.json, pr.json."""
    saved = artifact.PrFile(REPO, 7, HEAD_SHA, "default", "pass", "forbidden")
    folder = tmp_path / "gitml-report"
    report = artifact.write_artifact(folder, "# Report\n", saved, None)
    (folder / "report.json").write_text(json.dumps({"verdict": "pass", "gates": []}))
    return folder, report


def test_a_saved_report_reads_the_three_files(tmp_path):
    folder, report = saved_artifact(tmp_path)
    back = artifact.read_saved(folder / "pr.json", report, None)
    assert back.body == "# Report\n" and back.verdict_path == folder / "report.json"
    assert json.loads(back.verdict_text)["verdict"] == "pass"


@pytest.mark.parametrize("name", ["report.md", "pr.json", "report.json"])
def test_a_symlink_in_the_artifact_is_refused_before_reading(tmp_path, name):
    folder, report = saved_artifact(tmp_path)
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / name).unlink()
    (folder / name).symlink_to(secret)
    with pytest.raises(UsageError, match="it is a symbolic link") as refused:
        artifact.read_saved(folder / "pr.json", report, None)
    assert "root:x" not in str(refused.value)


def test_a_symlinked_artifact_directory_is_refused(tmp_path):
    folder, _ = saved_artifact(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(folder)
    with pytest.raises(UsageError, match="is not a directory \\(or is a symbolic link\\)"):
        artifact.read_saved(link / "pr.json", link / "report.md", None)


@pytest.mark.parametrize(
    "outside",
    ["../secret.md", "sub/report.md", "/etc/passwd"],
    ids=["dot-dot", "subfolder", "absolute"],
)
def test_a_report_outside_the_artifact_directory_is_refused(tmp_path, outside):
    folder, _ = saved_artifact(tmp_path)
    (tmp_path / "secret.md").write_text("secret\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "report.md").write_text("nested\n")
    with pytest.raises(UsageError, match="refusing to read"):
        artifact.read_saved(folder / "pr.json", folder / outside, None)


def test_a_fifo_and_a_folder_are_not_regular_files(tmp_path):
    folder, report = saved_artifact(tmp_path)
    (folder / "report.json").unlink()
    os.mkfifo(folder / "report.json")  # opening it for reading would block without O_NONBLOCK
    with pytest.raises(UsageError, match="it is not a regular file"):
        artifact.read_saved(folder / "pr.json", report, None)
    (folder / "report.json").unlink()
    (folder / "report.json").mkdir()
    with pytest.raises(UsageError, match="it is not a regular file"):
        artifact.read_saved(folder / "pr.json", report, None)


def test_an_oversized_file_is_refused_by_its_size(tmp_path):
    folder, report = saved_artifact(tmp_path)
    with open(report, "wb") as big:
        big.truncate(artifact.MAX_REPORT + 1)  # sparse: the size is what gets checked
    with pytest.raises(UsageError, match=f"over the {artifact.MAX_REPORT:,} allowed"):
        artifact.read_saved(folder / "pr.json", report, None)


def test_a_report_that_is_not_utf8_is_refused(tmp_path):
    folder, report = saved_artifact(tmp_path)
    report.write_bytes(b"\xff\xfe report")
    with pytest.raises(UsageError, match="it is not UTF-8 text"):
        artifact.read_saved(folder / "pr.json", report, None)


def test_dot_dot_through_a_link_in_the_artifact_is_refused(tmp_path):
    # `gitml-report/out/../report.md` reads like report.md, but the kernel follows `out` first
    folder, _ = saved_artifact(tmp_path)
    elsewhere = tmp_path / "elsewhere" / "deep"
    elsewhere.mkdir(parents=True)
    (elsewhere.parent / "report.md").write_text("not the report\n")
    (folder / "out").symlink_to(elsewhere)
    with pytest.raises(UsageError, match="it is not directly inside"):
        artifact.read_saved(folder / "pr.json", folder / "out" / ".." / "report.md", None)


def test_a_relative_artifact_path_with_dot_dot_is_the_callers_choice(tmp_path, monkeypatch):
    folder, _ = saved_artifact(tmp_path)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    relative = Path("..") / folder.name
    back = artifact.read_saved(relative / "pr.json", relative / "report.md", None)
    assert back.body == "# Report\n"
