"""``gitml comment`` as one function: comment, check run, step summary, outputs, fork fallback.

``publish(request, env)`` resolves the context, refuses what cannot work before any request (no
repository, no token, a body over GitHub's limit), appends the report to the step summary, upserts
the sticky comment, sets the check run (or commit status) from the gates' verdict, writes the step
outputs ``verdict`` and ``comment-url``, and returns what it did as data. A token that may not
write (a pull request from a fork) is not a failure: the report goes to ``--artifact-dir`` for the
fork-safe workflow and the result carries a warning saying so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import requests
from github import Github
from github.GithubException import (
    BadCredentialsException,
    GithubException,
    RateLimitExceededExceedsMaxWait,
    RateLimitExceededException,
)
from github.Repository import Repository

from gitml.core.github_output import write_outputs
from gitml.errors import DataError, GitHubError, UsageError
from gitml.github import artifact, checks, sticky
from gitml.github.client import RetrySettings, make_client
from gitml.github.context import GitHubContext, resolve, triggering_run_head
from gitml.github.summary import append_step_summary

T = TypeVar("T")
FORK_SAFE_HINT = (
    "post it with gitml's fork-safe workflow (on: workflow_run, which downloads the artifact and "
    "runs gitml comment REPORT --pr-from pr.json)"
)


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


@dataclass
class Published:
    """What was done (or, in a dry run, would be done)."""

    repository: str
    report_id: str
    #: "created", "updated", "unchanged", "forbidden" (token may not write), "stale" (a saved
    #: report whose pull request has moved on: not posted) or "dry-run"
    action: str
    pr: int | None = None
    sha: str | None = None
    comment_url: str = ""
    verdict: str = "unknown"
    check: checks.CheckResult | None = None
    removed_duplicates: int = 0
    summary_trimmed: bool = False
    artifact: Path | None = None
    warnings: list[str] = field(default_factory=list)
    #: dry run only: one line per thing that would be done
    plan: list[str] = field(default_factory=list)

    @property
    def target(self) -> str:
        if self.pr is not None:
            return f"pull request #{self.pr}"
        return f"commit {self.sha[:7]}" if self.sha else "nothing"


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


class ApiError(GitHubError):
    """A GitHub API failure, with the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None, rate_limited: bool = False):
        super().__init__(message)
        self.status = status
        self.rate_limited = rate_limited

    @property
    def forbidden(self) -> bool:
        """403 for lack of permission (not a rate limit)."""
        return self.status == 403 and not self.rate_limited


class _Api:
    """Runs API calls, turning PyGithub and connection errors into one-line ``GitHubError``s."""

    def __init__(self, gh: Github, context: GitHubContext, settings: RetrySettings):
        self.gh = gh
        self.context = context
        self.settings = settings

    def __call__(self, what: str, call: Callable[[], T], missing: str | None = None) -> T:
        """Run ``call``; ``what`` names the step in errors, ``missing`` what a 404 means."""
        try:
            return call()
        except RateLimitExceededExceedsMaxWait as error:
            wait = error.wait or 0
            raise ApiError(
                f"GitHub rate limit while {what}: it asks to wait {wait:.0f}s, more than "
                f"GITML_GITHUB_MAX_WAIT={self.settings.max_wait:g}s; run again later or raise "
                "GITML_GITHUB_MAX_WAIT",
                error.status,
                rate_limited=True,
            ) from None
        except RateLimitExceededException as error:
            raise ApiError(
                f"GitHub rate limit while {what}, still exceeded after "
                f"{self.settings.retries} retries; run again later",
                error.status,
                rate_limited=True,
            ) from None
        except BadCredentialsException as error:
            raise ApiError(
                f"GitHub rejected the token (401 Bad credentials) while {what}; check GITHUB_TOKEN",
                error.status,
            ) from None
        except GithubException as error:
            if error.status == 404:
                raise ApiError(self._explain_404(what, missing), 404) from None
            if error.status == 429 or error.status >= 500:
                raise ApiError(
                    f"GitHub answered {error.status} while {what}, after "
                    f"{self.settings.retries} retries; run again later",
                    error.status,
                    rate_limited=error.status == 429,
                ) from None
            raise ApiError(
                f"GitHub answered {error.status} while {what}: {_message(error)}", error.status
            ) from None
        except requests.exceptions.RequestException as error:
            raise ApiError(
                f"cannot reach the GitHub API at {self.context.api_url} while {what} "
                f"({type(error).__name__}); check GITHUB_API_URL and the network"
            ) from None

    def _explain_404(self, what: str, missing: str | None) -> str:
        name = self.context.repository
        try:
            self.gh.get_repo(name).complete()
        except GithubException as error:
            if error.status == 404:
                return (
                    f"repository {name} not found at {self.context.api_url} (or the token "
                    "cannot see it); check GITHUB_REPOSITORY or --repo"
                )
        except requests.exceptions.RequestException:
            pass
        if missing:
            return f"{missing} not found in {name} (404 while {what})"
        return f"GitHub answered 404 Not Found while {what} in {name}"


