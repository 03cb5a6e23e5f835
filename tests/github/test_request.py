"""The request of ``gitml comment`` (read, validated, frozen) and the public API client, in process."""

from __future__ import annotations

import dataclasses
import json

import pytest
from github.GithubException import GithubException

from gitml.errors import UsageError
from gitml.github import dry_run
from gitml.github.api import GitHubApi
from gitml.github.client import RetrySettings
from gitml.github.context import resolve
from gitml.github.errors import ApiError
from gitml.github.request import CommentRequest, check_postable, load_target

REPO = "octo/ml"
HEAD = "a" * 40
ENV = {"GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "ghs_unit"}


def _report(tmp_path, text="# Report\n\n<!-- gitml:report id=gpu -->\n", verdict="fail"):
    report = tmp_path / "report.md"
    report.write_text(text, encoding="utf-8")
    if verdict is not None:
        report.with_suffix(".json").write_text(json.dumps({"verdict": verdict}), encoding="utf-8")
    return report


def test_the_target_takes_the_id_from_the_marker_and_the_verdict_beside_the_report(tmp_path):
    target = load_target(CommentRequest(report=_report(tmp_path), pr=7), ENV)

    assert (target.repository, target.context.pr, target.report_id) == (REPO, 7, "gpu")
    assert target.verdict_name == "fail" and target.check_name == "gitml / gpu"
    assert target.body.endswith("<!-- gitml:report id=gpu -->\n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.report_id = "other"  # type: ignore[misc]


def test_a_pr_json_for_another_commit_than_the_triggering_run_is_refused(tmp_path):
    folder = tmp_path / "artifact"
    folder.mkdir()
    report = _report(folder, verdict=None)
    pr_json = folder / "pr.json"
    saved = {"format": "gitml-pr/1", "repository": REPO, "pr": 7, "head_sha": HEAD, "id": "gpu"}
    pr_json.write_text(json.dumps({**saved, "verdict": "fail", "reason": "forbidden"}))
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"head_sha": "b" * 40}}), encoding="utf-8")
    env = {**ENV, "GITHUB_EVENT_NAME": "workflow_run", "GITHUB_EVENT_PATH": str(event)}

    with pytest.raises(UsageError, match="ran on bbbbbbbbbbbb; refusing to post it"):
        load_target(CommentRequest(report=report, pr_from=pr_json), env)

    event.write_text(json.dumps({"workflow_run": {"head_sha": HEAD}}), encoding="utf-8")
    target = load_target(CommentRequest(report=report, pr_from=pr_json), env)
    assert (target.context.pr, target.expected_head, target.verdict) == (7, HEAD, None)


def test_a_real_run_needs_a_token_and_somewhere_to_post_but_a_dry_run_does_not(tmp_path):
    request = CommentRequest(report=_report(tmp_path), dry_run=True)
    target = load_target(request, {"GITHUB_REPOSITORY": REPO})

    with pytest.raises(UsageError, match="no GitHub token"):
        check_postable(target)
    with pytest.raises(UsageError, match="no pull request or commit"):
        check_postable(load_target(request, ENV))
    plan = dry_run.plan(request, target, {})
    assert "target: none (a real run needs --pr or --sha)" in plan
    assert 'check run: "gitml / gpu" failure' in plan
    assert plan[-1] == "token: missing (a real run would stop here)"


def test_the_public_client_turns_a_422_into_one_line_naming_the_step():
    context = resolve(ENV)
    api = GitHubApi.connect(context, RetrySettings(retries=0))

    def refused():
        raise GithubException(422, {"message": "Validation Failed", "errors": [{"message": "x"}]})

    with pytest.raises(ApiError) as caught:
        api("commenting on pull request #7", refused)
    api.close()
    assert caught.value.message == (
        "GitHub answered 422 while commenting on pull request #7: Validation Failed (x)"
    )
    assert caught.value.status == 422 and not caught.value.forbidden
