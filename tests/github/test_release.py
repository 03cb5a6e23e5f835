"""GitHub Releases on the emulation: its endpoints answer as GitHub's do (one release per tag,
the 125,000-character body, uploads to the upload URL with ``?name=``, 422 ``already_exists``
for a second asset of a name), and ``publish_release`` makes one release however often it runs,
replacing changed assets and keeping identical ones. Also who merged and approved a commit."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from gitml.errors import UsageError
from gitml.github.api import GitHubApi
from gitml.github.client import RetrySettings
from gitml.github.context import GitHubContext
from gitml.github.pull_facts import merge_facts
from gitml.github.release import ReleaseRequest, publish_release
from gitml.github_emulator.releases import asset_name

from .conftest import HEAD_SHA, MERGE_SHA, PR, READ_ONLY_TOKEN, REPO, TOKEN
from .test_emulator import call

TAG = "classifier@v0.2.0"


def api_for(emulator, token: str = TOKEN) -> GitHubApi:
    context = GitHubContext(api_url=emulator.url, repository=REPO, token=token)
    return GitHubApi.connect(context, RetrySettings(retries=0, write_interval=0))


def upload(url: str, data: bytes, name: str, content_type: str = "text/plain"):
    """(status, json) of a raw upload to an ``upload_url``."""
    request = urllib.request.Request(f"{url.split('{')[0]}?name={name}", data=data, method="POST")
    request.add_header("Authorization", f"token {TOKEN}")
    request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_release_endpoints_answer_as_github(emulator):
    releases = f"{emulator.url}/repos/{REPO}/releases"
    status, _, created = call(releases, "POST", {"tag_name": TAG, "name": "v0.2.0", "body": "b"})
    assert status == 201
    assert created["upload_url"].endswith(f"/releases/{created['id']}/assets{{?name,label}}")
    assert created["html_url"].endswith(f"/{REPO}/releases/tag/classifier%40v0.2.0")
    assert created["author"]["login"] == "github-actions[bot]"
    # one release per tag
    status, _, refused = call(releases, "POST", {"tag_name": TAG})
    assert status == 422
    assert refused["errors"] == [
        {"resource": "Release", "code": "already_exists", "field": "tag_name"}
    ]
    status, _, too_long = call(releases, "POST", {"tag_name": "x@v1.0.0", "body": "a" * 125_001})
    assert status == 422
    assert too_long["errors"][0]["message"] == "body is too long (maximum is 125000 characters)"
    status, _, found = call(f"{releases}/tags/classifier%40v0.2.0")
    assert status == 200 and found["id"] == created["id"]
    assert call(f"{releases}/tags/nothing")[0] == 404
    # a read-only token may read, not write
    assert call(releases, "POST", {"tag_name": "y@v1.0.0"}, token=READ_ONLY_TOKEN)[0] == 403


def test_assets_upload_to_the_upload_url_and_refuse_a_second_of_a_name(emulator):
    releases = f"{emulator.url}/repos/{REPO}/releases"
    _, _, created = call(releases, "POST", {"tag_name": TAG})
    status, asset = upload(created["upload_url"], b"<html>", "report.html", "text/html")
    assert status == 201
    assert (asset["name"], asset["size"], asset["content_type"]) == ("report.html", 6, "text/html")
    assert asset["digest"].startswith("sha256:")
    status, again = upload(created["upload_url"], b"other", "report.html")
    assert status == 422
    assert again["errors"] == [
        {"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}
    ]
    # posting to the API URL instead of the upload URL is not an upload
    assert call(f"{releases}/{created['id']}/assets", "POST", {"name": "x"})[0] == 404
    # the download URL serves the bytes
    with urllib.request.urlopen(asset["browser_download_url"], timeout=10) as response:
        assert response.read() == b"<html>"
    assert call(asset["url"], "DELETE")[0] == 204
    assert upload(created["upload_url"], b"new", "report.html")[0] == 201


def test_asset_names_with_special_characters_are_renamed_as_github_does():
    assert asset_name("model card (v2).md") == "model.card..v2..md"
    assert asset_name(".hidden.") == "hidden"
    assert asset_name("sbom.cdx.json") == "sbom.cdx.json"


def files(folder: Path, contents: dict[str, str]) -> tuple[Path, ...]:
    folder.mkdir(exist_ok=True)
    for name, text in contents.items():
        (folder / name).write_text(text)
    return tuple(folder / name for name in contents)


def test_publishing_twice_updates_one_release_and_replaces_changed_assets(emulator, tmp_path):
    api = api_for(emulator)
    first = files(tmp_path / "a", {"report.html": "<p>1</p>", "sbom.cdx.json": "{}"})
    request = ReleaseRequest(TAG, "classifier v0.2.0", "card 1", MERGE_SHA, first)
    published = publish_release(api, request)
    assert published.created and published.uploaded == ["report.html", "sbom.cdx.json"]

    second = files(tmp_path / "b", {"report.html": "<p>2</p>", "sbom.cdx.json": "{}"})
    again = publish_release(
        api, ReleaseRequest(TAG, "classifier v0.2.0", "card 2", MERGE_SHA, second)
    )
    assert not again.created and again.release_id == published.release_id
    assert (again.replaced, again.kept) == (["report.html"], ["sbom.cdx.json"])
    [release] = emulator.releases(REPO)
    assert release["body"] == "card 2"
    assert sorted(a["name"] for a in release["assets"]) == ["report.html", "sbom.cdx.json"]
    assert emulator.asset_bytes(REPO, TAG, "report.html") == b"<p>2</p>"
    # what was sent: the upload went to the upload URL with the name and a content type
    [put] = [r for r in emulator.requests_to("POST", "/repos/*/releases/*/assets")][-1:]
    assert put.query == {"name": "report.html"}  # label="" is sent, and blank
    assert put.headers["content-type"] == "text/html"


def test_a_body_over_githubs_limit_is_refused_before_any_request(emulator, tmp_path):
    request = ReleaseRequest(TAG, "v", "x" * 125_001, MERGE_SHA, ())
    with pytest.raises(UsageError, match="over GitHub's 125000"):
        publish_release(api_for(emulator), request)
    assert emulator.requests_to() == []


def test_who_merged_and_who_approved(emulator):
    emulator.add_review(REPO, PR, "alice", "CHANGES_REQUESTED")
    emulator.add_review(REPO, PR, "alice", "APPROVED")
    emulator.add_review(REPO, PR, "bob", "APPROVED")
    emulator.add_review(REPO, PR, "carol", "APPROVED")
    emulator.add_review(REPO, PR, "carol", "CHANGES_REQUESTED")
    emulator.add_review(REPO, PR, "dave", "COMMENTED")
    assert merge_facts(api_for(emulator), MERGE_SHA) is None  # not merged yet
    emulator.merge_pull(REPO, PR, merge_commit_sha=MERGE_SHA, merged_by="maintainer")
    facts = merge_facts(api_for(emulator), MERGE_SHA)
    assert (facts.number, facts.merged_by, facts.author) == (PR, "maintainer", "octocat")
    assert [a.login for a in facts.approvals] == ["alice", "bob"]
    assert facts.url.endswith(f"/{REPO}/pull/{PR}")
    assert merge_facts(api_for(emulator), HEAD_SHA).number == PR
