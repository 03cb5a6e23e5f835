"""The emulation's pull request endpoints behave like GitHub's: creating, listing with filters
and pages, updating, and GitHub's refusals."""

from __future__ import annotations

from gitml.github.client import RetrySettings
from gitml.github.context import GitHubContext
from gitml.github.pull_requests import PullRequests
from gitml.github_emulator.shapes import user_json
from gitml.retrain.body import marker
from tests.helpers import git

from .conftest import PR, READ_ONLY_TOKEN, REPO, TOKEN
from .test_emulator import call

MAIN, FEATURE = "1" * 40, "2" * 40


def seeded(emulator) -> str:
    emulator.add_branch(REPO, "main", MAIN)
    emulator.add_branch(REPO, "retrain", FEATURE)
    return f"{emulator.url}/repos/{REPO}/pulls"


def test_a_pull_request_is_created_and_updated(emulator):
    pulls = seeded(emulator)
    status, headers, created = call(
        pulls, "POST", {"title": "Retrain", "head": "octo:retrain", "base": "main", "body": "b"}
    )
    assert status == 201 and created["number"] == PR + 1
    assert headers["location"] == created["url"] == f"{pulls}/{PR + 1}"
    assert (created["head"]["ref"], created["head"]["sha"], created["body"]) == (
        "retrain",
        FEATURE,
        "b",
    )
    assert created["user"]["login"] == "github-actions[bot]"
    status, _, updated = call(f"{pulls}/{PR + 1}", "PATCH", {"body": "new", "title": "T2"})
    assert status == 200 and (updated["title"], updated["body"]) == ("T2", "new")
    assert emulator.pulls(REPO, "open")[-1]["body"] == "new"


def test_github_refusals_when_opening_a_pull_request(emulator):
    pulls = seeded(emulator)
    new = {"title": "Retrain", "head": "retrain", "base": "main"}
    status, _, body = call(pulls, "POST", {**new, "head": "gone"})
    assert status == 422 and body["errors"] == [
        {"resource": "PullRequest", "field": "head", "code": "invalid"}
    ]
    assert call(pulls, "POST", {**new, "base": "gone"})[2]["errors"][0]["field"] == "base"
    assert call(pulls, "POST", {"head": "retrain", "base": "main"})[2]["errors"] == [
        {"resource": "PullRequest", "field": "title", "code": "missing_field"}
    ]
    status, _, body = call(pulls, "POST", {**new, "head": "main"})
    assert (status, body["errors"][0]["message"]) == (422, "No commits between main and main")
    status, _, body = call(pulls, "POST", {**new, "body": "x" * 65_537})
    assert status == 422 and "body is too long" in body["errors"][0]["message"]
    status, _, body = call(pulls, "POST", new, token=READ_ONLY_TOKEN)
    assert (status, body["message"]) == (403, "Resource not accessible by integration")
    assert call(pulls, "POST", new)[0] == 201
    status, _, body = call(pulls, "POST", new)
    assert (status, body["errors"][0]["message"]) == (
        422,
        "A pull request already exists for octo:retrain.",
    )
    assert call(f"{pulls}/999", "PATCH", {"body": "x"})[0] == 404


def test_listing_filters_by_head_and_base_newest_first_across_pages(emulator):
    pulls = seeded(emulator)
    for number in range(100, 160):
        emulator.add_pull(REPO, number, head_sha=MAIN, head_ref=f"b{number}")
    emulator.add_pull(REPO, 200, head_sha=MAIN, head_ref="other", base_ref="dev")
    emulator.add_pull(REPO, 201, head_sha=MAIN, head_ref="b120", state="closed")
    _, headers, first = call(pulls)
    assert len(first) == 30 and first[0]["number"] == 200 and 'rel="next"' in headers["link"]
    assert [p["number"] for p in call(f"{pulls}?head=octo:b120&state=all")[2]] == [201, 120]
    assert [p["number"] for p in call(f"{pulls}?head=octo:b120")[2]] == [120]
    assert call(f"{pulls}?head=contributor:b120")[2] == []
    assert [p["number"] for p in call(f"{pulls}?base=dev")[2]] == [200]
    ascending = call(f"{pulls}?direction=asc&per_page=100&page=1")[2]
    assert [p["number"] for p in ascending][:2] == [PR, 100]


def test_retrain_finds_its_pull_request_on_a_later_page(emulator):
    for number in range(100, 230):
        emulator.add_pull(REPO, number, head_sha=MAIN, head_ref=f"b{number}")
    emulator.add_pull(REPO, 5, head_sha=MAIN, head_ref="gitml/retrain/clf-2026-11-01")
    emulator.repos[REPO]["pulls"][5]["body"] = f"text\n{marker('clf')}\n"
    # opened by the account the token acts as (Actions' bot): gitml's own
    emulator.repos[REPO]["pulls"][5]["user"] = user_json(emulator, "github-actions[bot]")
    emulator.add_pull(REPO, 6, head_sha=MAIN, head_ref="fork-copy", fork=True)
    emulator.repos[REPO]["pulls"][6]["body"] = marker("clf")  # a fork quoting the marker
    emulator.add_pull(REPO, 4, head_sha=MAIN, head_ref="gitml/retrain/clf-2026-10-01")
    emulator.repos[REPO]["pulls"][4]["body"] = marker("clf")  # older, octocat's, quoting it
    context = GitHubContext(api_url=emulator.url, repository=REPO, token=TOKEN)
    found = PullRequests(context, RetrySettings(retries=0, write_interval=0)).find_open(
        marker("clf"), "main"
    )
    assert (found.number, found.branch) == (5, "gitml/retrain/clf-2026-11-01")
    pages = emulator.requests_to("GET", "/repositories/*/pulls")
    assert len(pages) == 1  # the second page, through the Link header


def test_branches_come_from_a_linked_git_repository(emulator, tmp_path):
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch", "main", str(origin))
    work = tmp_path / "work"
    git(tmp_path, "clone", "--quiet", str(origin), str(work))
    git(work, "commit", "--quiet", "--allow-empty", "-m", "one")
    git(work, "push", "--quiet", "origin", "main")
    git(work, "checkout", "--quiet", "-b", "topic")
    git(work, "commit", "--quiet", "--allow-empty", "-m", "two")
    git(work, "push", "--quiet", "origin", "topic")
    emulator.link_git(REPO, str(origin))
    pulls = f"{emulator.url}/repos/{REPO}/pulls"
    status, _, created = call(pulls, "POST", {"title": "t", "head": "topic", "base": "main"})
    assert status == 201 and created["head"]["sha"] == git(work, "rev-parse", "HEAD")
    git(work, "commit", "--quiet", "--allow-empty", "-m", "three")
    git(work, "push", "--quiet", "origin", "topic")
    moved = call(f"{pulls}/{created['number']}")[2]
    assert moved["head"]["sha"] == git(work, "rev-parse", "HEAD")
