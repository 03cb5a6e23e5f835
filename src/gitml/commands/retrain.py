"""``gitml retrain``: append labelled rows to the dataset on a branch and open one retraining PR."""

from __future__ import annotations

from pathlib import Path

import click

from gitml.retrain.retrain import Retrained, RetrainRequest, stage_words

#: the options that belong to one half only
PREPARE_ONLY = ("data", "dataset", "reproduce", "summary", "fetch")
PUBLISH_ONLY = ("pr", "repository", "api_url", "token_file")


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
        pushed = (
            f" and pushed branch {result.branch}"
            if result.pushed
            else (f" for branch {result.branch} (not pushed yet)")
        )
        lines.append(
            f"Pushed {result.data_pushed} file(s) to the DVC remote, committed "
            f"{', '.join(result.committed) or result.dvc_file} ({result.commit[:12]}){pushed}."
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
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="CSV of labelled rows with the training data's columns (features and target); "
    "repeat for several files. Required, except with --publish.",
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
    help="Branch to commit on (a plain branch name). Default: the newest unmerged retraining "
    "branch of the model's, else gitml/retrain/<model>-<date>.",
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
    "--prepare",
    "prepare_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Only the half that trains: append, reproduce, push the data to the DVC remote, "
    "commit, and write the commit and what it did to DIR. No token, no git push.",
)
@click.option(
    "--publish",
    "publish_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Only the half that publishes: check what --prepare wrote to DIR against the default "
    "branch, push the branch and open or update the pull request. Runs no project code.",
)
@click.option(
    "--fetch/--no-fetch",
    default=True,
    show_default=True,
    help="Ask the git remote for its branches; --no-fetch uses the remote-tracking branches "
    "the checkout fetched (a job without credentials).",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="GITML_TOKEN_FILE",
    metavar="FILE",
    help="File holding the GitHub token, read only to push and open the pull request (also "
    "$GITML_TOKEN_FILE). Default: GITHUB_TOKEN, which the half that trains must not have.",
)
@click.option(
    "--repo", "repository", metavar="OWNER/NAME", help="Repository. Default: $GITHUB_REPOSITORY."
)
@click.option(
    "--api-url",
    metavar="URL",
    help="GitHub API URL. Default: $GITHUB_API_URL, else https://api.github.com.",
)
@click.pass_context
def retrain(ctx: click.Context, data: tuple[Path, ...], **options: object) -> None:
    """Append new labelled rows to the DVC-tracked dataset on a branch, retrain, open a PR.

    Checks that every file has the dataset's columns, types and known classes (a file that does
    not is refused whole, naming its first bad row, exit 2), drops rows already present, writes
    the dataset atomically and runs `dvc add`, all in a temporary worktree at the default
    branch's tip: an existing retraining branch brings only its data version, and a branch
    holding commits gitml did not write is refused (exit 1, naming them). Then it reproduces the
    pipeline there (as `gitml run`; a failing stage stops everything, exit 3, nothing pushed or
    committed), pushes the new data, the outputs and the run-cache to the DVC remote, and makes
    ONE commit holding the .dvc file, dvc.lock and the metrics and plots that changed. It pushes
    the branch and opens the pull request (one open retraining PR per model, found by its marker
    and its author: later runs add to its branch and update its body); the PR workflow then
    compares the retrained model with the one on the base branch, and the merge releases it.

    The stages never hold the GitHub token: the half that trains (--prepare) refuses to run with
    GITHUB_TOKEN, GH_TOKEN or GIT_TOKEN in its environment, and the half that publishes
    (--publish) runs no project code. In one call, give the token as a file (--token-file),
    read after the stages are done. Writes branch, commit, pr-number and pr-url to
    $GITHUB_OUTPUT when set. See docs/security.md.

    \b
    Examples:
      gitml retrain --data labelled.csv --token-file ~/.config/gitml/token
      gitml retrain --data labelled.csv --summary monitor.json --prepare handoff/
      GITHUB_TOKEN=... gitml retrain --publish handoff/
      gitml retrain --data week1.csv --data week2.csv --no-pr
      gitml retrain --data labelled.csv --no-repro   # data only: dvc.lock stays stale
    """
    from gitml.core.github_output import write_outputs

    prepare_dir = options["prepare_dir"]
    result = _run(ctx, data, dict(options))
    for line in render(result):
        click.echo(line)
    if prepare_dir is not None and result.commit:
        click.echo(f"Publish it with: gitml retrain --publish {prepare_dir}")
    write_outputs(step_outputs(result))


def _run(ctx: click.Context, data: tuple[Path, ...], options: dict) -> Retrained:
    """The half (or both) the options ask for; options of the other half are refused."""
    from click.core import ParameterSource

    from gitml.errors import UsageError
    from gitml.retrain.prepare import prepare
    from gitml.retrain.publish import PublishRequest, publish
    from gitml.retrain.retrain import retrain as run_retrain

    prepare_dir, publish_dir = options.pop("prepare_dir"), options.pop("publish_dir")
    if prepare_dir and publish_dir:
        raise UsageError("--prepare and --publish are the two halves: run them one at a time")
    given = {k for k in options if ctx.get_parameter_source(k) == ParameterSource.COMMANDLINE}
    if data:
        given.add("data")
    if publish_dir is not None:
        _refuse(given & set(PREPARE_ONLY), "--publish")
        keep = {k: options[k] for k in ("pr", "repository", "api_url", "branch", "token_file")}
        return publish(PublishRequest(folder=publish_dir, **keep))
    if not data:
        raise UsageError("--data FILE is required (the labelled rows to add)")
    if prepare_dir is not None:
        _refuse(given & set(PUBLISH_ONLY), "--prepare")
        return prepare(RetrainRequest(data=data, **options), prepare_dir)
    return run_retrain(RetrainRequest(data=data, **options))


def _refuse(options: set[str], mode: str) -> None:
    if options:
        from gitml.errors import UsageError

        names = ", ".join(f"--{name.replace('_', '-')}" for name in sorted(options))
        raise UsageError(f"{names} {'does' if len(options) == 1 else 'do'} not apply to {mode}")
