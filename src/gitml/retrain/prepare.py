"""The half of ``gitml retrain`` that trains: labelled rows in, one commit and its hand-off out.

It holds no GitHub token and no git push credential (``request.refuse_tokens`` makes sure of it
before any work), since it runs the pipeline's stages. Order matters: everything that can be
refused is checked before anything is written (the files, the branch name, the branch's commits);
the work happens in a temporary worktree at the default branch's tip, taking from an existing
retraining branch only its data version (``trust.py``); the pipeline is reproduced on the new data
(a failing stage stops everything: nothing pushed, nothing committed); the new data version, the
model trained on it and the run-cache reach the DVC remote before a commit points at them; one
commit holds the ``.dvc`` file, ``dvc.lock`` and the metrics and plots that changed. Nothing is
pushed to git: the commit goes to the hand-off folder as a bundle, for ``publish``.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from gitml import dvc_adapter
from gitml.config import load_settings
from gitml.core.git import run_git, temporary_worktree
from gitml.retrain import body, branch, dataset, handoff, labelled, trust
from gitml.retrain.append import append_rows
from gitml.retrain.pipeline import reproduce_and_push
from gitml.retrain.request import Retrained, RetrainRequest, model_name, refuse_tokens
from gitml.retrain.summary import read_summary


def prepare(request: RetrainRequest, folder: Path) -> Retrained:
    """Append ``request.data`` to the dataset on the retraining branch's next commit, reproduce,
    push the data to the DVC remote, and write the hand-off to ``folder``."""
    if request.reproduce:
        refuse_tokens(os.environ)
    if request.branch is not None:
        branch.check_name(request.branch)
    root = Path(request.root).resolve()
    files = labelled.read_files(list(request.data))
    result = Retrained(sources=tuple((f.path.name, len(f.rows)) for f in files))
    summary = read_summary(request.summary) if request.summary else None
    settings = load_settings(root)
    result.model = model = model_name(root, settings)
    if not any(rows for _, rows in result.sources):
        names = ", ".join(str(f.path) for f in files)
        result.nothing = f"Nothing to do: {names} {'has' if len(files) == 1 else 'have'} no rows."
        _hand_off(folder, result, settings.base, None, None, None, None)
        return result
    date = request.date or datetime.now(timezone.utc).date().isoformat()
    target = branch.choose(
        root, request.remote, settings.base, model, date, request.branch, request.fetch
    )
    result.branch = target.name
    bundle = _append_and_commit(root, request, files, settings, target, result)
    if result.commit is None:
        result.nothing = _nothing_new(result)
    markdown = body.summary_markdown(summary) if summary else None
    _hand_off(folder, result, settings.base, target.base, target.tip, markdown, bundle)
    return result


def _append_and_commit(root, request, files, settings, target, result: Retrained) -> bytes | None:
    """Everything in the worktree: the data version, the rows, the reproduction, the commit;
    the commit as a bundle (None when no row was new)."""
    top = Path(run_git(root, "rev-parse", "--show-toplevel").stdout.strip())
    inner = root.relative_to(top)
    with temporary_worktree(root, target.base, prefix="gitml-retrain-") as checkout:
        work = checkout / inner
        dvc_adapter.share_local_settings(root, work)
        tracked, path = dataset.find_tracked(work, request.dataset, settings)
        result.dvc_file = tracked.dvc_file
        parents = [target.base]
        if target.tip is not None:
            prefix = "" if str(inner) == "." else inner.as_posix()
            rules = trust.allowed(work, tracked.dvc_file, prefix)
            parents = trust.take_data_version(checkout, target.name, target.base, target.tip, rules)
        dvc_adapter.checkout_data(work, tracked.dvc_file)
        found = dataset.resolve(work, tracked, path, settings)
        existing = dataset.read(work, found)
        new = labelled.check(files, existing, found)
        result.dataset, result.sources = found.path, new.sources
        result.appended = appended = append_rows(work, found, existing, new.frame)
        if not appended.added:
            return None
        dvc_adapter.track(work, tracked.output)
        paths = _train_or_push_data(work, tracked.dvc_file, request.reproduce, result)
        message = body.commit_message(
            result.model, found.path, appended, new.sources, stage_words(result)
        )
        result.commit = branch.commit(work, paths, message, parents)
        result.committed = branch.committed_files(work, result.commit)
        return branch.bundle(checkout, result.commit, parents)


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


def _hand_off(folder, result: Retrained, base, base_sha, start, summary, bundle) -> None:
    appended = result.appended
    handoff.write(
        folder,
        handoff.Prepared(
            model=result.model,
            base=base,
            base_sha=base_sha,
            branch=result.branch or None,
            start=start,
            commit=result.commit,
            dataset=result.dataset,
            dvc_file=result.dvc_file or None,
            reproduced=result.reproduced,
            stages=tuple((s.name, str(s.status), s.seconds) for s in result.stages),
            data_pushed=result.data_pushed,
            committed=tuple(result.committed),
            appended=(appended.added, appended.duplicates, appended.repeated, appended.rows_before)
            if appended
            else None,
            sources=result.sources,
            nothing=result.nothing,
        ),
        summary,
        bundle,
    )
