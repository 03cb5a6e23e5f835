"""Continuous training: the rows the monitoring step exported (logged traffic with its true
labels) go into the dataset on a branch, `gitml retrain` reproduces the pipeline on them, commits
the data with the new dvc.lock and metrics, and opens the retraining pull request on the GitHub
emulation. Nobody commits on that branch by hand: the pull request's CI, merge and release are
the first one's steps again, and they release the model `gitml retrain` trained."""

from __future__ import annotations

from gitml.demo.context import REPOSITORY, TOKEN, Context, describe_stages, git
from gitml.demo.github import emulated_github
from gitml.demo.monitoring import LABELLED
from gitml.errors import GitmlError


def retrain_through_pull_request(ctx: Context, number: int) -> None:
    """`gitml retrain --data labelled.csv --summary monitor.json` in the data scientist's clone
    of main, as the monitoring workflow's retrain job runs it: the rows are appended to data/,
    the pipeline reproduced on them, data, model and run-cache pushed to the DVC remote, one
    commit (data.dvc, dvc.lock, metrics, plots) pushed on a `gitml/retrain/...` branch, and pull
    request ``number`` opened."""
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
    added = _note_retraining(ctx, result)
    (out / f"pull-{number}-body.md").write_text(result.pr.body, encoding="utf-8")
    pull = ctx.pull(number)
    pull.clear()
    pull.update(
        branch=result.branch,
        head=result.commit,
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


def _note_retraining(ctx: Context, result) -> int:
    """What gitml retrain did, in the step's log; returns the rows added."""
    appended = result.appended
    added = appended.added if appended else 0
    ctx.progress.note(
        f"gitml retrain: {added} row(s) appended to {result.dataset}"
        + (f" ({appended.rows_before} -> {appended.rows_after})" if appended else "")
    )
    ctx.progress.note(
        f"gitml retrain: reproduced the pipeline on them ({describe_stages(result)}), pushed "
        f"{result.data_pushed} file(s) to the DVC remote, committed {', '.join(result.committed)}"
    )
    return added
