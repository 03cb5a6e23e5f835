"""Everything a report compares between two revisions, each revision read once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitml.core.model import DataChange, LoadError, PlotData
from gitml.dvc_adapter.data_index_diff import data_changes
from gitml.dvc_adapter.metrics import (
    metrics_from_shown,
    params_from_diff,
)
from gitml.dvc_adapter.plot_data import (
    plots_from_shown,
    report_plot_failures,
    revision_plots,
)
from gitml.dvc_adapter.repository import WORKSPACE, DvcRepo


@dataclass(frozen=True)
class RevisionComparison:
    """Everything a report compares between two revisions, each read once (``compare_revisions``)."""

    metrics: dict
    metric_errors: list[LoadError]
    params: dict
    param_errors: list[LoadError]
    data: list[DataChange]
    plots: list[PlotData]
    plot_errors: list[LoadError]


def compare_revisions(repo: DvcRepo, base: str, head: str) -> RevisionComparison:
    """Metrics, params, data and plots of ``head`` against ``base``: the results of
    ``metrics_diff``, ``params_diff``, ``data_diff`` and ``plots`` together, but with the
    repository switched to each revision once, so DVC builds each revision's index once (DVC's
    own ``show`` functions each switch again and rebuild it: 8 index builds instead of 2)."""
    # DVC's plots check the pipeline's graph (cycles, overlapping outputs) before reading, which
    # imports networkx (about 0.4 s) and builds the graph; a report reads, it does not run the
    # pipeline (`gitml run` and `dvc repro` check the graph)
    skipped = getattr(repo, "_skip_graph_checks", False)
    repo._skip_graph_checks = True
    try:
        reads = {rev: _read_revision(repo, rev) for rev in _reading_order(base, head)}
    finally:
        repo._skip_graph_checks = skipped
    metrics: dict[str, Any] = {}
    params: dict[str, Any] = {}
    metric_errors: list[LoadError] = []
    param_errors: list[LoadError] = []
    if not repo.scm.no_commits:
        shown = {rev: read.metrics for rev, read in reads.items()}
        metrics, metric_errors = metrics_from_shown(shown, base, head)
        from dvc.repo.metrics.diff import _diff

        params_shown = {rev: read.params for rev, read in reads.items()}
        params, param_errors = params_from_diff(_diff(params_shown, base, head))
    data: list[DataChange] = []
    if base != head:
        keys = set().union(*(read.data_keys for read in reads.values()))
        workspace = reads[head].data_keys if head == WORKSPACE else None
        old, new = reads[base].data_index, reads[head].data_index
        data = data_changes(repo.root_dir, old, new, keys, workspace)
    plot_data: dict[str, Any] = {}
    for read in reads.values():
        plot_data.update(read.plots)
    report_plot_failures(plot_data)
    found_plots, plot_errors = plots_from_shown(repo, plot_data, head)
    return RevisionComparison(
        metrics, metric_errors, params, param_errors, data, found_plots, plot_errors
    )


def _reading_order(base: str, head: str) -> list[str]:
    """The revisions in the order DVC's plots put them (the workspace first): the order of a
    plot's data points, and so of the report's plot data, follows it."""
    revs = list(dict.fromkeys([base, head]))
    if WORKSPACE in revs:
        revs.remove(WORKSPACE)
        revs.insert(0, WORKSPACE)
    return revs


@dataclass
class _RevisionRead:
    """What DVC read at one revision, in the shapes its own ``show`` functions return."""

    metrics: dict[str, Any]
    params: dict[str, Any]
    plots: dict[str, Any]
    data_index: Any
    data_keys: set


def _read_revision(repo: DvcRepo, rev: str) -> _RevisionRead:
    """Switch to ``rev`` once and read metrics, params, plots and the data index there, as
    ``Repo.metrics.show``, ``Repo.params.show``, ``Repo.plots.show`` and ``dvc diff`` do."""
    from dvc.repo.experiments.brancher import switch_repo
    from dvc.repo.index import build_data_index
    from dvc.repo.metrics.show import _gather_metrics
    from dvc.repo.params.show import _gather_params

    with switch_repo(repo, rev) as (switched, _):
        metrics = _gathered(_gather_metrics, switched, "metrics", rev)
        params = _gathered(_gather_params, switched, "params", rev)
        plots = revision_plots(switched, rev)
        view = switched.index.targets_view(None)
        keys = set(view.data_keys.get("repo", set()))
        if rev == WORKSPACE:
            index = build_data_index(view, switched.root_dir, switched.fs, compute_hash=True)
        else:
            index = view.data["repo"]
    return _RevisionRead(metrics, params, plots, index, keys)


def _gathered(gather: Any, repo: DvcRepo, what: str, rev: str) -> dict[str, Any]:
    """One revision's ``Result`` as DVC's ``show`` builds it: a failure is the whole
    revision's error, logged as DVC logs it."""
    import logging

    try:
        return {"data": gather(repo, targets=[], stages=None, on_error="return")}
    except Exception as error:  # DVC's `show` turns any failure into the revision's error
        logging.getLogger(f"dvc.repo.{what}.show").warning(
            "failed to load %s in revision %r, %s", what, rev, str(error)
        )
        return {"error": error}