def _message(error: GithubException) -> str:
    data = error.data
    message = data.get("message") if isinstance(data, dict) else None
    details = (
        [e.get("message") for e in (data.get("errors") or []) if isinstance(e, dict)]
        if isinstance(data, dict)
        else []
    )
    text = message or str(data)
    return f"{text} ({'; '.join(d for d in details if d)})" if any(details) else text


def _viewer(gh: Github, api: _Api) -> Callable[[], sticky.Identity]:
    def read() -> sticky.Identity:
        user = gh.get_user()  # lazy: the request happens on the first attribute
        return sticky.Identity(user.login, user.id)

    def viewer() -> sticky.Identity:
        try:
            return api("reading the authenticated account", read)
        except ApiError as error:
            # Actions' GITHUB_TOKEN (an installation token) may not read /user: it writes as
            # github-actions[bot]
            if error.status in (403, 404):
                return sticky.ACTIONS_BOT
            raise

    return viewer


def _plan(
    request: CommentRequest,
    context: GitHubContext,
    report_id: str,
    body: str,
    verdict: checks.Verdict | None,
    check_name: str,
    env: Mapping[str, str],
) -> list[str]:
    lines = ["dry run: nothing is sent and no file is written"]
    lines.append(f"repository: {context.repository} (API {context.api_url})")
    if context.pr is not None:
        head = f", head {context.sha[:7]}" if context.sha else ""
        lines.append(f"target: pull request #{context.pr}{head}")
    elif context.sha:
        lines.append(f"target: the open pull request for commit {context.sha[:7]}, else the commit")
    else:
        lines.append("target: none (a real run needs --pr or --sha)")
    if len(body) > sticky.MAX_BODY:
        lines.append(
            f"comment: refused, {len(body)} characters is over GitHub's {sticky.MAX_BODY:,}"
        )
    else:
        lines.append(
            f"comment: create or update the one marked {sticky.marker(report_id)} "
            f"({len(body)} characters)"
        )
    if verdict is None:
        lines.append("check run: none (no report JSON)")
    elif not request.check:
        lines.append("check run: none (--no-check)")
    else:
        lines.append(f'check run: "{check_name}" {checks.conclusion(verdict)}')
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    lines.append(
        f"step summary: {'append the report to ' + summary_path if summary_path else 'none'}"
    )
    lines.append(f"outputs: verdict={verdict.verdict if verdict else 'unknown'}, comment-url")
    lines.append(f"token: {'set' if context.token else 'missing (a real run would stop here)'}")
    return lines


def publish(request: CommentRequest, env: Mapping[str, str] | None = None) -> Published:
    """Do everything ``gitml comment`` promises; see the module docstring."""
    env = os.environ if env is None else env
    saved = None
    if request.pr_from is not None:
        # the artifact of another run: untrusted files, read only from inside its directory
        saved = artifact.read_saved(request.pr_from, request.report, request.json_path)
    text = saved.body if saved else _read_report(request.report)
    pr_file = saved.pr_file if saved else None

    if pr_file is not None:
        # pr.json was written by the pull request's run: only the commit GitHub says that run
        # was for may be commented on, and only on a pull request whose head is that commit
        trusted = triggering_run_head(env)
        if trusted is not None and pr_file.head_sha != trusted:
            raise UsageError(
                f"{request.pr_from} is for commit {(pr_file.head_sha or 'none')[:12]}, but the "
                f"run that saved it ran on {trusted[:12]}; refusing to post it"
            )
    report_id = request.report_id or (pr_file.id if pr_file else None) or sticky.marker_id(text)
    report_id = sticky.check_id(report_id or sticky.DEFAULT_ID)
    body = sticky.compose(text, report_id)
    if saved is not None:
        json_file = saved.verdict_path
        verdict = checks.parse_verdict(saved.verdict_text, json_file) if json_file else None
    else:
        json_file = _verdict_file(request)
        verdict = checks.load_verdict(json_file) if json_file else None
    # named by the id, so a report posted later by the fork-safe workflow gets the same check
    check_name = request.check_name or checks.check_name(
        None if report_id == sticky.DEFAULT_ID else report_id
    )

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
    result = Published(
        repository=context.repository,
        report_id=report_id,
        action="dry-run",
        pr=context.pr,
        sha=context.sha,
        verdict=verdict.verdict if verdict else "unknown",
    )
    if request.dry_run:
        result.plan = _plan(request, context, report_id, body, verdict, check_name, env)
        return result
    if not context.token:
        raise UsageError(
            "no GitHub token: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: "
            "${{ github.token }})"
        )

    if context.pr is None and context.sha is None:
        raise UsageError(
            "no pull request or commit to comment on: pass --pr N or --sha SHA, or run in a "
            "pull_request or push workflow"
        )

    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        result.summary_trimmed = append_step_summary(Path(summary_path), sticky.strip_marker(body))

    def save_for_later(reason: str) -> Path:
        return artifact.write_artifact(
            request.artifact_dir,
            body,
            artifact.PrFile(
                repository=context.repository,
                pr=result.pr,
                head_sha=result.sha,
                id=report_id,
                verdict=result.verdict,
                reason=reason,
            ),
            json_file,
        )

    def outputs() -> None:
        output_path = env.get("GITHUB_OUTPUT")
        if output_path:
            write_outputs(
                {"verdict": result.verdict, "comment-url": result.comment_url}, Path(output_path)
            )

    if len(body) > sticky.MAX_BODY:
        result.artifact = save_for_later("too-long")
        outputs()
        raise DataError(
            f"the comment would be {len(body):,} characters, over GitHub's "
            f"{sticky.MAX_BODY:,} limit, so it was not sent; the report is in "
            f"{'the job summary and ' if summary_path else ''}{result.artifact}. Shorten it "
            "(gitml report caps the Markdown at 64,000 characters)"
        )

    settings = RetrySettings.from_env(env)
    gh = make_client(context, settings)
    api = _Api(gh, context, settings)
    try:
        _post(
            gh,
            api,
            context,
            request,
            result,
            body,
            verdict,
            check_name,
            save_for_later,
            bool(summary_path),
            expected_head=pr_file.head_sha if pr_file else None,
        )
    finally:
        outputs()
        gh.close()
    return result


