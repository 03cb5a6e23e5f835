"""The emulation behaves like GitHub where gitml depends on it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from gitml.github_emulator import GitHubEmulator

from .conftest import HEAD_SHA, PR, READ_ONLY_TOKEN, REPO, TOKEN


def call(url: str, method: str = "GET", body=None, token: str | None = TOKEN):
    """(status, headers, json) of one request, errors included."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, dict(error.headers), json.loads(raw) if raw else None


def test_pages_default_to_30_and_cap_at_100_with_link_headers(emulator):
    emulator.add_issue_comments(REPO, PR, 250)
    comments = f"{emulator.url}/repos/{REPO}/issues/{PR}/comments"

    status, headers, body = call(comments)
    assert status == 200 and len(body) == 30
    assert 'rel="next"' in headers["link"] and 'rel="last"' in headers["link"]

    status, headers, body = call(comments + "?per_page=500")
    assert len(body) == 100
    links = dict(
        (part.split("; ")[1], part.split("; ")[0].strip("<>"))
        for part in headers["link"].split(", ")
    )
    repo_id = emulator.repos[REPO]["id"]
    assert links['rel="next"'] == (
        f"{emulator.url}/repositories/{repo_id}/issues/{PR}/comments?per_page=100&page=2"
    )
    assert links['rel="last"'].endswith("page=3")

    status, headers, body = call(links['rel="last"'])
    assert [c["body"] for c in body] == [f"comment {n}" for n in range(201, 251)]
    assert 'rel="next"' not in headers["link"] and 'rel="prev"' in headers["link"]


def test_url_fields_point_back_at_the_emulation_under_its_prefix():
    with GitHubEmulator(prefix="/api/v3") as emu:
        emu.add_token(TOKEN)
        emu.add_repo(REPO)
        emu.add_pull(REPO, PR, head_sha=HEAD_SHA)
        status, _, pr = call(f"{emu.url}/repos/{REPO}/pulls/{PR}")
        assert status == 200
        assert pr["issue_url"] == f"{emu.origin}/api/v3/repos/{REPO}/issues/{PR}"
        assert pr["html_url"] == f"{emu.origin}/{REPO}/pull/{PR}"
        assert pr["head"]["sha"] == HEAD_SHA
        # without the prefix nothing is served
        assert call(f"{emu.origin}/repos/{REPO}/pulls/{PR}")[0] == 404


def test_authentication_and_permissions(emulator):
    comments = f"{emulator.url}/repos/{REPO}/issues/{PR}/comments"
    assert call(comments, token="wrong")[:3:2] == (
        401,
        {
            "message": "Bad credentials",
            "documentation_url": "https://docs.github.com/rest",
            "status": "401",
        },
    )
    assert call(comments, "POST", {"body": "x"}, token=None)[0] == 401
    status, _, body = call(comments, "POST", {"body": "x"}, token=READ_ONLY_TOKEN)
    assert (status, body["message"]) == (403, "Resource not accessible by integration")
    # reads work with a read-only token
    assert call(comments, token=READ_ONLY_TOKEN)[0] == 200
    assert emulator.issue_comments(REPO, PR) == []


def test_created_comment_is_authored_by_the_token_and_too_long_bodies_are_refused(emulator):
    comments = f"{emulator.url}/repos/{REPO}/issues/{PR}/comments"
    status, headers, body = call(comments, "POST", {"body": "hello"})
    assert status == 201
    assert body["user"]["login"] == "github-actions[bot]" and body["user"]["type"] == "Bot"
    assert headers["location"] == body["url"]

    status, _, error = call(comments, "POST", {"body": "x" * 65_537})
    assert status == 422 and error["message"] == "Validation Failed"
    assert error["errors"][0]["field"] == "body"
    assert call(comments, "POST", {"body": "x" * 65_536})[0] == 201

    status, _, _ = call(body["url"], "PATCH", {"body": "y" * 65_537})
    assert status == 422
    assert emulator.issue_comments(REPO, PR)[0]["body"] == "hello"


