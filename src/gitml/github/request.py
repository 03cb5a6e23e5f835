"""What ``gitml comment`` was asked to post, and where: read, validated, resolved before any request.

``load_target(request, env)`` reads the report (or the artifact a fork's run saved: ``pr.json``
and the files next to it, as untrusted data), its verdict, the report id and the check's name,
resolves the repository, pull request and commit from the flags and the Actions environment, and
refuses what cannot work. ``check_postable(target)`` refuses what only a real run needs: a token,
and a pull request or commit to comment on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gitml.errors import UsageError
from gitml.github import artifact, checks, sticky
from gitml.github.context import GitHubContext, resolve, triggering_run_head


@dataclass(frozen=True)
class CommentRequest:
    """What ``gitml comment`` was asked to do (its options)."""

    report: Path
    report_id: str | None = None
    json_path: Path | None = None
    pr: int | None = None
    sha: str | None = None
    repository: str | None = None
    api_url: str | None = None
    pr_from: Path | None = None
    artifact_dir: Path = Path("gitml-report")
    check: bool = True
    check_name: str | None = None
    dry_run: bool = False
    #: with ``sha``: comment on the pull request whose merge made that commit
    merged_pr: bool = False


@dataclass(frozen=True)
class Target:
    """The comment to post and where, validated."""

    context: GitHubContext
    report_id: str
    #: the comment's body, with its hidden marker
    body: str
    #: the report JSON the verdict was read from, if any (saved with the report when not posted)
    json_file: Path | None
    verdict: checks.Verdict | None
    check_name: str
    #: the commit a saved report (``--pr-from``) was made on: the pull request must still be there
    expected_head: str | None = None
    #: find the merged pull request of the commit, not an open one
    merged_pr: bool = False

    @property
    def repository(self) -> str:
        assert self.context.repository is not None  # load_target refuses a run without one
        return self.context.repository

    @property
    def verdict_name(self) -> str:
        return self.verdict.verdict if self.verdict else "unknown"


def load_target(request: CommentRequest, env: Mapping[str, str]) -> Target:
    """The validated target of ``request``; a ``UsageError`` for anything that cannot work."""
    saved = _read_saved(request, env) if request.pr_from is not None else None
    text = saved.body if saved else _read_report(request.report)
    pr_file = saved.pr_file if saved else None
    report_id = request.report_id or (pr_file.id if pr_file else None) or sticky.marker_id(text)
    report_id = sticky.check_id(report_id or sticky.DEFAULT_ID)
    json_file, verdict = _read_verdict(request, saved)
    context = resolve(
        env,
        repository=request.repository,
        pr=request.pr if request.pr is not None else (pr_file.pr if pr_file else None),
        sha=request.sha or (pr_file.head_sha if pr_file else None),
        api_url=request.api_url,
    )
    if not context.repository:
        raise UsageError("no repository: set GITHUB_REPOSITORY or pass --repo OWNER/NAME")
    if pr_file and pr_file.repository != context.repository:
        raise UsageError(
            f"{request.pr_from} is for {pr_file.repository}, not {context.repository}; "
            "refusing to post it"
        )
    return Target(
        context=context,
        report_id=report_id,
        body=sticky.compose(text, report_id),
        json_file=json_file,
        verdict=verdict,
        # named by the id, so a report posted later by the fork-safe workflow gets the same check
        check_name=request.check_name
        or checks.check_name(None if report_id == sticky.DEFAULT_ID else report_id),
        expected_head=pr_file.head_sha if pr_file else None,
        merged_pr=request.merged_pr,
    )


def check_postable(target: Target) -> None:
    """Refuse a real run without a token, or without a pull request or commit to comment on."""
    if not target.context.token:
        raise UsageError(
            "no GitHub token: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: "
            "${{ github.token }})"
        )
    if target.context.pr is None and target.context.sha is None:
        raise UsageError(
            "no pull request or commit to comment on: pass --pr N or --sha SHA, or run in a "
            "pull_request or push workflow"
        )


def _read_saved(request: CommentRequest, env: Mapping[str, str]) -> artifact.SavedReport:
    """The artifact of another run: untrusted files, read only from inside its directory."""
    assert request.pr_from is not None
    saved = artifact.read_saved(request.pr_from, request.report, request.json_path)
    # pr.json was written by the pull request's run: only the commit GitHub says that run was
    # for may be commented on, and only on a pull request whose head is that commit
    trusted = triggering_run_head(env)
    if trusted is not None and saved.pr_file.head_sha != trusted:
        raise UsageError(
            f"{request.pr_from} is for commit {(saved.pr_file.head_sha or 'none')[:12]}, but the "
            f"run that saved it ran on {trusted[:12]}; refusing to post it"
        )
    return saved


def _read_verdict(
    request: CommentRequest, saved: artifact.SavedReport | None
) -> tuple[Path | None, checks.Verdict | None]:
    """The report JSON holding the verdict, if any, and the verdict read from it."""
    if saved is not None:
        json_file = saved.verdict_path
        text = saved.verdict_text
        return json_file, checks.parse_verdict(
            text, json_file
        ) if json_file and text is not None else None
    json_file = _verdict_file(request)
    if json_file is None:
        return None, None
    try:
        return json_file, checks.load_verdict(json_file)
    except UsageError:
        if request.check:
            raise
        # --no-check: a report with verdicts of its own (gitml validate's) is posted as it is
        return json_file, None


def _read_report(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the report {path} ({error})") from None


def _verdict_file(request: CommentRequest) -> Path | None:
    if request.json_path is not None:
        if not request.json_path.is_file():
            raise UsageError(f"--json {request.json_path} does not exist; run gitml report first")
        return request.json_path
    default = request.report.with_suffix(".json")
    return default if default.is_file() else None
