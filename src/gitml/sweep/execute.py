"""Run grid cells as DVC experiments and turn each into a ``SweepRun`` with its result file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitml import dvc_adapter
from gitml.config import Settings
from gitml.core.compare import metric_rows
from gitml.core.gates import evaluate_gates
from gitml.errors import GitmlError
from gitml.sweep import results
from gitml.sweep.grid import Cell
from gitml.sweep.model import SweepRun


def evaluate(repo: Any, cell: Cell, base_rev: str, rev: str, settings: Settings) -> SweepRun:
    """The run's metrics against the base revision, and the gates on them."""
    diff, load_errors = dvc_adapter.metrics_diff(repo, base_rev, rev)
    rows, value_errors = metric_rows(diff, settings)
    problems = [e for e in [*load_errors, *value_errors] if e.rev != base_rev]
    error = "; ".join(f"{e.file}: {e.message}" for e in problems) or None
    return SweepRun(
        cell.name,
        cell.params,
        "ok",
        error=error,
        metrics=sorted(rows, key=lambda row: (row.file, row.name)),
        gates=evaluate_gates(settings.gates, rows) if rows else [],
    )


def _failed(cell: Cell, error: BaseException) -> SweepRun:
    message = error.message if isinstance(error, GitmlError) else str(error)
    return SweepRun(cell.name, cell.params, "failed", error=message or type(error).__name__)


def run_grid(
    root: Path,
    cells: list[Cell],
    base: str,
    settings: Settings,
    jobs: int,
    results_dir: Path,
) -> list[SweepRun]:
    """Every cell as an experiment on this machine (``jobs`` at a time through DVC's queue, one
    by one in temporary folders otherwise); a failed cell is a failed run, the others go on."""
    runs = []
    with dvc_adapter.open_repo(root) as repo:
        base_rev = dvc_adapter.check_revision(repo, base)
        if jobs > 1 and len(cells) > 1:
            plan = {cell.name: cell.overrides() for cell in cells}
            outcomes = dvc_adapter.run_experiments_in_parallel(repo, plan, jobs)
        else:
            outcomes = {}
            for cell in cells:
                try:
                    outcomes[cell.name] = dvc_adapter.run_experiment(
                        repo, cell.name, cell.overrides(), temp=True
                    )
                except GitmlError as error:
                    outcomes[cell.name] = error
        for cell in cells:
            outcome = outcomes[cell.name]
            if isinstance(outcome, str):
                run = evaluate(repo, cell, base_rev, outcome, settings)
            else:
                run = _failed(cell, outcome)
            results.save(results_dir, base, run, cell.position)
            runs.append(run)
    return runs


def run_cell(
    root: Path,
    cell: Cell,
    base: str,
    settings: Settings,
    results_dir: Path,
    pull: bool = False,
    push: bool = False,
) -> SweepRun:
    """One cell in this workspace, as a matrix job runs it: pull data and run-cache, run the
    experiment, push what it made (so a rerun restores instead of retraining), save the result.
    The result file is written even when the run fails; the failure is raised after it."""
    with dvc_adapter.open_repo(root) as repo:
        base_rev = dvc_adapter.check_revision(repo, base)
        try:
            if pull:
                dvc_adapter.pull(repo)
            rev = dvc_adapter.run_experiment(
                repo, cell.name, cell.overrides(), temp=False, pull=pull
            )
        except GitmlError as error:
            results.save(results_dir, base, _failed(cell, error), cell.position)
            raise
        run = evaluate(repo, cell, base_rev, rev, settings)
        results.save(results_dir, base, run, cell.position)
        if push:  # a failed push fails the job; the result is already saved
            dvc_adapter.push(repo)
    return run
