"""DVC experiments for ``gitml sweep``.

Every sweep run is a real DVC experiment (`dvc exp show`, `dvc exp apply`, `dvc exp branch`).
Parallel runs go through DVC's own queue (`dvc exp run --queue` + `dvc queue start -j N`):
`--temp` runs share one stash, so they cannot safely run side by side."""

from __future__ import annotations

import os
from pathlib import Path

from gitml.dvc_adapter.failures import dvc_failure
from gitml.dvc_adapter.repository import DvcRepo, dvc_environment, open_repo
from gitml.dvc_adapter.reproduction import scripts_on_path
from gitml.errors import (
    ConfigError,
    PipelineError,
    describe_exception,
)


def param_names(repo: DvcRepo) -> dict[str, set[str]]:
    """The dotted names of every param in the workspace's params files: file -> names."""
    from dvc.utils.flatten import flatten

    shown = repo.params.show()  # the workspace is keyed "" here
    names: dict[str, set[str]] = {}
    for file, entry in shown.get("", {}).get("data", {}).items():
        names[os.path.relpath(os.path.join(repo.root_dir, file), repo.root_dir)] = set(
            flatten(entry.get("data") or {})
        )
    return names


def _experiment_ref(repo: DvcRepo, name: str) -> str:
    """The git ref of experiment NAME on the current commit."""
    from dvc.repo.experiments.refs import ExpRefInfo

    return str(ExpRefInfo(baseline_sha=repo.scm.get_rev(), name=name))


def _experiment_rev(repo: DvcRepo, name: str) -> str | None:
    return repo.scm.get_ref(_experiment_ref(repo, name))


def _forget_experiment(repo: DvcRepo, name: str) -> None:
    """Drop an earlier experiment NAME on this commit, so the new run replaces it. Not
    ``--force``: DVC's force also reruns every stage, skipping the run-cache that lets a rerun
    restore a run it has already seen (pushed by a matrix job, or from the local cache)."""
    ref = _experiment_ref(repo, name)
    if repo.scm.get_ref(ref):
        repo.scm.remove_ref(ref)


def run_experiment(
    repo: DvcRepo, name: str, overrides: list[str], temp: bool, pull: bool = False
) -> str:
    """Run one experiment (``dvc exp run -S ... --name NAME``, replacing an earlier run of that
    name) and return its commit; in the workspace unless ``temp``. With ``pull``, a stage the
    remote's run-cache knows is restored from the remote instead of run (``--pull``). A failure
    is a gitml error."""
    from dvc.exceptions import DvcException

    try:
        with dvc_environment(scripts_on_path()):
            _forget_experiment(repo, name)
            repo.experiments.run(params=overrides, name=name, tmp_dir=temp, pull=pull)
    except DvcException as error:
        raise dvc_failure(error) from error
    rev = _experiment_rev(repo, name)
    if rev is None:
        raise PipelineError(f"experiment {name} left no result; see DVC's output above")
    return rev


def run_experiments_in_parallel(
    repo: DvcRepo, runs: dict[str, list[str]], jobs: int
) -> dict[str, str | Exception]:
    """Queue every run (name -> overrides) and run the queue on ``jobs`` DVC workers; returns
    name -> the experiment's commit, or the error that stopped it."""
    from dvc.exceptions import DvcException

    outcome: dict[str, str | Exception] = {}
    with dvc_environment(scripts_on_path()):
        for name, overrides in runs.items():
            try:
                _forget_experiment(repo, name)
                repo.experiments.run(params=overrides, name=name, queue=True)
            except DvcException as error:
                outcome[name] = dvc_failure(error)
        repo.experiments.reproduce_celery(jobs=jobs)
    for name in runs:
        if name in outcome:
            continue
        rev = _experiment_rev(repo, name)
        outcome[name] = rev if rev else PipelineError(_queue_failure(repo, name))
    return outcome


def _queue_failure(repo: DvcRepo, name: str) -> str:
    """The last meaningful line of a failed queued experiment's output."""
    try:
        queue = repo.experiments.celery_queue
        entry = next(done.entry for done in queue.iter_failed() if done.entry.name == name)
        log = queue.proc[entry.stash_rev].stdout
        text = Path(log).read_text(encoding="utf-8", errors="replace")
    except (StopIteration, KeyError, OSError, AttributeError, TypeError):
        return f"experiment {name} failed; see `dvc queue logs {name}`"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    failures = [line for line in lines if line.startswith("ERROR")] or lines
    return failures[-1] if failures else f"experiment {name} failed"


def apply_experiment(repo: DvcRepo, name: str) -> None:
    """``dvc exp apply NAME``: the experiment's params, code and outputs into the workspace."""
    from dvc.exceptions import DvcException

    try:
        repo.experiments.apply(name)
    except DvcException as error:
        raise PipelineError(
            f"could not apply experiment {name}: {describe_exception(error)}"
        ) from error


def set_params(root: Path | str, overrides: list[str]) -> None:
    """Write ``-S``-style overrides (``[file:]name=value``) into the params files, as
    ``dvc exp run -S`` does (comments and order kept)."""
    from dvc.exceptions import DvcException
    from dvc.utils.cli_parse import to_path_overrides
    from dvc.utils.hydra import apply_overrides

    try:
        for path, items in to_path_overrides(overrides).items():
            apply_overrides(Path(root) / path, items)
    except DvcException as error:
        raise ConfigError(f"could not set params: {describe_exception(error)}") from error


def has_experiment(root: Path | str, name: str) -> bool:
    """Whether an experiment called ``name`` exists on the current commit in this clone."""
    with open_repo(root) as repo:
        return _experiment_rev(repo, name) is not None
