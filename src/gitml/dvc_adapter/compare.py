"""Everything a report compares between two revisions, each revision read once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from gitml.core.model import DataChange, LoadError, PlotData
from gitml.dvc_adapter.availability import Explainer, Unavailable
from gitml.dvc_adapter.data_index_diff import data_changes
from gitml.dvc_adapter.failures import definition_error
from gitml.dvc_adapter.metrics import (
    metrics_from_shown,
    params_from_diff,
)
from gitml.dvc_adapter.plot_data import PlotFailure, plots_from_shown, revision_plots
from gitml.dvc_adapter.repository import WORKSPACE, DvcRepo
from gitml.errors import ConfigError, describe_exception


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
        old, new = reads[base].data_index, reads[head].data_index
        workspace = reads[head].data_keys if head == WORKSPACE else None
        locked = reads[head].locked_index if head == WORKSPACE else None
        data = data_changes(repo.root_dir, old, new, keys, workspace, locked)
    plot_data: dict[str, Any] = {}
    for read in reads.values():
        plot_data.update(read.plots)
    # gitml's own account of what failed (the report's load errors), not DVC's warning beside it
    found_plots, plot_errors = plots_from_shown(repo, plot_data, head)
    plot_errors += [
        LoadError("plots", rev, f.file, describe_exception(f.error), plot=f.plot)
        for rev, read in reads.items()
        for f in read.plot_failures
    ]
    return RevisionComparison(
        metrics,
        _explained(metric_errors, reads),
        params,
        param_errors,
        data,
        found_plots,
        _explained(plot_errors, reads),
    )


def _explained(errors: list[LoadError], reads: dict[str, _RevisionRead]) -> list[LoadError]:
    """``errors`` with gitml's reason and what to do, where the file is a DVC output that could
    not be fetched (not pulled, an unreachable remote, never pushed)."""
    explained = []
    for error in errors:
        read = reads.get(error.rev)
        why = read.unavailable.get(error.file) if read and error.file else None
        if why is not None and error.whole_file:
            error = replace(error, hint=why.hint, remote=why.remote)
        explained.append(error)
    return explained


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
    #: the data index dvc.lock records (the workspace's own is hashed from disk)
    locked_index: Any = None
    plot_failures: list[PlotFailure] = field(default_factory=list)
    #: why each file that failed to load could not be read, when it is a DVC output
    unavailable: dict[str, Unavailable] = field(default_factory=dict)


def _read_revision(repo: DvcRepo, rev: str) -> _RevisionRead:
    """Switch to ``rev`` once and read metrics, params, plots and the data index there, as
    ``Repo.metrics.show``, ``Repo.params.show``, ``Repo.plots.show`` and ``dvc diff`` do. A
    pipeline definition DVC cannot read there is a ``ConfigError`` naming the revision."""
    try:
        return _read_switched(repo, rev)
    except Exception as error:
        broken = definition_error(error)
        if broken is None:
            raise
        raise ConfigError(f"at {rev}, {broken.message}") from error


def _read_switched(repo: DvcRepo, rev: str) -> _RevisionRead:
    """``_read_revision``'s reading."""
    from dvc.repo.experiments.brancher import switch_repo
    from dvc.repo.index import build_data_index
    from dvc.repo.metrics.show import _gather_metrics
    from dvc.repo.params.show import _gather_params

    with switch_repo(repo, rev) as (switched, _):
        metrics = _gathered(_gather_metrics, switched)
        params = _gathered(_gather_params, switched)
        plots, plot_failures = revision_plots(switched, rev)
        view = switched.index.targets_view(None)
        keys = set(view.data_keys.get("repo", set()))
        locked = view.data["repo"]
        if rev == WORKSPACE:
            index = build_data_index(view, switched.root_dir, switched.fs, compute_hash=True)
        else:
            index = locked
        read = _RevisionRead(metrics, params, plots, index, keys, locked, plot_failures)
        failed = _failed_files(read, rev)
        if failed:
            explainer = Explainer(switched, rev)
            found = {path: explainer.explain(path) for path in failed}
            read.unavailable = {path: why for path, why in found.items() if why is not None}
    return read


def _failed_files(read: _RevisionRead, rev: str) -> list[str]:
    """The metrics and plot files DVC could not read at ``rev``."""
    metrics = read.metrics.get("data") or {}
    failed = [file for file, entry in metrics.items() if "error" in (entry or {})]
    failed += [failure.file for failure in read.plot_failures]
    sources = ((read.plots.get(rev) or {}).get("sources") or {}).get("data") or {}
    failed += [file for file, entry in sources.items() if "error" in (entry or {})]
    return list(dict.fromkeys(failed))


def _gathered(gather: Any, repo: DvcRepo) -> dict[str, Any]:
    """One revision's ``Result`` as DVC's ``show`` builds it: a failure is the whole
    revision's error (the report's load error; DVC's own warning is not printed beside it)."""
    try:
        return {"data": gather(repo, targets=[], stages=None, on_error="return")}
    except Exception as error:  # DVC's `show` turns any failure into the revision's error
        return {"error": error}
