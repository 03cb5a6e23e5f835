"""``gitml retrain`` as one function: labelled rows in, a pushed branch and one open PR out.

Order matters: everything that can be refused is checked before anything is written (the files,
the GitHub settings, the branch); the pipeline is reproduced on the new data in the worktree (a
failing stage stops everything: nothing pushed, nothing committed); the new data version, the
model trained on it and the run-cache reach the DVC remote before a commit points at them; one
commit holds the ``.dvc`` file, ``dvc.lock`` and the metrics and plots that changed; the commit
becomes a branch only once the git remote took it; the pull request is opened (or its body
updated) last, and if GitHub fails then, the error says the branch is there and how to open the
pull request, which a second run also does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from gitml import dvc_adapter
from gitml.config import Settings, load_settings
from gitml.core.git import run_git
from gitml.core.model import StageRun
from gitml.errors import ConfigError, GitHubError
from gitml.retrain import body, branch, dataset, labelled
from gitml.retrain.append import Appended, append_rows
from gitml.retrain.pipeline import reproduce_and_push
from gitml.retrain.pull_request import ApiError, PullRequest, PullRequests, compare_url
from gitml.retrain.summary import read_summary


@dataclass(frozen=True)
class RetrainRequest:
    """What ``gitml retrain`` was asked to do (its options)."""

    data: tuple[Path, ...]
    dataset: str | None = None
    branch: str | None = None
    pr: bool = True
    #: reproduce the pipeline and commit its dvc.lock and metrics with the data (else the
    #: commit holds the data alone and its dvc.lock is stale: gitml promote refuses it)
    reproduce: bool = True
    summary: Path | None = None
    repository: str | None = None
    api_url: str | None = None
    remote: str = "origin"
    root: Path = Path(".")
    #: the date in the default branch name (YYYY-MM-DD, UTC); None: today
    date: str | None = None


@dataclass
class Retrained:
    """What a retraining did, as data for the command to render."""

    model: str = ""
    #: set when there was nothing to do; the one line that says why
    nothing: str | None = None
    dataset: str = ""
    dvc_file: str = ""
    branch: str = ""
    appended: Appended | None = None
    sources: tuple[tuple[str, int], ...] = ()
    #: files pushed to the DVC remote: the data, and with a reproduction its outputs and run-cache
    data_pushed: int = 0
    #: the reproduction's stages (empty without one)
    stages: list[StageRun] = field(default_factory=list)
    reproduced: bool = False
    #: the files of the commit, relative to the project root
    committed: list[str] = field(default_factory=list)
    commit: str | None = None
    #: "created", "updated", "unchanged" or None (no pull request asked for, or none needed)
    pr_action: str | None = None
    pr: PullRequest | None = None
    notes: list[str] = field(default_factory=list)


def model_name(root: Path, settings: Settings) -> str:
    """``[tool.gitml.retrain] model``, else the promoted artifact, else dvc.yaml's one model."""
    name = settings.retrain.model or settings.promote.artifact
    if name:
        return name
    models = dvc_adapter.project_outline(root).model_artifacts
    if len(models) > 1:
        raise ConfigError(
            f"dvc.yaml declares several models ({', '.join(models)}); name the one to retrain "
            'with [tool.gitml.retrain] model = "NAME"'
        )
    return models[0] if models else "model"


def retrain(request: RetrainRequest, env: Mapping[str, str] | None = None) -> Retrained:
    """Append ``request.data`` to the dataset on a retraining branch, push, open or update the PR."""
    env = os.environ if env is None else env
    root = Path(request.root).resolve()
    files = labelled.read_files(list(request.data))
    result = Retrained(sources=tuple((f.path.name, len(f.rows)) for f in files))
    if not any(rows for _, rows in result.sources):
        names = ", ".join(str(f.path) for f in files)
        result.nothing = f"Nothing to do: {names} {'has' if len(files) == 1 else 'have'} no rows."
        return result
    github = PullRequests.from_env(env, request.repository, request.api_url) if request.pr else None
    summary = read_summary(request.summary) if request.summary else None
    settings = load_settings(root)
    tracked, path = dataset.find_tracked(root, request.dataset, settings)
    result.model = model = model_name(root, settings)
    open_pr = github.find_open(model, settings.base) if github else None
    date = request.date or datetime.now(timezone.utc).date().isoformat()
    target = branch.choose(
        root,
        request.remote,
        settings.base,
        model,
        date,
        request.branch,
        open_pr.branch if open_pr else None,
    )
    result.branch, result.dvc_file = target.name, tracked.dvc_file
    _append_and_push(root, request, files, tracked, path, target, result)
    if result.commit is None and (not target.exists or github is None):
        result.nothing = _nothing_new(result)
        return result
    if github is not None:
        tip = result.commit or target.start
        _open_or_update(github, settings.base, root, request.remote, tip, result, open_pr, summary)
    return result


