"""``gitml comment`` through the real CLI entry point, against the emulated GitHub."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from gitml.github_emulator import GitHubEmulator
from tests.cli import CliResult, run_gitml

from .conftest import HEAD_SHA, MERGE_SHA, PR, READ_ONLY_TOKEN, REPO, TOKEN, pull_request_event

MARKER = "<!-- gitml:report id=default -->"


@pytest.fixture
def gitml(gitml_main):
    """Run ``gitml ARGS`` in process through ``gitml.cli.main`` (its exit code and streams)."""
    return gitml_main


def gitml_process(*args: str, env: dict[str, str] | None = None) -> CliResult:
    """Run the installed ``gitml`` executable (real process, real exit code), ``env`` added."""
    return run_gitml(*args, env={**os.environ, **(env or {})}, timeout=120)


def write_report(path: Path, text: str, verdict: str | None = None, gates=None) -> Path:
    path.write_text(text, encoding="utf-8")
    if verdict is not None:
        data = {"verdict": verdict, "gates": gates or []}
        path.with_suffix(".json").write_text(json.dumps(data), encoding="utf-8")
    return path


def gitml_comments(emulator, number: int = PR) -> list[dict]:
    return [c for c in emulator.issue_comments(REPO, number) if "<!-- gitml:report" in c["body"]]


def outputs(env) -> dict[str, str]:
    lines = Path(env["GITHUB_OUTPUT"]).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


# -- the sticky comment --------------------------------------------------------------------------


def test_two_runs_with_250_earlier_comments_leave_one_comment_with_the_second_report(
    emulator, actions_env, tmp_path
):
    emulator.add_issue_comments(REPO, PR, 250, login="alice")
    report = write_report(tmp_path / "report.md", "# Report one\n")

    first = gitml_process("comment", str(report))
    assert first.code == 0, first
    assert first.err == ""
    assert first.out.startswith("Created the gitml comment (default) on pull request #7: ")
    assert len(emulator.requests_to("POST", "/repos/*/issues/7/comments")) == 1

    write_report(report, "# Report two\n")
    second = gitml_process("comment", str(report))
    assert second.code == 0, second
    assert second.out.startswith("Updated the gitml comment (default) on pull request #7: ")

    comments = emulator.issue_comments(REPO, PR)
    assert len(comments) == 251
    ours = gitml_comments(emulator)
    assert [c["body"] for c in ours] == [f"# Report two\n\n{MARKER}\n"]
    assert ours[0] is not None and comments[-1]["id"] == ours[0]["id"]  # on the last page
    # the second run read all three pages (100 a page) and patched, never posted
    pages = [r.query.get("page", "1") for r in emulator.requests_to("GET", "*/issues/7/comments")]
    assert pages == ["1", "2", "3", "1", "2", "3"]
    assert all(
        r.query["per_page"] == "100" for r in emulator.requests_to("GET", "*/issues/7/comments")
    )
    assert len(emulator.requests_to("POST", "*/issues/7/comments")) == 1
    (patch,) = emulator.requests_to("PATCH", "/repos/*/issues/comments/*")
    assert patch.json == {"body": f"# Report two\n\n{MARKER}\n"}
    assert outputs(actions_env)["comment-url"].endswith(f"#issuecomment-{ours[0]['id']}")


def test_two_ids_keep_two_independent_comments(emulator, actions_env, tmp_path, gitml):
    report = write_report(tmp_path / "report.md", "# CPU\n")
    assert gitml("comment", str(report), "--id", "cpu").code == 0
    write_report(report, "# GPU\n")
    assert gitml("comment", str(report), "--id", "gpu").code == 0
    write_report(report, "# CPU again\n")
    run = gitml("comment", str(report), "--id", "cpu")
    assert run.code == 0 and run.out.startswith("Updated the gitml comment (cpu)")

    bodies = [c["body"] for c in gitml_comments(emulator)]
    assert bodies == [
        "# CPU again\n\n<!-- gitml:report id=cpu -->\n",
        "# GPU\n\n<!-- gitml:report id=gpu -->\n",
    ]


def test_an_unchanged_report_is_not_sent_again(emulator, actions_env, tmp_path, gitml):
    report = write_report(tmp_path / "report.md", "# Same\n")
    assert gitml("comment", str(report)).code == 0
    run = gitml("comment", str(report))
    assert run.code == 0 and run.out.startswith("Unchanged: the gitml comment")
    assert emulator.requests_to("PATCH") == []


def test_someone_quoting_the_marker_does_not_take_over_the_comment(
    emulator, actions_env, tmp_path, gitml
):
    emulator.add_issue_comment(REPO, PR, f"I copied this:\n{MARKER}", login="mallory")
    report = write_report(tmp_path / "report.md", "# Report\n")
    assert gitml("comment", str(report)).code == 0
    comments = emulator.issue_comments(REPO, PR)
    assert comments[0]["body"] == f"I copied this:\n{MARKER}"
    assert comments[1]["author"] == {"login": "github-actions[bot]", "type": "Bot"}


def test_a_personal_token_matches_its_own_login(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    emulator.add_token("ghp_alice", login="alice", kind="user")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_alice")
    # a bot's gitml comment is not alice's
    emulator.add_issue_comment(
        REPO, PR, f"old\n\n{MARKER}\n", login="github-actions[bot]", user_type="Bot"
    )
    report = write_report(tmp_path / "report.md", "# One\n")
    assert gitml("comment", str(report)).code == 0
    write_report(report, "# Two\n")
    assert gitml("comment", str(report)).code == 0
    by_author = {c["author"]["login"]: c["body"] for c in gitml_comments(emulator)}
    assert by_author == {
        "github-actions[bot]": f"old\n\n{MARKER}\n",
        "alice": f"# Two\n\n{MARKER}\n",
    }


def test_duplicates_from_an_earlier_failure_are_removed(emulator, actions_env, tmp_path, gitml):
    for _ in range(2):
        emulator.add_issue_comment(
            REPO, PR, f"old\n\n{MARKER}\n", login="github-actions[bot]", user_type="Bot"
        )
    report = write_report(tmp_path / "report.md", "# New\n")
    run = gitml("comment", str(report))
    assert run.code == 0 and "Removed 1 duplicate gitml comment(s)." in run.out
    assert [c["body"] for c in gitml_comments(emulator)] == [f"# New\n\n{MARKER}\n"]


def test_another_bots_comment_with_the_marker_is_never_edited_or_deleted(
    emulator, actions_env, tmp_path, gitml
):
    # another app (or another tool copying gitml's marker) wrote a comment with the marker
    other = emulator.add_issue_comment(
        REPO, PR, f"not gitml's\n\n{MARKER}\n", login="other-app[bot]", user_type="Bot"
    )
    report = write_report(tmp_path / "report.md", "# One\n")
    first = gitml("comment", str(report))
    assert first.code == 0 and first.out.startswith("Created the gitml comment"), first
    write_report(report, "# Two\n")
    second = gitml("comment", str(report))
    assert second.code == 0 and second.out.startswith("Updated the gitml comment"), second
    by_author = [(c["author"]["login"], c["body"]) for c in gitml_comments(emulator)]
    assert by_author == [
        ("other-app[bot]", f"not gitml's\n\n{MARKER}\n"),
        ("github-actions[bot]", f"# Two\n\n{MARKER}\n"),
    ]
    touched = [r.path for r in emulator.requests if r.method in ("PATCH", "DELETE")]
    assert all(not path.endswith(f"/comments/{other['id']}") for path in touched), touched


def test_only_gitmls_own_duplicates_are_removed(emulator, actions_env, tmp_path, gitml):
    emulator.add_issue_comment(
        REPO, PR, f"theirs\n\n{MARKER}\n", login="other-app[bot]", user_type="Bot"
    )
    for _ in range(2):
        emulator.add_issue_comment(
            REPO, PR, f"old\n\n{MARKER}\n", login="github-actions[bot]", user_type="Bot"
        )
    run = gitml("comment", str(write_report(tmp_path / "report.md", "# New\n")))
    assert run.code == 0 and "Removed 1 duplicate gitml comment(s)." in run.out, run
    assert [(c["author"]["login"], c["body"]) for c in gitml_comments(emulator)] == [
        ("other-app[bot]", f"theirs\n\n{MARKER}\n"),
        ("github-actions[bot]", f"# New\n\n{MARKER}\n"),
    ]


# -- where to post ----------------------------------------------------------------------------


def test_enterprise_api_url_with_a_path_prefix(actions_env, tmp_path, gitml, monkeypatch):
    with GitHubEmulator(prefix="/api/v3") as ghe:
        ghe.add_token(TOKEN)
        ghe.add_repo(REPO)
        ghe.add_pull(REPO, PR, head_sha=HEAD_SHA)
        ghe.add_issue_comments(REPO, PR, 120)
        monkeypatch.setenv("GITHUB_API_URL", ghe.url)
        report = write_report(tmp_path / "report.md", "# GHE\n", verdict="pass")
        assert gitml("comment", str(report)).code == 0
        write_report(report, "# GHE 2\n", verdict="pass")
        run = gitml("comment", str(report))
        assert run.code == 0, run
        assert run.out.split(": ", 1)[1].startswith(f"{ghe.origin}/{REPO}/pull/7#issuecomment-")
        assert [c["body"] for c in ghe.issue_comments(REPO, PR)[120:]] == [f"# GHE 2\n\n{MARKER}\n"]
        assert ghe.check_runs(REPO)[-1]["conclusion"] == "success"
        # every request went under the prefix (the emulation answers 404 elsewhere)
        assert all(r.status < 400 or r.path == "/user" for r in ghe.requests), ghe.requests


def write_event(env, payload: dict, name: str) -> None:
    Path(env["GITHUB_EVENT_PATH"]).write_text(json.dumps(payload))
    os.environ["GITHUB_EVENT_NAME"] = name


def test_a_push_is_resolved_to_its_open_pull_request(emulator, actions_env, tmp_path, gitml):
    pushed = "c" * 40
    emulator.add_pull(REPO, 3, head_sha="d" * 40, commits=[pushed], state="closed")
    emulator.add_pull(REPO, 8, head_sha=pushed)
    write_event(actions_env, {"after": pushed, "ref": "refs/heads/feature"}, "push")
    report = write_report(tmp_path / "report.md", "# Pushed\n", verdict="pass")
    run = gitml("comment", str(report))
    assert run.code == 0, run
    assert "on pull request #8" in run.out
    assert [c["body"] for c in gitml_comments(emulator, 8)] == [f"# Pushed\n\n{MARKER}\n"]
    assert emulator.check_runs(REPO)[0]["head_sha"] == pushed
    assert emulator.requests_to("GET", f"/repos/{REPO}/commits/{pushed}/pulls")


def test_a_push_without_a_pull_request_comments_on_the_commit(
    emulator, actions_env, tmp_path, gitml
):
    pushed = "e" * 40
    emulator.add_commit(REPO, pushed)
    write_event(actions_env, {"after": pushed}, "push")
    report = write_report(tmp_path / "report.md", "# On main\n")
    run = gitml("comment", str(report))
    assert run.code == 0 and f"on commit {pushed[:7]}" in run.out
    write_report(report, "# On main, again\n")
    assert gitml("comment", str(report)).code == 0
    assert [c["body"] for c in emulator.commit_comments(REPO, pushed)] == [
        f"# On main, again\n\n{MARKER}\n"
    ]


def test_merged_pr_comments_on_the_pull_request_whose_merge_made_the_commit(
    emulator, actions_env, tmp_path, gitml
):
    """The release's validation report goes to the pull request that introduced the version:
    its merge commit is the version's commit. An open pull request containing the same commit
    (a branch made from main since) is not it; a report with validate's own verdicts is posted
    with --no-check."""
    released = "a1" * 20
    emulator.add_pull(REPO, 4, head_sha="b2" * 20)
    emulator.merge_pull(REPO, 4, merge_commit_sha=released)
    emulator.add_pull(REPO, 9, head_sha="c3" * 20, commits=[released])
    write_event(actions_env, {"inputs": {}}, "workflow_dispatch")
    report = write_report(tmp_path / "validate.md", "# Validated\n", verdict="inconclusive")
    marker = "<!-- gitml:report id=validate -->"
    args = ["comment", str(report), "--id", "validate", "--sha", released, "--no-check"]
    run = gitml(*args, "--merged-pr")
    assert run.code == 0, run
    assert "on pull request #4" in run.out
    [posted] = [c["body"] for c in emulator.issue_comments(REPO, 4)]
    assert posted == f"# Validated\n\n{marker}\n"
    assert emulator.check_runs(REPO) == [] and not emulator.issue_comments(REPO, 9)
    # without --merged-pr the open one is chosen, as on a push
    assert "on pull request #9" in gitml(*args).out
    # with --check, a verdict that is not pass/fail is refused as before
    refused = gitml("comment", str(report), "--sha", released, "--merged-pr")
    assert refused.code == 2 and "verdict" in refused.err


def test_pr_flag_overrides_the_event_and_reads_the_head_sha(emulator, actions_env, tmp_path, gitml):
    other_head = "f" * 40
    emulator.add_pull(REPO, 11, head_sha=other_head)
    report = write_report(tmp_path / "report.md", "# Eleven\n", verdict="fail")
    run = gitml("comment", str(report), "--pr", "11")
    assert run.code == 0, run
    assert gitml_comments(emulator, 11) and not gitml_comments(emulator, PR)
    assert emulator.check_runs(REPO)[0]["head_sha"] == other_head


# -- check runs and outputs -------------------------------------------------------------------


@pytest.mark.parametrize(("verdict", "conclusion"), [("pass", "success"), ("fail", "failure")])
def test_check_run_carries_the_verdict(emulator, actions_env, tmp_path, gitml, verdict, conclusion):
    gates = [
        {"metric": "acc", "rule": "min 0.9", "passed": verdict == "pass", "detail": "0.85"},
        {"metric": "f1", "rule": "max_regression 0.01", "passed": True, "detail": "+0.002"},
    ]
    report = write_report(tmp_path / "report.md", "# Gates\n", verdict=verdict, gates=gates)
    run = gitml("comment", str(report), "--id", "cpu")
    assert run.code == 0, run
    assert f'Check run "gitml / cpu": {conclusion}' in run.out
    (check,) = emulator.check_runs(REPO)
    assert (check["name"], check["head_sha"], check["status"], check["conclusion"]) == (
        "gitml / cpu",
        HEAD_SHA,
        "completed",
        conclusion,
    )
    assert ("`acc` min 0.9: 0.85" in check["output"]["summary"]) is (verdict == "fail")
    assert "f1" not in check["output"]["summary"]
    assert outputs(actions_env)["verdict"] == verdict
    summary = Path(actions_env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary == "# Gates\n"


UNLOADED = {
    "source": "metrics",
    "rev": "v2",
    "file": "results/train/metrics.json",
    "metric": None,
    "message": "failed to load directory ('results', 'train')",
    "hint": "remote 'store' cannot be reached: give this run access to it",
    "remote": "store",
}


def write_incomplete(path: Path) -> Path:
    path.write_text("# Metrics did not load\n", encoding="utf-8")
    data = {"verdict": "incomplete", "gates": [], "errors": [UNLOADED]}
    path.with_suffix(".json").write_text(json.dumps(data), encoding="utf-8")
    return path


def test_metrics_that_did_not_load_never_conclude_success(emulator, actions_env, tmp_path, gitml):
    """A required check passes on success, neutral and skipped: action_required blocks."""
    run = gitml("comment", str(write_incomplete(tmp_path / "report.md")))
    assert run.code == 0, run
    assert 'Check run "gitml": action_required' in run.out
    (check,) = emulator.check_runs(REPO)
    assert (check["status"], check["conclusion"]) == ("completed", "action_required")
    assert check["output"]["title"] == "1 metrics file did not load: nothing to pass"
    summary = check["output"]["summary"]
    assert "`results/train/metrics.json` at `v2`: remote 'store' cannot be reached" in summary
    assert outputs(actions_env)["verdict"] == "incomplete"


def test_metrics_that_did_not_load_set_an_error_status_for_a_personal_token(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    emulator.add_token("ghp_alice", login="alice", kind="user")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_alice")
    run = gitml("comment", str(write_incomplete(tmp_path / "report.md")))
    assert run.code == 0, run
    (status,) = emulator.statuses(REPO, HEAD_SHA)
    assert (status["state"], status["context"]) == ("error", "gitml")
    assert status["description"] == "1 metrics file did not load: nothing to pass"


def test_without_report_json_there_is_no_check_and_the_verdict_is_unknown(
    emulator, actions_env, tmp_path, gitml
):
    report = write_report(tmp_path / "report.md", "# No JSON\n")
    assert gitml("comment", str(report)).code == 0
    assert emulator.check_runs(REPO) == [] and emulator.requests_to("POST", "*/statuses/*") == []
    assert outputs(actions_env)["verdict"] == "unknown"


def test_a_personal_token_falls_back_to_a_commit_status(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    emulator.add_token("ghp_alice", login="alice", kind="user")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_alice")
    report = write_report(tmp_path / "report.md", "# PAT\n", verdict="fail")
    run = gitml("comment", str(report))
    assert run.code == 0, run
    assert 'Commit status "gitml": failure' in run.out
    (status,) = emulator.statuses(REPO, HEAD_SHA)
    assert (status["state"], status["context"]) == ("failure", "gitml")
    assert status["target_url"] == outputs(actions_env)["comment-url"]


# -- faults -----------------------------------------------------------------------------------


def test_a_read_only_token_from_a_fork_saves_the_report_and_exits_0(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    monkeypatch.setenv("GITHUB_TOKEN", READ_ONLY_TOKEN)
    write_event(actions_env, pull_request_event(fork=True), "pull_request")
    report = write_report(tmp_path / "report.md", "# From a fork\n", verdict="fail")
    run = gitml("comment", str(report))
    assert run.code == 0, run
    assert run.err.startswith(
        "WARNING: this token cannot write to the pull request #7 (a pull request from a fork? "
        "Resource not accessible by integration): the report is in the job summary and in "
        "gitml-report/report.md; post it with gitml's fork-safe workflow"
    )
    assert run.err.count("\n") == 1
    assert emulator.issue_comments(REPO, PR) == []
    # the token is read-only: no check run is attempted either
    assert emulator.requests_to("POST", "*/check-runs") == []
    saved = tmp_path / "gitml-report"
    assert (saved / "report.md").read_text() == f"# From a fork\n\n{MARKER}\n"
    assert json.loads((saved / "report.json").read_text())["verdict"] == "fail"
    assert json.loads((saved / "pr.json").read_text()) == {
        "format": "gitml-pr/1",
        "repository": REPO,
        "pr": PR,
        "head_sha": HEAD_SHA,
        "id": "default",
        "verdict": "fail",
        "reason": "forbidden",
    }
    assert Path(actions_env["GITHUB_STEP_SUMMARY"]).read_text() == "# From a fork\n"
    assert outputs(actions_env) == {"verdict": "fail", "comment-url": ""}


def test_the_fork_safe_workflow_posts_the_saved_report(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    monkeypatch.setenv("GITHUB_TOKEN", READ_ONLY_TOKEN)
    report = write_report(tmp_path / "report.md", "# Fork\n", verdict="pass")
    assert gitml("comment", str(report), "--id", "matrix-1").code == 0

    # later, on workflow_run (fork PRs have no pull_requests there), with a write token
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    write_event(
        actions_env, {"workflow_run": {"head_sha": HEAD_SHA, "pull_requests": []}}, "workflow_run"
    )
    run = gitml("comment", "gitml-report/report.md", "--pr-from", "gitml-report/pr.json")
    assert run.code == 0, run
    assert [c["body"] for c in gitml_comments(emulator)] == [
        "# Fork\n\n<!-- gitml:report id=matrix-1 -->\n"
    ]
    (check,) = emulator.check_runs(REPO)
    assert (check["name"], check["head_sha"], check["conclusion"]) == (
        "gitml / matrix-1",
        HEAD_SHA,
        "success",
    )


def test_a_502_then_success(emulator, actions_env, tmp_path, gitml):
    emulator.fail("POST", "/repos/*/issues/*/comments", 502)
    emulator.fail("GET", "/repos/*/issues/*/comments", 503)
    report = write_report(tmp_path / "report.md", "# Flaky\n")
    run = gitml("comment", str(report))
    assert run.code == 0, run
    assert [r.status for r in emulator.requests_to("GET", "*/comments")] == [503, 200]
    assert [r.status for r in emulator.requests_to("POST", "*/comments")] == [502, 201]
    assert len(gitml_comments(emulator)) == 1


def test_5xx_until_the_retries_run_out_is_one_error_line(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    monkeypatch.setenv("GITML_GITHUB_RETRIES", "2")
    monkeypatch.setenv("GITML_GITHUB_MAX_WAIT", "0")
    emulator.fail("GET", "*", 502, times=10)
    report = write_report(tmp_path / "report.md", "# Down\n")
    run = gitml("comment", str(report))
    assert (run.code, run.err) == (
        3,
        "ERROR: GitHub answered 502 while commenting on pull request #7, after 2 retries; "
        "run again later\n",
    )
    assert len(emulator.requests) == 3


@pytest.mark.parametrize(
    ("kind", "status"), [("primary", 403), ("primary", 429), ("secondary", 403), ("secondary", 429)]
)
def test_a_rate_limit_then_success_waits_as_asked(
    emulator, actions_env, tmp_path, gitml, kind, status
):
    # primary: x-ratelimit-reset is now, so gitml waits the one second of uncertainty;
    # secondary: retry-after: 1
    emulator.rate_limit("POST", "/repos/*/issues/*/comments", kind=kind, status=status)
    report = write_report(tmp_path / "report.md", "# Limited\n")
    run = gitml("comment", str(report))
    assert run.code == 0, run
    limited, accepted = emulator.requests_to("POST", "*/comments")
    assert (limited.status, accepted.status) == (status, 201)
    assert accepted.time - limited.time >= 0.9
    assert len(gitml_comments(emulator)) == 1


def test_a_rate_limit_longer_than_the_cap_fails_at_once(emulator, actions_env, tmp_path, gitml):
    emulator.rate_limit("GET", "*", kind="primary", reset_in=3600)
    report = write_report(tmp_path / "report.md", "# Limited\n")
    started = time.monotonic()
    run = gitml("comment", str(report))
    assert time.monotonic() - started < 5
    assert run.code == 3
    assert re.fullmatch(
        r"ERROR: GitHub rate limit while commenting on pull request #7: it asks to wait 360[01]s, "
        r"more than GITML_GITHUB_MAX_WAIT=5s; run again later or raise GITML_GITHUB_MAX_WAIT\n",
        run.err,
    ), run.err


def test_missing_pull_request_or_repository_is_one_line_and_exit_3(
    emulator, actions_env, tmp_path, gitml
):
    report = write_report(tmp_path / "report.md", "# R\n")
    run = gitml("comment", str(report), "--pr", "999")
    assert (run.code, run.err) == (
        3,
        f"ERROR: pull request #999 not found in {REPO} (404 while reading pull request #999)\n",
    )
    run = gitml("comment", str(report), "--repo", "octo/missing")
    assert (run.code, run.err) == (
        3,
        f"ERROR: repository octo/missing not found at {emulator.url} (or the token cannot see "
        "it); check GITHUB_REPOSITORY or --repo\n",
    )


def test_bad_credentials(emulator, actions_env, tmp_path, gitml, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_wrong")
    run = gitml("comment", str(write_report(tmp_path / "report.md", "# R\n")))
    assert (run.code, run.err) == (
        3,
        "ERROR: GitHub rejected the token (401 Bad credentials) while commenting on pull "
        "request #7; check GITHUB_TOKEN\n",
    )


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        (
            "GITHUB_TOKEN",
            "ERROR: no GitHub token: set GITHUB_TOKEN (in a workflow: env: "
            "GITHUB_TOKEN: ${{ github.token }})\n",
        ),
        (
            "GITHUB_REPOSITORY",
            "ERROR: no repository: set GITHUB_REPOSITORY or pass --repo OWNER/NAME\n",
        ),
    ],
)
def test_missing_token_or_repository_fails_before_any_request(
    emulator, actions_env, tmp_path, gitml, monkeypatch, unset, message
):
    monkeypatch.delenv(unset)
    run = gitml("comment", str(write_report(tmp_path / "report.md", "# R\n")))
    assert (run.code, run.err) == (2, message)
    assert emulator.requests == []


def test_a_body_over_the_limit_is_never_sent(emulator, actions_env, tmp_path, gitml):
    text = "x" * (65_536 - len(f"\n\n{MARKER}\n") + 1)
    report = write_report(tmp_path / "report.md", text, verdict="pass")
    run = gitml("comment", str(report))
    assert run.code == 3
    assert run.err == (
        "ERROR: the comment would be 65,537 characters, over GitHub's 65,536 limit, so it was not "
        "sent; the report is in the job summary and gitml-report/report.md. Shorten it (gitml "
        "report caps the Markdown at 64,000 characters)\n"
    )
    assert emulator.requests == []
    assert Path(actions_env["GITHUB_STEP_SUMMARY"]).read_text() == text + "\n"
    assert json.loads((tmp_path / "gitml-report" / "pr.json").read_text())["reason"] == "too-long"
    # one character less fits
    write_report(report, text[:-1], verdict="pass")
    assert gitml("comment", str(report)).code == 0


def test_dry_run_sends_nothing_and_writes_nothing(emulator, actions_env, tmp_path, gitml):
    report = write_report(tmp_path / "report.md", "# Dry\n", verdict="pass")
    run = gitml("comment", str(report), "--dry-run", "--id", "gpu")
    assert run.code == 0, run
    body = "# Dry\n\n<!-- gitml:report id=gpu -->\n"
    assert run.out.splitlines() == [
        "dry run: nothing is sent and no file is written",
        f"repository: {REPO} (API {emulator.url})",
        f"target: pull request #7, head {HEAD_SHA[:7]}",
        "comment: create or update the one marked <!-- gitml:report id=gpu --> "
        f"({len(body)} characters)",
        'check run: "gitml / gpu" success',
        f"step summary: append the report to {actions_env['GITHUB_STEP_SUMMARY']}",
        "outputs: verdict=pass, comment-url",
        "token: set",
    ]
    assert emulator.requests == []
    assert Path(actions_env["GITHUB_STEP_SUMMARY"]).read_text() == ""
    assert Path(actions_env["GITHUB_OUTPUT"]).read_text() == ""
    assert not (tmp_path / "gitml-report").exists()


def test_the_token_never_appears_in_output(emulator, actions_env, tmp_path):
    """Verbose runs (debug logs, tracebacks) of success and failure paths never print the token."""
    report = write_report(tmp_path / "report.md", "# Secret-free\n", verdict="fail")
    emulator.fail("POST", "*", 502)
    runs = [gitml_process("-v", "comment", str(report))]
    runs.append(gitml_process("-v", "comment", str(report), "--pr", "999"))
    emulator.rate_limit("GET", "*", reset_in=3600)
    runs.append(gitml_process("-v", "comment", str(report)))
    write_report(report, "# Changed, from a fork\n", verdict="fail")
    runs.append(gitml_process("-v", "comment", str(report), env={"GITHUB_TOKEN": READ_ONLY_TOKEN}))
    assert "WARNING: this token cannot write" in runs[-1].err
    runs.append(gitml_process("-v", "comment", str(report), "--dry-run"))
    assert [r.code for r in runs] == [0, 3, 3, 0, 0]
    assert "Authorization" in runs[0].err  # the debug log is there, masked
    for run in runs:
        for secret in (TOKEN, READ_ONLY_TOKEN, "SECRET"):
            assert secret not in run.out and secret not in run.err
    for path in [
        actions_env["GITHUB_STEP_SUMMARY"],
        actions_env["GITHUB_OUTPUT"],
        *map(str, (tmp_path / "gitml-report").iterdir()),
    ]:
        assert "SECRET" not in Path(path).read_text()


def test_unused_merge_sha_is_never_the_check_target(emulator, actions_env, tmp_path, gitml):
    report = write_report(tmp_path / "report.md", "# R\n", verdict="pass")
    assert gitml("comment", str(report)).code == 0
    assert all(run["head_sha"] != MERGE_SHA for run in emulator.check_runs(REPO))


def test_an_unreachable_api_is_one_line_and_exit_3(actions_env, tmp_path, monkeypatch):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = write_report(tmp_path / "report.md", "# R\n")
    run = gitml_process(
        "comment",
        str(report),
        env={"GITHUB_API_URL": f"http://127.0.0.1:{port}", "GITML_GITHUB_MAX_WAIT": "0"},
    )
    assert run.code == 3
    *retries, last = run.err.splitlines(keepends=True)
    assert (
        retries
        == [
            "WARNING gitml.github.client: no answer from GitHub to GET (NewConnectionError); "
            "retrying\n"
        ]
        * 2
    )
    assert last == (
        f"ERROR: cannot reach the GitHub API at http://127.0.0.1:{port} while commenting on "
        "pull request #7 (ConnectionError); check GITHUB_API_URL and the network\n"
    )


def test_fork_run_as_a_process_prints_one_warning_and_nothing_else(emulator, actions_env, tmp_path):
    report = write_report(tmp_path / "report.md", "# Fork\n", verdict="pass")
    run = gitml_process("comment", str(report), env={"GITHUB_TOKEN": READ_ONLY_TOKEN})
    assert run.code == 0 and run.out == "Verdict: pass\n"
    assert run.err.startswith("WARNING: this token cannot write") and run.err.count("\n") == 1


def test_no_pull_request_and_no_commit_is_a_usage_error(emulator, actions_env, tmp_path, gitml):
    write_event(actions_env, {"workflow_run": {"pull_requests": []}}, "workflow_run")
    run = gitml("comment", str(write_report(tmp_path / "report.md", "# R\n")))
    assert (run.code, run.err) == (
        2,
        "ERROR: no pull request or commit to comment on: pass --pr N or --sha SHA, or run in a "
        "pull_request or push workflow\n",
    )
    assert emulator.requests == []
    assert Path(actions_env["GITHUB_STEP_SUMMARY"]).read_text() == ""


@pytest.mark.parametrize(
    ("retry_after", "max_wait", "low", "high"),
    [
        ("1", "5", 0.9, 3.0),  # honoured
        ("600", "0.5", 0.4, 2.0),  # a 5xx's Retry-After is capped, not refused
    ],
)
def test_a_503_with_retry_after(
    emulator, actions_env, tmp_path, gitml, monkeypatch, retry_after, max_wait, low, high
):
    monkeypatch.setenv("GITML_GITHUB_MAX_WAIT", max_wait)
    emulator.fail("GET", "*/comments", 503, headers={"retry-after": retry_after})
    run = gitml("comment", str(write_report(tmp_path / "report.md", "# R\n")))
    assert run.code == 0, run
    failed, served = emulator.requests_to("GET", "*/comments")
    assert (failed.status, served.status) == (503, 200)
    assert low <= served.time - failed.time <= high


def _saved_fork_report(emulator, actions_env, tmp_path, gitml, monkeypatch) -> Path:
    """A fork PR's run for PR #7 at HEAD_SHA that could not comment: gitml-report/ is saved."""
    monkeypatch.setenv("GITHUB_TOKEN", READ_ONLY_TOKEN)
    report = write_report(tmp_path / "report.md", "# Fork\n", verdict="pass")
    assert gitml("comment", str(report)).code == 0
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return tmp_path / "gitml-report" / "pr.json"


