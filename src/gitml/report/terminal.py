"""The report as plain text for a terminal: the comment's content, aligned, without Markdown."""

from __future__ import annotations

from gitml.core.model import MetricRow
from gitml.core.text import data_change, data_size, number, param, percent, signed
from gitml.core.wording import NOT_LOADED_VALUE, STAGE_TEXT
from gitml.report.markdown import verdict_line
from gitml.report.model import Report
from gitml.report.sides import describe

WORDS = {
    "improved": "better",
    "regressed": "worse",
    "unchanged": "same",
    "changed": "changed",
    "new": "new",
    "removed": "removed",
    "not loaded": "NOT LOADED",
}


def columns(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Rows of cells as left-aligned columns (the last column is not padded)."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        indent
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _section(title: str, rows: list[list[str]], header: list[str] | None = None) -> list[str]:
    if not rows:
        return []
    return [title, *columns([header, *rows] if header else rows), ""]


def render(report: Report, html_path: str | None = None) -> str:
    """Verdict, gates, metrics, params, data, plots and pipeline as aligned text."""
    lines = [
        verdict_line(report).removeprefix("## "),
        f"Comparing {describe(report.head_named)} against {describe(report.base_named)}.",
        "",
    ]
    lines += _gates(report)
    lines += _metrics(report)
    lines += _section(
        "Params changed",
        [[r.file, r.name, f"{param(r.base)} -> {param(r.head)}"] for r in report.params],
    )
    lines += _data(report)
    lines += _plots(report, html_path)
    lines += _section(
        "Pipeline",
        [
            [stage.name, STAGE_TEXT.get(stage.status, stage.status), f"{stage.seconds:.1f}s"]
            for stage in report.pipeline
        ],
    )
    lines += _section(
        "Load errors",
        [
            [
                e.source,
                report.side_name(e.rev),
                e.file or "-",
                e.message + (f" ({e.hint})" if e.hint else ""),
            ]
            for e in report.other_errors
        ],
    )
    return "\n".join(lines).rstrip() + "\n"


def _gates(report: Report) -> list[str]:
    """Failing gates first."""
    return _section(
        "Quality gates",
        [
            ["pass" if gate.passed else "FAIL", gate.metric, gate.rule, gate.detail]
            for gate in sorted(report.gates, key=lambda g: (g.passed, g.metric, g.rule))
        ],
    )


def _value(row: MetricRow, rev: str, value: float | None) -> str:
    return NOT_LOADED_VALUE if value is None and rev in row.not_loaded_at else number(value)


def _metrics(report: Report) -> list[str]:
    rows = [
        [
            WORDS[row.status],
            row.file,
            row.name,
            _value(row, report.base, row.base),
            _value(row, report.head, row.head),
            signed(row.delta),
            percent(row.rel_delta),
        ]
        for row in report.metrics
    ]
    header = ["", "file", "metric", "base", "head", "change", "relative"]
    empty = "No metrics loaded." if report.not_loaded else "No metrics found on either revision."
    lines = _section("Metrics", rows, header=header) or ["Metrics", f"  {empty}", ""]
    return lines + _section(
        "Not loaded (neither passed nor compared)",
        [
            [e.file or "every metrics file", report.side_name(e.rev), e.hint or e.message]
            for e in report.not_loaded
        ],
    )


def _data(report: Report) -> list[str]:
    return _section(
        "Data changed",
        [
            [
                data_change(c.change, c.in_workspace),
                c.path,
                f"{data_size(c.base_size, c.base_files)} -> {data_size(c.head_size, c.head_files)}",
            ]
            for c in report.data
        ],
    )


def _plots(report: Report, html_path: str | None) -> list[str]:
    """The plots' titles: a terminal cannot draw them, the HTML report can."""
    if not report.plots:
        return []
    where = f": open {html_path}" if html_path else ""
    return [
        f"Plots ({len(report.plots)}{where})",
        *(f"  {plot.title}" for plot in report.plots),
        "",
    ]
