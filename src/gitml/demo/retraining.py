"""Continuous training: the rows the monitoring step exported (logged traffic with its true
labels) go into the dataset on a branch, and `gitml retrain` opens the retraining pull request on
the GitHub emulation. The pull request's CI, merge and release are the first one's steps again."""

from __future__ import annotations

from gitml.demo.context import REPOSITORY, TOKEN, Context, describe_stages, git
from gitml.demo.github import emulated_github
from gitml.demo.monitoring import LABELLED
from gitml.errors import GitmlError


def retrain_through_pull_request(ctx: Context, number: int) -> None:
    """`gitml retrain --data labelled.csv --summary monitor.json` in the data scientist's clone
    of main: the rows are appended to data/, pushed to the DVC remote, committed on a
    `gitml/retrain/...` branch that is pushed, and pull request ``number`` is opened."""
    from gitml.retrain.retrain import RetrainRequest, retrain

    if not ctx.facts.get("retrain_due"):
        raise GitmlError(
            "the monitoring step found no drift or failed gate with labelled rows, so the "
            "monitoring workflow would not retrain; run `gitml demo --restart`"
        )
    root = ctx.folder.workspace
    monitoring = ctx.folder.monitoring
    git(root, "checkout", "--quiet", "main")
    out = ctx.folder.github
    with emulated_github(ctx, out / f"pull-{number}-opened-state.json") as github:
        request = RetrainRequest(
            data=(monitoring / LABELLED,),
            summary=monitoring / "report.json",
            repository=REPOSITORY,
            api_url=github.url,
            root=root,
        )
        result = retrain(request, {**ctx.env, "GITHUB_TOKEN": TOKEN})
    if result.pr is None:
        raise GitmlError(f"gitml retrain opened no pull request: {result.nothing or 'no reason'}")
    if result.pr.number != number:
        raise GitmlError(
            f"gitml retrain opened pull request #{result.pr.number}; the demo expected #{number}"
        )
    appended = result.appended
    added = appended.added if appended else 0
    ctx.progress.note(
        f"gitml retrain: {added} row(s) appended to {result.dataset}"
        + (f" ({appended.rows_before} -> {appended.rows_after})" if appended else "")
        + f", {result.data_pushed} file(s) pushed to the DVC remote"
    )
    (out / f"pull-{number}-body.md").write_text(result.pr.body, encoding="utf-8")
    pull = ctx.pull(number)
    pull.clear()
    pull.update(
        branch=result.branch,
        head=train_the_branch(ctx, result.branch),
        base=git(root, "rev-parse", "main"),
        title=result.pr.title,
        url=result.pr.url,
        rows=added,
    )
    ctx.progress.note(
        f"branch {result.branch} pushed; opened pull request #{number}: {result.pr.url}"
    )
    ctx.show(
        "",
        f"gitml retrain: {added} labelled row(s) from the monitoring logs appended to "
        f"{result.dataset} on branch {result.branch}; pull request #{number}: {result.pr.url}",
    )


def train_the_branch(ctx: Context, branch: str) -> str:
    """The data scientist trains the retraining branch and pushes the result to it, as for the
    first pull request; returns the branch's new head.

    `gitml retrain` commits only the data (``data.dvc``). Without this commit, the merged
    ``dvc.lock`` and ``metrics.json`` would still name the model on main, and the release would
    register and build that model under the new version: the version must point at the model
    trained on the new data."""
    from gitml.run import run_pipeline

    root = ctx.folder.workspace
    git(root, "checkout", "--quiet", "-B", branch, f"refs/remotes/origin/{branch}")
    # `gitml run --pull --push`: the pull checks out the branch's data (git does not)
    result = run_pipeline(root, pull=True, push=True)
    ctx.progress.note(f"trained on {branch}: {describe_stages(result)}")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Retrain the model on the new labelled rows")
    git(root, "push", "--quiet", "origin", branch)
    git(root, "checkout", "--quiet", "main")
    return git(root, "rev-parse", branch)
