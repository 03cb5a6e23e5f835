"""Build a ``Report``: head against base, in one process, through the DVC adapter."""

from __future__ import annotations

from pathlib import Path

from gitml import dvc_adapter
from gitml.config import Settings, load_settings
from gitml.dvc_adapter import WORKSPACE, LoadError
from gitml.report.compare import compare, resolve_direction, sort_rows
from gitml.report.gates import evaluate_gates
from gitml.report.model import UNNAMED, MetricRow, ParamRow, Report, Revisions
from gitml.run import load_run_record


def metric_rows(
    diff: dict, settings: Settings, revs: Revisions = UNNAMED
) -> tuple[list[MetricRow], list[LoadError]]:
    """Rows for every metric in DVC's diff; values that are not numbers become load errors."""
    rows, problems = [], []
    for file, entries in diff.items():
        for name, values in entries.items():
            direction = resolve_direction(file, name, settings.directions)
            row = compare(file, name, values["old"], values["new"], direction)
            for rev, raw, number in (
                (revs.base, values["old"], row.base),
                (revs.head, values["new"], row.head),
            ):
                if raw is not None and number is None:
                    problems.append(
                        LoadError(
                            "metrics", rev, file, f"{name} is not a number ({raw!r})", metric=name
                        )
                    )
            rows.append(row)
    return rows, problems


def build_report(
    base: str | None = None,
    head: str | None = None,
    root: Path | str = ".",
    settings: Settings | None = None,
) -> Report:
    """Compare ``head`` (default: the workspace) against ``base`` (default: settings.base)."""
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
    rows, value_errors = metric_rows(metrics, settings, revs)
    gates = evaluate_gates(settings.gates, rows, [*metric_errors, *value_errors], revs)
    failing = {gate.row_key for gate in gates if not gate.passed}
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
    )