def test_the_fork_safe_workflow_refuses_a_pr_json_for_another_commit(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    pr_json = _saved_fork_report(emulator, actions_env, tmp_path, gitml, monkeypatch)
    other = "c" * 40
    write_event(
        actions_env, {"workflow_run": {"head_sha": other, "pull_requests": []}}, "workflow_run"
    )
    run = gitml("comment", "gitml-report/report.md", "--pr-from", str(pr_json))
    assert (run.code, run.err) == (
        2,
        f"ERROR: {pr_json} is for commit {HEAD_SHA[:12]}, but the run that saved it ran on "
        f"{other[:12]}; refusing to post it\n",
    )
    assert gitml_comments(emulator) == []


def test_the_fork_safe_workflow_posts_nothing_on_another_pull_request(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    # the fork's code rewrote pr.json to aim its text at PR #8, whose head is another commit
    pr_json = _saved_fork_report(emulator, actions_env, tmp_path, gitml, monkeypatch)
    emulator.add_pull(REPO, 8, head_sha="d" * 40)
    data = json.loads(pr_json.read_text())
    pr_json.write_text(json.dumps({**data, "pr": 8}))
    write_event(
        actions_env, {"workflow_run": {"head_sha": HEAD_SHA, "pull_requests": []}}, "workflow_run"
    )
    writes_before = len(emulator.requests_to("POST", "*"))
    run = gitml("comment", "gitml-report/report.md", "--pr-from", str(pr_json))
    assert run.code == 0, run
    assert run.err == (
        f"WARNING: pull request #8 is at {'d' * 12}, not at {HEAD_SHA[:12]} where this report "
        "was made (a newer push, or a pr.json naming another pull request): not posted\n"
    )
    assert emulator.issue_comments(REPO, 8) == [] and gitml_comments(emulator) == []
    assert emulator.check_runs(REPO) == []
    assert len(emulator.requests_to("POST", "*")) == writes_before


def test_the_fork_safe_workflow_refuses_a_pr_json_for_another_repository(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    pr_json = _saved_fork_report(emulator, actions_env, tmp_path, gitml, monkeypatch)
    pr_json.write_text(json.dumps({**json.loads(pr_json.read_text()), "repository": "evil/ml"}))
    write_event(
        actions_env, {"workflow_run": {"head_sha": HEAD_SHA, "pull_requests": []}}, "workflow_run"
    )
    writes_before = len(emulator.requests_to("POST", "*"))
    run = gitml("comment", "gitml-report/report.md", "--pr-from", str(pr_json))
    assert (run.code, run.err) == (
        2,
        f"ERROR: {pr_json} is for evil/ml, not {REPO}; refusing to post it\n",
    )
    assert len(emulator.requests_to("POST", "*")) == writes_before


def test_the_fork_safe_workflow_refuses_a_report_linked_outside_the_artifact(
    emulator, actions_env, tmp_path, gitml, monkeypatch
):
    # the fork's run replaced report.md by a link to a file of the runner that posts it
    pr_json = _saved_fork_report(emulator, actions_env, tmp_path, gitml, monkeypatch)
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    report = pr_json.parent / "report.md"
    report.unlink()
    report.symlink_to(secret)
    write_event(
        actions_env, {"workflow_run": {"head_sha": HEAD_SHA, "pull_requests": []}}, "workflow_run"
    )
    writes_before = len(emulator.requests_to("POST", "*"))
    run = gitml("comment", "gitml-report/report.md", "--pr-from", str(pr_json))
    assert (run.code, run.err) == (
        2,
        "ERROR: refusing to read gitml-report/report.md: it is a symbolic link; a saved report "
        f"is regular files directly inside {pr_json.parent}\n",
    )
    assert len(emulator.requests_to("POST", "*")) == writes_before
    assert not any("root:x" in c["body"] for c in emulator.issue_comments(REPO, PR))


def test_a_secret_in_the_report_is_masked_everywhere_gitml_posts_or_prints(
    emulator, actions_env, tmp_path, monkeypatch
):
    """The token's value, and a storage secret's, inside a report: the comment, the check run,
    the job summary, the step outputs and what gitml prints all show *** instead."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value-0123456789")
    report = write_report(
        tmp_path / "report.md",
        f"# Leaky\n\ntoken {TOKEN} and aws-secret-value-0123456789\n",
        verdict="pass",
    )
    run = gitml_process("-v", "comment", str(report))  # PyGithub logs every request with -v
    assert run.code == 0, run
    [comment] = gitml_comments(emulator)
    assert comment["body"] == f"# Leaky\n\ntoken *** and ***\n\n{MARKER}\n"
    summary = Path(actions_env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "token *** and ***" in summary
    everything = [
        summary,
        Path(actions_env["GITHUB_OUTPUT"]).read_text(),
        run.out + run.err,
        json.dumps(emulator.check_runs(REPO)),
        json.dumps([r.json for r in emulator.requests_to("*", "*") if r.json]),
    ]
    for text in everything:
        assert TOKEN not in text and "aws-secret-value-0123456789" not in text
