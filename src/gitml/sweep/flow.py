"""The ``gitml sweep`` modes as library functions: plan, run here, run one matrix cell, collect,
apply. The command only picks one and renders what it returns."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from gitml import dvc_adapter
from gitml.config import Settings, load_settings
from gitml.core.gates import evaluate_gates
from gitml.errors import ConfigError, UsageError
from gitml.run import run_pipeline
from gitml.sweep import execute, results
from gitml.sweep.grid import (
    Cell,
    axes_from_config,
    check_matrix_size,
    check_params_exist,
    expand,
    find_cell,
    parse_spec,
)
from gitml.sweep.leaderboard import rank
from gitml.sweep.model import Leaderboard, SweepRun


def grid(root: Path, specs: tuple[str, ...], settings: Settings) -> list[Cell]:
    """The cells from ``-S`` specs, else ``[tool.gitml.sweep]``; every param checked to exist in
    the project's params files before anything runs."""
    axes = [parse_spec(spec) for spec in specs] or axes_from_config(settings.sweep.params)
    cells = expand(axes, max_runs=settings.sweep.max_runs)
    with dvc_adapter.open_repo(root) as repo:
        check_params_exist(axes, dvc_adapter.param_names(repo))
    return cells


def matrix(cells: list[Cell]) -> str:
    """The GitHub Actions matrix for the cells, as one line of JSON (``include`` entries)."""
    check_matrix_size(cells)
    include = [{"name": cell.name, "params": " ".join(cell.overrides())} for cell in cells]
    return json.dumps({"include": include}, separators=(",", ":"))


def plan(root: Path, specs: tuple[str, ...]) -> str:
    """The matrix for the grid of ``specs`` (or the configured one)."""
    return matrix(grid(root, specs, load_settings(root)))


def sweep(
    root: Path, specs: tuple[str, ...], base: str | None, jobs: int, results_dir: Path
) -> Leaderboard:
    """Run the whole grid on this machine and rank it against ``base``."""
    settings = load_settings(root)
    base = base or settings.base
    cells = grid(root, specs, settings)
    for stale in results_dir.glob("*.json") if results_dir.is_dir() else []:
        stale.unlink()  # --apply best must pick from this sweep, not an earlier one
    runs = execute.run_grid(root, cells, base, settings, jobs, results_dir)
    try:
        return rank(runs, base, settings)
    except ConfigError as error:
        raise ConfigError(
            f"{error.message}; the runs are saved: rank them again with "
            f"`gitml sweep --collect {results_dir}`"
        ) from None


def run_one(
    root: Path,
    specs: tuple[str, ...],
    name: str,
    base: str | None,
    results_dir: Path,
    pull: bool,
    push: bool,
) -> SweepRun:
    """One cell of the grid, as a matrix job runs it."""
    settings = load_settings(root)
    cell = find_cell(grid(root, specs, settings), name)
    return execute.run_cell(
        root, cell, base or settings.base, settings, results_dir, pull=pull, push=push
    )


def collect(root: Path, specs: tuple[str, ...], directory: Path, base: str | None) -> Leaderboard:
    """The leaderboard from the result files the matrix jobs uploaded; a planned cell without a
    result is a failed run."""
    settings = load_settings(root)
    cells = grid(root, specs, settings)
    found_base, runs = _checked_results(directory, cells, settings)
    return rank(runs, base or found_base or settings.base, settings)


def _checked_results(
    directory: Path, cells: list[Cell], settings: Settings
) -> tuple[str | None, list[SweepRun]]:
    """The grid's runs from ``directory``, their gates evaluated here on their metrics (a result
    file's own word on its gates is not taken)."""
    found_base, runs = results.collect(directory, cells)
    checked = [
        replace(run, gates=evaluate_gates(settings.gates, run.metrics) if run.metrics else [])
        if run.status == "ok"
        else run
        for run in runs
    ]
    return found_base, checked


@dataclass(frozen=True)
class Applied:
    """What ``--apply`` did."""

    name: str
    params: dict
    #: "experiment" (``dvc exp apply``) or "params" (params written, outputs reproduced)
    how: str


def apply(root: Path, target: str, results_dir: Path, specs: tuple[str, ...] = ()) -> Applied:
    """Put a run's params (and its outputs) into the workspace. ``best`` is the leaderboard's
    best run in ``results_dir``. An experiment of this clone is applied with ``dvc exp apply``;
    a run made elsewhere (a matrix job) has its params written (all of them or none) and the
    pipeline reproduced, restoring its outputs from the DVC remote's run-cache the job pushed.
    Only runs of the grid (``specs``, else ``[tool.gitml.sweep]``) are read: their params are
    the grid's own, in params files DVC declares."""
    settings = load_settings(root)
    cells = grid(root, specs, settings)
    found_base, runs = (
        _checked_results(results_dir, cells, settings) if results_dir.is_dir() else (None, [])
    )
    if target == "best":
        board = rank(runs, found_base or settings.base, settings)
        if board.best is None:
            raise UsageError(
                f"no best run in {results_dir}: run `gitml sweep` first, or no run passed the "
                "gates (apply one by name with --apply NAME)"
            )
        target = board.best
    run = next((r for r in runs if r.name == target), None)
    if run is not None and run.status == "failed":
        raise UsageError(f"run {target} failed ({run.error}); there is nothing to apply")
    if dvc_adapter.has_experiment(root, target):
        with dvc_adapter.open_repo(root) as repo:
            dvc_adapter.apply_experiment(repo, target)
        return Applied(target, run.params if run else {}, "experiment")
    if run is None:
        raise UsageError(
            f"no run named {target!r}: neither an experiment of this commit nor a result in "
            f"{results_dir}"
        )
    dvc_adapter.set_params(root, find_cell(cells, run.name).overrides())
    run_pipeline(root, pull=True, restore_from_remote=True)
    return Applied(target, run.params, "params")