def _append_and_push(root, request, files, tracked, path, target, result: Retrained) -> None:
    top = Path(run_git(root, "rev-parse", "--show-toplevel").stdout.strip())
    inner = root.relative_to(top)
    with branch.worktree(root, target.start) as checkout:
        work = checkout / inner
        dvc_adapter.share_local_settings(root, work)
        dvc_adapter.checkout_data(work, tracked.dvc_file)
        found = dataset.resolve(work, tracked, path)
        existing = dataset.read(work, found)
        new = labelled.check(files, existing, found)
        result.dataset, result.sources = found.path, new.sources
        result.appended = appended = append_rows(work, found, existing, new.frame)
        if not appended.added:
            return
        dvc_adapter.track(work, tracked.output)
        paths = _train_or_push_data(work, tracked.dvc_file, request.reproduce, result)
        message = body.commit_message(
            result.model, found.path, appended, new.sources, stage_words(result)
        )
        sha = branch.commit(work, paths, message)
        result.committed = branch.committed_files(work, sha)
    branch.push(root, request.remote, sha, target.name)
    result.commit = sha


def _train_or_push_data(work: Path, dvc_file: str, reproduce: bool, result: Retrained) -> list:
    """Reproduce and push everything (default), or push the data alone; the files to commit."""
    if not reproduce:
        result.data_pushed = dvc_adapter.push_data(work, dvc_file)
        return [dvc_file]
    reproduction = reproduce_and_push(work, dvc_file)
    result.stages, result.reproduced = reproduction.stages, True
    result.data_pushed = reproduction.pushed
    return reproduction.files or [dvc_file]


def stage_words(result: Retrained) -> str | None:
    """``prepare ran, train ran, evaluate ran``; None when the pipeline was not reproduced."""
    if not result.reproduced:
        return None
    return ", ".join(f"{stage.name} {stage.status}" for stage in result.stages) or "no stages"


def _nothing_new(result: Retrained) -> str:
    appended = result.appended
    total = sum(rows for _, rows in result.sources)
    dropped = (appended.duplicates + appended.repeated) if appended else total
    return (
        f"Nothing to do: all {total} labelled row(s) are already in {result.dataset} "
        f"({dropped} duplicate(s) dropped)."
    )


def _open_or_update(github, base, root, remote, tip, result, open_pr, summary) -> None:
    commits = branch.history(root, f"{remote}/{base}", tip)
    previous = body.previous_summary(open_pr.body) if open_pr else None
    section = body.summary_markdown(summary) if summary else previous
    text = body.pr_body(result.model, result.dataset, result.dvc_file, base, commits, section)
    title = body.title(result.model, commits)
    try:
        if open_pr is None:
            result.pr = github.create(base, result.branch, title, text)
            result.pr_action = "created"
        else:
            changed = github.update(open_pr, title, text)
            result.pr, result.pr_action = open_pr, "updated" if changed else "unchanged"
    except ApiError as error:
        if open_pr is not None:
            raise GitHubError(
                f"branch {result.branch} is on {remote}, but pull request #{open_pr.number} could "
                f"not be updated: {error.message}. Run gitml retrain again to update it"
            ) from error
        raise GitHubError(
            f"branch {result.branch} is on {remote}, but the pull request could not be opened: "
            f"{error.message}. Open it by hand at {compare_url(github.context, base, result.branch)}"
            ", or run gitml retrain again: it finds the branch and opens the pull request"
        ) from error