def test_unknown_things_are_404(emulator):
    assert call(f"{emulator.url}/repos/octo/missing")[0] == 404
    assert call(f"{emulator.url}/repos/{REPO}/pulls/999")[0] == 404
    status, _, body = call(
        f"{emulator.url}/repos/{REPO}/issues/999/comments", "POST", {"body": "x"}
    )
    assert (status, body["message"]) == (404, "Not Found")


def test_faults_are_served_in_order_then_normal_service_resumes(emulator):
    url = f"{emulator.url}/repos/{REPO}"
    emulator.fail("GET", "/repos/*", 502, times=2)
    assert [call(url)[0] for _ in range(3)] == [502, 502, 200]
    assert [r.status for r in emulator.requests_to("GET", f"/repos/{REPO}")] == [502, 502, 200]


def test_rate_limits_carry_githubs_headers(emulator):
    url = f"{emulator.url}/repos/{REPO}"
    emulator.rate_limit("GET", "/repos/*", kind="primary", reset_in=30)
    status, headers, body = call(url)
    assert status == 403 and headers["x-ratelimit-remaining"] == "0"
    assert abs(int(headers["x-ratelimit-reset"]) - (time.time() + 30)) < 3
    assert body["message"].startswith("API rate limit exceeded")

    emulator.rate_limit("GET", "/repos/*", kind="secondary", status=429, retry_after=7)
    status, headers, body = call(url)
    assert status == 429 and headers["retry-after"] == "7"
    assert body["message"].startswith("You have exceeded a secondary rate limit")


def test_check_runs_need_an_app_token(emulator):
    emulator.add_token("ghp_personal", login="alice", kind="user")
    run = {"name": "gitml", "head_sha": HEAD_SHA, "status": "completed", "conclusion": "success"}
    status, _, body = call(f"{emulator.url}/repos/{REPO}/check-runs", "POST", run, "ghp_personal")
    assert (status, body["message"]) == (403, "You must authenticate via a GitHub App.")
    status, _, body = call(f"{emulator.url}/repos/{REPO}/check-runs", "POST", run)
    assert status == 201 and body["conclusion"] == "success"
    assert emulator.check_runs(REPO)[0]["head_sha"] == HEAD_SHA


def test_runs_as_a_process_with_seed_state_and_control_endpoints(tmp_path):
    seed = tmp_path / "seed.json"
    state = tmp_path / "state.json"
    seed.write_text(
        json.dumps(
            {
                "tokens": [{"token": TOKEN}],
                "repos": [
                    {
                        "full_name": REPO,
                        "pulls": [{"number": PR, "head_sha": HEAD_SHA}],
                        "issue_comments": {str(PR): [{"body": "earlier", "login": "alice"}]},
                    }
                ],
            }
        )
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gitml.github_emulator",
            "--prefix",
            "/api/v3",
            "--seed",
            str(seed),
            "--state-file",
            str(state),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("url=http://127.0.0.1:") and line.endswith("/api/v3")
        url = line.removeprefix("url=")
        origin = url.removesuffix("/api/v3")
        call(f"{origin}/_emulator/faults", "POST", {"method": "POST", "path": "*", "status": 502})
        comments = f"{url}/repos/{REPO}/issues/{PR}/comments"
        assert call(comments, "POST", {"body": "new"})[0] == 502
        assert call(comments, "POST", {"body": "new"})[0] == 201
        live = call(f"{origin}/_emulator/state", token=None)[2]
        assert [c["body"] for c in live["repos"][REPO]["issue_comments"][str(PR)]] == [
            "earlier",
            "new",
        ]
        assert all(r["headers"].get("authorization") in (None, "***") for r in live["requests"])
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    dumped = json.loads(state.read_text())
    assert len(dumped["repos"][REPO]["issue_comments"][str(PR)]) == 2


@pytest.mark.parametrize("per_page", ["0", "abc", "-5"])
def test_odd_per_page_values_fall_back_to_30(emulator, per_page):
    emulator.add_issue_comments(REPO, PR, 40)
    url = f"{emulator.url}/repos/{REPO}/issues/{PR}/comments?per_page={per_page}"
    assert len(call(url)[2]) == 30
