"""``gitml comment`` as one flow: comment, check run, step summary, outputs, fork fallback.

``publish(request, env)`` loads the target (``request``: the report, its verdict, where to post,
refused before any request when it cannot work), appends the report to the step summary, upserts
the sticky comment, sets the check run (or commit status) from the gates' verdict, writes the step
outputs ``verdict`` and ``comment-url``, and returns what it did as data. A token that may not
write (a pull request from a fork) is not a failure: the report goes to ``--artifact-dir`` for the
fork-safe workflow and the result carries a warning saying so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from github.Repository import Repository

from gitml.core.github_output import write_outputs
from gitml.errors import DataError
from gitml.github import artifact, checks, dry_run, sticky
from gitml.github.api import GitHubApi
from gitml.github.client import RetrySettings
from gitml.github.errors import ApiError
from gitml.github.request import CommentRequest, Target, check_postable, load_target
from gitml.github.summary import append_step_summary

__all__ = ["ApiError", "CommentRequest", "Published", "publish"]

#: What happened to the comment: ``sticky``'s "created", "updated" or "unchanged"; "forbidden"
#: (the token may not write: saved for the fork-safe workflow), "stale" (a saved report whose pull
#: request has moved on: not posted) or "dry-run"
CommentAction = Literal["created", "updated", "unchanged", "forbidden", "stale", "dry-run"]
FORK_SAFE_HINT = (
    "post it with gitml's fork-safe workflow (on: workflow_run, which downloads the artifact and "
    "runs gitml comment REPORT --pr-from pr.json)"
)


@dataclass(frozen=True)
class Published:
    """What was done (or, in a dry run, would be done)."""

    repository: str
    report_id: str
    action: CommentAction
    pr: int | None = None
    sha: str | None = None
    comment_url: str = ""
    verdict: str = "unknown"
    check: checks.CheckResult | None = None
    removed_duplicates: int = 0
    summary_trimmed: bool = False
    artifact: Path | None = None
    warnings: tuple[str, ...] = ()
    #: dry run only: one line per thing that would be done
    plan: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        if self.pr is not None:
            return f"pull request #{self.pr}"
        return f"commit {self.sha[:7]}" if self.sha else "nothing"

    @property
    def posted(self) -> bool:
        return self.action in ("created", "updated", "unchanged")


def publish(request: CommentRequest, env: Mapping[str, str] | None = None) -> Published:
    """Do everything ``gitml comment`` promises; see the module docstring."""
    env = os.environ if env is None else env
    target = load_target(request, env)
    context = target.context
    start = Published(
        repository=target.repository,
        report_id=target.report_id,
        action="dry-run",
        pr=context.pr,
        sha=context.sha,
        verdict=target.verdict_name,
    )
    if request.dry_run:
        return replace(start, plan=dry_run.plan(request, target, env))
    check_postable(target)
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        trimmed = append_step_summary(Path(summary_path), sticky.strip_marker(target.body))
        start = replace(start, summary_trimmed=trimmed)
    if len(target.body) > sticky.MAX_BODY:
        _refuse_too_long(request, target, start, env)
    with closing(GitHubApi.connect(context, RetrySettings.from_env(env))) as api:
        result = None
        try:
            repo: Repository = api.gh.get_repo(target.repository)
            result = _comment(api, repo, request, target, start, env)
        finally:
            # also when posting failed: the verdict is known, the comment's address is not
            _write_outputs(env, result or start)
        return _set_check(api, repo, request, target, result)


def _write_outputs(env: Mapping[str, str], result: Published) -> None:
    output_path = env.get("GITHUB_OUTPUT")
    if output_path:
        write_outputs(
            {"verdict": result.verdict, "comment-url": result.comment_url}, Path(output_path)
        )


def _save_for_later(
    request: CommentRequest, target: Target, result: Published, reason: artifact.Reason
) -> Path:
    """Write the report and its ``pr.json`` to ``--artifact-dir`` for the fork-safe workflow."""
    pr_file = artifact.PrFile(
        repository=target.repository,
        pr=result.pr,
        head_sha=result.sha,
        id=target.report_id,
        verdict=result.verdict,
        reason=reason,
    )
    return artifact.write_artifact(request.artifact_dir, target.body, pr_file, target.json_file)


def _in_summary(env: Mapping[str, str], also: str) -> str:
    return also if env.get("GITHUB_STEP_SUMMARY") else ""


def _refuse_too_long(
    request: CommentRequest, target: Target, result: Published, env: Mapping[str, str]
) -> None:
    saved = _save_for_later(request, target, result, "too-long")
    _write_outputs(env, result)
    raise DataError(
        f"the comment would be {len(target.body):,} characters, over GitHub's "
        f"{sticky.MAX_BODY:,} limit, so it was not sent; the report is in "
        f"{_in_summary(env, 'the job summary and ')}{saved}. Shorten it "
        "(gitml report caps the Markdown at 64,000 characters)"
    )


def _comment(
    api: GitHubApi,
    repo: Repository,
    request: CommentRequest,
    target: Target,
    result: Published,
    env: Mapping[str, str],
) -> Published:
    """Find the pull request (or commit) and upsert the sticky comment on it."""
    result, stale = _locate(api, repo, target, result)
    if stale:
        return replace(result, action="stale", warnings=(stale,))
    thread: sticky.Thread
    if result.pr is not None:
        thread = repo.get_issue(result.pr)
        where = f"commenting on pull request #{result.pr}"
    else:
        assert result.sha is not None  # check_postable refuses a run with neither
        thread = repo.get_commit(result.sha)
        where = f"commenting on commit {result.sha[:7]}"
    try:
        upserted = api(
            where,
            lambda: sticky.upsert(thread, target.body, target.report_id, api.viewer),
            missing=result.target,
        )
    except ApiError as error:
        if not error.forbidden:
            raise
        saved = _save_for_later(request, target, result, "forbidden")
        warning = (
            f"this token cannot write to the {result.target} (a pull request from a fork? "
            f"{error.message.split(': ', 1)[-1]}): the report is in "
            f"{_in_summary(env, 'the job summary and in ')}{saved}; {FORK_SAFE_HINT}"
        )
        return replace(result, action="forbidden", artifact=saved, warnings=(warning,))
    return replace(
        result,
        action=upserted.action,
        comment_url=upserted.url,
        removed_duplicates=upserted.removed_duplicates,
    )


def _locate(
    api: GitHubApi, repo: Repository, target: Target, result: Published
) -> tuple[Published, str | None]:
    """``result`` with the pull request and commit to post on, and why not to post (a saved
    report whose pull request has moved on), if so."""
    pr, sha = result.pr, result.sha
    if pr is not None and (target.context.pr_source == "flag" or sha is None):
        pull = repo.get_pull(pr)
        head_sha = api(
            f"reading pull request #{pr}", lambda: pull.head.sha, missing=f"pull request #{pr}"
        )
        expected = target.expected_head
        if expected is not None and head_sha != expected:
            return result, (
                f"pull request #{pr} is at {head_sha[:12]}, not at {expected[:12]} where this "
                "report was made (a newer push, or a pr.json naming another pull request): "
                "not posted"
            )
        return replace(result, sha=sha or head_sha), None
    if pr is None and sha is not None:
        every = api(
            f"finding the pull request for commit {sha[:7]}",
            lambda: list(repo.get_commit(sha).get_pulls()),
        )
        if target.merged_pr:  # the pull request whose merge made the commit
            pulls = [p for p in every if p.merged_at is not None]
            pulls.sort(key=lambda p: (p.merge_commit_sha != sha, p.number))
        else:
            pulls = [p for p in every if p.state == "open"]
            pulls.sort(key=lambda p: (p.head.sha != sha, p.number))
        if pulls:
            return replace(result, pr=pulls[0].number), None
    return result, None


def _set_check(
    api: GitHubApi, repo: Repository, request: CommentRequest, target: Target, result: Published
) -> Published:
    """Set the check run (or commit status) from the verdict, once the comment is posted."""
    verdict, sha, name = target.verdict, result.sha, target.check_name
    if not result.posted or verdict is None or not request.check or sha is None:
        return result
    try:
        check = api(
            f"setting the {name!r} check on {sha[:7]}",
            lambda: checks.publish_check(repo, sha, name, verdict, result.comment_url),
        )
    except ApiError as error:
        if not error.forbidden:
            raise
        warning = (
            f"could not set the {name!r} check run or commit status ({error.message}); "
            "give the workflow permissions: checks: write (or statuses: write)"
        )
        return replace(result, warnings=(*result.warnings, warning))
    return replace(result, check=check)
