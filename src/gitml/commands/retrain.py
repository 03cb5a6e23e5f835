"""``gitml retrain``: append labelled rows to the dataset on a branch and open one retraining PR."""

from __future__ import annotations

from pathlib import Path

import click

from gitml.retrain.retrain import Retrained, RetrainRequest, stage_words


def render(result: Retrained) -> list[str]:
    """The lines ``gitml retrain`` prints on stdout."""
    if result.nothing and result.pr_action is None:
        return [result.nothing]
    lines = []
    appended = result.appended
    if appended is not None:
        dropped = appended.duplicates + appended.repeated
        lines.append(
            f"Appended {appended.added} row(s) to {result.dataset} "
            f"({appended.rows_before} -> {appended.rows_after}); {dropped} duplicate(s) dropped."
        )
    if result.commit:
        if result.reproduced:
            lines.append(f"Reproduced the pipeline on the new data: {stage_words(result)}.")
        lines.append(
            f"Pushed {result.data_pushed} file(s) to the DVC remote, committed "
            f"{', '.join(result.committed) or result.dvc_file} ({result.commit[:12]}) and "
            f"pushed branch {result.branch}."
        )
        if not result.reproduced:
            lines.append(
                "Not reproduced (--no-repro): the branch's dvc.lock is stale, so gitml promote "
                "refuses it until the pipeline is reproduced and dvc.lock committed."
            )
    else:
        lines.append(f"No new rows; branch {result.branch} is unchanged.")
    if result.pr is not None:
        action = {"created": "Opened", "updated": "Updated", "unchanged": "Unchanged:"}
        lines.append(
            f"{action[result.pr_action or 'unchanged']} pull request #{result.pr.number}: "
            f"{result.pr.url}"
        )
    return lines


def step_outputs(result: Retrained) -> dict[str, str]:
    """What the workflow's later steps may use: the branch, its new commit and the PR (empty
    when there was nothing to do)."""
    pr = result.pr
    return {
        "branch": result.branch,
        "commit": result.commit or "",
        "pr-number": str(pr.number) if pr is not None else "",
        "pr-url": pr.url if pr is not None else "",
    }


@click.command()
@click.option(
    "--data",
    "data",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="CSV of labelled rows with the training data's columns (features and target); "
    "repeat for several files.",
)
@click.option(
    "--dataset",
    metavar="PATH",
    help="DVC-tracked data file to append to. Default: [tool.gitml.retrain] dataset, else the "
    "one tracked file or folder the pipeline depends on.",
)
@click.option(
    "--branch",
    metavar="NAME",
    help="Branch to commit on. Default: the open retraining PR's, else an unmerged "
    "retraining branch of the model's, else gitml/retrain/<model>-<date>.",
)
@click.option(
    "--pr/--no-pr",
    default=True,
    show_default=True,
    help="Open (or update) the model's retraining pull request.",
)
@click.option(
    "--repro/--no-repro",
    "reproduce",
    default=True,
    show_default=True,
    help="Reproduce the pipeline on the new data and commit dvc.lock and the metrics with it. "
    "With --no-repro the commit holds the data alone: its dvc.lock is stale and gitml promote "
    "refuses it until someone reproduces the pipeline on the branch.",
)
@click.option(
    "--summary",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Monitoring summary for the PR body: gitml monitor's --json report (drifted features, "
    "performance on labelled rows), or any Markdown file shown as written.",
)
@click.option(
    "--repo", "repository", metavar="OWNER/NAME", help="Repository. Default: $GITHUB_REPOSITORY."
)
@click.option(
    "--api-url",
    metavar="URL",
    help="GitHub API URL. Default: $GITHUB_API_URL, else https://api.github.com.",
)
def retrain(data: tuple[Path, ...], **options: object) -> None:
    """Append new labelled rows to the DVC-tracked dataset on a branch, retrain, open a PR.

    Checks that every file has the dataset's columns, types and known classes (a file that does
    not is refused whole, naming its first bad row), drops rows already present, writes the
    dataset atomically and runs `dvc add`, all in a temporary worktree of the branch. Then it
    reproduces the pipeline there (as `gitml run`; a failing stage stops everything, exit 3,
    nothing pushed or committed), pushes the new data, the outputs and the run-cache to the DVC
    remote, and makes ONE commit holding the .dvc file, dvc.lock and the metrics and plots that
    changed, with a message naming the rows, their source and the stages reproduced. It pushes
    the branch and opens the pull request (one open retraining PR per model: later runs add to
    its branch, reproducing again, and update its body); the PR workflow then compares the
    retrained model with the one on the base branch, and the merge releases it. Reads
    GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN (a token that may push and open PRs;
    see docs/security.md). Writes branch, commit, pr-number and pr-url to $GITHUB_OUTPUT when
    set.

    \b
    Examples:
      gitml retrain --data labelled.csv
      gitml retrain --data labelled.csv --summary monitor.json
      gitml retrain --data week1.csv --data week2.csv --no-pr
      gitml retrain --data labelled.csv --no-repro   # data only: dvc.lock stays stale
      gitml retrain --data labelled.csv --dataset data/train.csv --branch retrain/june
    """
    from gitml.core.github_output import write_outputs
    from gitml.retrain.retrain import retrain as run_retrain

    result = run_retrain(RetrainRequest(data=data, **options))  # type: ignore[arg-type]
    for line in render(result):
        click.echo(line)
    write_outputs(step_outputs(result))
