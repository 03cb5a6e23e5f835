"""Build a ``Report``: head against base, in one process, through the DVC adapter."""

from __future__ import annotations

from pathlib import Path

from gitml import dvc_adapter
from gitml.config import Settings, load_settings
from gitml.core.compare import metric_rows, sort_rows
from gitml.core.gates import evaluate_gates
from gitml.core.model import ParamRow, Revisions
from gitml.core.project_files import load_run_record
from gitml.dvc_adapter import WORKSPACE
from gitml.report.model import Report
from gitml.report.sides import SideNames, describe_sides


def build_report(
    base: str | None = None,
    head: str | None = None,
    root: Path | str = ".",
    settings: Settings | None = None,
    names: SideNames | None = None,
) -> Report:
    """Compare ``head`` (default: the workspace) against ``base`` (default: settings.base); the
    sides are named as the reviewer knows them (``names``, the Actions environment, git)."""
    settings = settings or load_settings(root)
    base = base or settings.base
    head = head or WORKSPACE
    with dvc_adapter.open_repo(root) as repo:
        dvc_adapter.check_revision(repo, base)
        if head != WORKSPACE:
            dvc_adapter.check_revision(repo, head)
        compared = dvc_adapter.compare_revisions(repo, base, head)
    metrics, metric_errors = compared.metrics, compared.metric_errors
    params, param_errors = compared.params, compared.param_errors
    data, plots, plot_errors = compared.data, compared.plots, compared.plot_errors

    revs = Revisions(base, head)
    rows, value_errors = metric_rows(metrics, settings, revs, metric_errors)
    gates = evaluate_gates(settings.gates, rows, [*metric_errors, *value_errors], revs)
    failing = {gate.row_key for gate in gates if not gate.passed}
    base_side, head_side = describe_sides(root, base, head, names)
    return Report(
        base=base,
        head=head,
        metrics=sort_rows(rows, failing),
        params=sorted(
            (
                ParamRow(file, name, values["old"], values["new"])
                for file, entries in params.items()
                for name, values in entries.items()
            ),
            key=lambda p: (p.file, p.name),
        ),
        data=data,
        gates=gates,
        plots=plots,
        pipeline=load_run_record(root) if head == WORKSPACE else [],
        errors=[*metric_errors, *value_errors, *param_errors, *plot_errors],
        base_side=base_side,
        head_side=head_side,
    )
