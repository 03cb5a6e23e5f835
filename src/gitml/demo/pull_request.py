"""A pull request's life in the demo: opened by a person, checked by the PR workflow, commented
on, merged. The steps take the pull request's number (and the first one its branch); what they
learn goes into the demo's facts under that number."""

from __future__ import annotations

from gitml.demo.context import REPOSITORY, Context, clone, describe_stages, git
from gitml.demo.github import emulated_github, pull_request_environment
from gitml.errors import GatesFailed, GitmlError

#: the hyper-parameter the first pull request changes: deeper trees rank better (roc_auc, log_loss)
PARAM_LINE = ("    max_depth: 4\n", "    max_depth: 8\n")


def open_pull_request(ctx: Context, number: int, branch: str) -> None:
    """A branch that changes one hyper-parameter, trained and pushed like a data scientist does."""
    from gitml.run import run_pipeline

    root = ctx.folder.workspace
    git(root, "checkout", "--quiet", "-B", branch, ctx.facts["baseline"])
    params = root / "params.yaml"
    text = params.read_text(encoding="utf-8")
    old, new = PARAM_LINE
    if old not in text:
        raise GitmlError(f"params.yaml has no line {old.strip()!r} to change")
    params.write_text(text.replace(old, new, 1), encoding="utf-8")
    ctx.progress.note(f"branch {branch}: train.params.max_depth 4 -> 8")
    result = run_pipeline(root, push=True)
    ctx.progress.note(f"trained on the branch: {describe_stages(result)}")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Experiment: deeper trees (max_depth 4 -> 8)")
    git(root, "push", "--quiet", "--force", "origin", branch)
    pull = ctx.pull(number)
    pull.clear()  # a rerun opens it again
    pull.update(
        branch=branch,
        head=git(root, "rev-parse", "HEAD"),
        base=ctx.facts["baseline"],
        title="Experiment: deeper trees",
    )
    ctx.progress.note(f"pushed {branch} and opened pull request #{number}")


def check_pull_request(ctx: Context, number: int) -> None:
    """What the PR workflow runs on a fresh checkout of the pull request's branch:
    `gitml run --pull`, then `gitml report --base origin/main`."""
    from gitml.core.gates import describe_failures
    from gitml.report import terminal
    from gitml.report.assemble import build_report
    from gitml.report.write import write_report
    from gitml.run import run_pipeline

    pull = ctx.pull(number)
    root = ctx.folder.ci_pull_request(number)
    clone(ctx, root, pull["branch"])
    ctx.progress.note(f"fresh clone of {pull['branch']} in {root}")
    result = run_pipeline(root, pull=True)
    ctx.progress.note(
        f"gitml run --pull: pulled {result.pulled} file(s); {describe_stages(result)}"
    )
    report = build_report(base="origin/main", root=root)
    written = write_report(
        report,
        markdown_path=root / "report.md",
        json_path=root / "report.json",
        html_path=root / "report.html",
    )
    ctx.progress.note(f"gitml report --base origin/main: wrote {len(written.paths)} files")
    pull["verdict"] = report.verdict
    if report.failed_gates:
        raise GatesFailed(
            f"the quality gates failed on pull request #{number}: "
            f"{describe_failures(report.failed_gates)}"
        )
    ctx.show(
        "",
        f"The report on pull request #{number}, as the reviewer reads it:",
        "",
        terminal.render(report, html_path=str(root / "report.html")),
    )


def post_comment(ctx: Context, number: int) -> None:
    """`gitml comment` against the GitHub emulation on 127.0.0.1: the sticky comment and check,
    posted twice (a second push to the pull request) to show it is updated, never repeated."""
    from gitml.github.publish import CommentRequest, publish

    ci = ctx.folder.ci_pull_request(number)
    out = ctx.folder.github
    out.mkdir(parents=True, exist_ok=True)
    with emulated_github(ctx, out / f"pull-{number}-state.json") as github:
        ctx.progress.note(f"GitHub emulation at {github.url}")
        env = pull_request_environment(ctx, github, number)
        request = CommentRequest(
            report=ci / "report.md",
            json_path=ci / "report.json",
            artifact_dir=out / f"pull-{number}-artifact",
        )
        first = publish(request, env=env)
        again = publish(request, env=env)
        comments = github.issue_comments(REPOSITORY, number)
        checks = github.check_runs(REPOSITORY)
    if not comments:
        raise GitmlError(f"the comment did not reach pull request #{number} on the emulation")
    (out / f"pull-{number}-comment.md").write_text(comments[-1]["body"], encoding="utf-8")
    ctx.pull(number)["comment_url"] = first.comment_url
    ctx.progress.note(f"{first.action} the gitml comment: {first.comment_url}")
    ctx.progress.note(
        f"posted again (a second push): {again.action}; the pull request has {len(comments)} "
        "gitml comment"
    )
    if checks:
        ctx.progress.note(f"check run {checks[-1]['name']!r}: {checks[-1].get('conclusion')}")


def merge(ctx: Context, number: int) -> None:
    """Merge the pull request into main (a merge commit, as GitHub's merge button makes); main
    is first put back where the pull request found it, so a rerun merges the same way."""
    pull = ctx.pull(number)
    root = ctx.folder.workspace
    git(root, "checkout", "--quiet", "main")
    git(root, "reset", "--quiet", "--hard", pull["base"])
    # the head commit is in this clone: the data scientist made it, or gitml retrain did in a
    # worktree of it
    message = f"Merge pull request #{number} from {pull['branch']}"
    git(root, "merge", "--quiet", "--no-ff", "-m", message, pull["head"])
    git(root, "push", "--quiet", "--force", "origin", "main")
    pull["merge"] = git(root, "rev-parse", "HEAD")
    ctx.progress.note(f"main is now {pull['merge'][:12]}")
