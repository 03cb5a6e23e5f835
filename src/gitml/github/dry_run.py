"""``gitml comment --dry-run``: what a real run would do, one line per thing, sending nothing."""

from __future__ import annotations

from collections.abc import Mapping

from gitml.github import checks, sticky
from gitml.github.request import CommentRequest, Target


def plan(request: CommentRequest, target: Target, env: Mapping[str, str]) -> tuple[str, ...]:
    """The lines ``gitml comment --dry-run`` prints."""
    context = target.context
    lines = ["dry run: nothing is sent and no file is written"]
    lines.append(f"repository: {context.repository} (API {context.api_url})")
    if context.pr is not None:
        head = f", head {context.sha[:7]}" if context.sha else ""
        lines.append(f"target: pull request #{context.pr}{head}")
    elif context.sha:
        lines.append(f"target: the open pull request for commit {context.sha[:7]}, else the commit")
    else:
        lines.append("target: none (a real run needs --pr or --sha)")
    lines.append(_comment_line(target))
    lines.append(_check_line(request, target))
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    lines.append(
        f"step summary: {'append the report to ' + summary_path if summary_path else 'none'}"
    )
    lines.append(f"outputs: verdict={target.verdict_name}, comment-url")
    lines.append(f"token: {'set' if context.token else 'missing (a real run would stop here)'}")
    return tuple(lines)


def _comment_line(target: Target) -> str:
    size = len(target.body)
    if size > sticky.MAX_BODY:
        return f"comment: refused, {size} characters is over GitHub's {sticky.MAX_BODY:,}"
    return (
        f"comment: create or update the one marked {sticky.marker(target.report_id)} "
        f"({size} characters)"
    )


def _check_line(request: CommentRequest, target: Target) -> str:
    if target.verdict is None:
        return "check run: none (no report JSON)"
    if not request.check:
        return "check run: none (--no-check)"
    return f'check run: "{target.check_name}" {checks.conclusion(target.verdict)}'