def _post(
    gh: Github,
    api: _Api,
    context: GitHubContext,
    request: CommentRequest,
    result: Published,
    body: str,
    verdict: checks.Verdict | None,
    check_name: str,
    save_for_later: Callable[[str], Path],
    summary_path: bool,
    expected_head: str | None = None,
) -> None:
    repo: Repository = gh.get_repo(context.repository)

    if result.pr is not None and (context.pr_source == "flag" or result.sha is None):
        pull = repo.get_pull(result.pr)
        head_sha = api(
            f"reading pull request #{result.pr}",
            lambda: pull.head.sha,
            missing=f"pull request #{result.pr}",
        )
        if expected_head is not None and head_sha != expected_head:
            result.action = "stale"
            result.warnings.append(
                f"pull request #{result.pr} is at {head_sha[:12]}, not at {expected_head[:12]} "
                "where this report was made (a newer push, or a pr.json naming another pull "
                "request): not posted"
            )
            return
        result.sha = result.sha or head_sha
    elif result.pr is None and result.sha is not None:
        sha = result.sha
        pulls = api(
            f"finding the pull request for commit {sha[:7]}",
            lambda: [p for p in repo.get_commit(sha).get_pulls() if p.state == "open"],
        )
        pulls.sort(key=lambda p: (p.head.sha != sha, p.number))
        if pulls:
            result.pr = pulls[0].number

    if result.pr is not None:
        thread = repo.get_issue(result.pr)
        where = f"commenting on pull request #{result.pr}"
    else:
        assert result.sha is not None  # publish() refuses a run with neither
        thread = repo.get_commit(result.sha)
        where = f"commenting on commit {result.sha[:7]}"

    try:
        upserted = api(
            where,
            lambda: sticky.upsert(thread, body, result.report_id, _viewer(gh, api)),
            missing=result.target,
        )
    except ApiError as error:
        if not error.forbidden:
            raise
        result.action = "forbidden"
        result.artifact = save_for_later("forbidden")
        result.warnings.append(
            f"this token cannot write to the {result.target} (a pull request from a fork? "
            f"{error.message.split(': ', 1)[-1]}): the report is in "
            f"{'the job summary and in ' if summary_path else ''}{result.artifact}; "
            f"{FORK_SAFE_HINT}"
        )
        return
    result.action = upserted.action
    result.comment_url = upserted.url
    result.removed_duplicates = upserted.removed_duplicates

    if verdict is None or not request.check or result.sha is None:
        return
    sha = result.sha
    try:
        result.check = api(
            f"setting the {check_name!r} check on {sha[:7]}",
            lambda: checks.publish_check(repo, sha, check_name, verdict, result.comment_url),
        )
    except ApiError as error:
        if not error.forbidden:
            raise
        result.warnings.append(
            f"could not set the {check_name!r} check run or commit status ({error.message}); "
            "give the workflow permissions: checks: write (or statuses: write)"
        )
