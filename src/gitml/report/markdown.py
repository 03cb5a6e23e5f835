"""The report as GitHub-flavoured Markdown, capped to fit in one PR comment."""

from __future__ import annotations

from gitml.core.limits import REPORT_LIMIT
from gitml.core.markdown import cell, code, table
from gitml.core.model import MetricRow, Revisions, Side
from gitml.core.text import data_change, data_size, number, param, percent, signed
from gitml.core.wording import GATE_MARKS, MARKS, NOT_LOADED_VALUE, STAGE_TEXT
from gitml.report.mermaid import render_plot
from gitml.report.model import Report


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def verdict_line(report: Report) -> str:
    """One line: the verdict icon, what did not load, improved/regressed counts and the gates'
    outcome. Metrics that did not load come first: nothing else in the line covers them."""
    failed = len(report.failed_gates)
    if failed:
        icon = "❌"
        gates = f"{failed} of {_plural(len(report.gates), 'gate')} failed"
    else:
        icon = "⚠️" if report.errors else "✅"
        gates = "all gates pass" if report.gates else "no gates"
    parts = []
    if report.count("not loaded"):
        parts.append(f"{_plural(report.count('not loaded'), 'metric')} not loaded")
    if report.files_without_rows:
        parts.append(f"{_plural(len(report.files_without_rows), 'metrics file')} not loaded")
    parts += [f"{report.count('improved')} improved", f"{report.count('regressed')} regressed"]
    for status in ("changed", "new", "removed"):
        if report.count(status):
            parts.append(f"{report.count(status)} {status}")
    parts.append(gates)
    if report.other_errors:
        parts.append(_plural(len(report.other_errors), "load error"))
    return f"## {icon} gitml: {', '.join(parts)}"


def side(named: Side) -> str:
    """A side as the reviewer knows it: ``feature`` at ``abc1234`` (note)."""
    sha = named.short_sha
    at = f" at {code(sha)}" if sha and not (named.sha or "").startswith(named.name) else ""
    return f"{code(named.name)}{at}" + (f" ({named.note})" if named.note else "")


def _revisions(report: Report) -> str:
    return f"Comparing {side(report.head_named)} against {side(report.base_named)}."


def _rev_cell(report: Report, rev: str) -> str:
    """A revision in a table cell: its side's name as code, pipes escaped (they split cells)."""
    return code(report.side_name(rev)).replace("|", "\\|")


def _value(row: MetricRow, rev: str, value: float | None) -> str:
    return NOT_LOADED_VALUE if value is None and rev in row.not_loaded_at else number(value)


def _gates(report: Report, only_failed: bool = False) -> list[str]:
    gates = report.failed_gates if only_failed else report.gates
    if not gates:
        return []
    rows = [
        [GATE_MARKS[gate.outcome], cell(gate.metric), cell(gate.rule), cell(gate.detail)]
        for gate in sorted(gates, key=lambda g: (g.passed, g.metric, g.rule))
    ]
    return ["### Quality gates", "", *table(["", "Metric", "Rule", "Result"], rows), ""]


def _metric_line(row: MetricRow, revs: Revisions) -> str:
    return (
        f"| {MARKS[row.status]} | {cell(row.file)} | {cell(row.name)} | "
        f"{_value(row, revs.base, row.base)} | {_value(row, revs.head, row.head)} | "
        f"{signed(row.delta)} | {percent(row.rel_delta)} |"
    )


METRICS_HEADER = [
    "| | File | Metric | Base | Head | Change | Relative |",
    "|---|---|---|---|---|---|---|",
]


def _no_rows(report: Report) -> str:
    """What an empty metrics table means: nothing declared, or nothing that could be read."""
    if not report.not_loaded:
        return "No metrics found on either revision."
    files = [code(file) if file else "every metrics file" for file in report.files_without_rows]
    return (
        f"No metrics loaded: {', '.join(files)} did not load (see *Not loaded* below); "
        "nothing can be said about how they moved."
    )


def _metrics(report: Report, rows: list[MetricRow], hidden: int = 0) -> list[str]:
    if not rows and not hidden:
        return ["### Metrics", "", _no_rows(report), ""]
    lines = ["### Metrics", ""]
    if rows:
        revs = Revisions(report.base, report.head)
        lines += [*METRICS_HEADER, *(_metric_line(row, revs) for row in rows)]
    if hidden:
        lines += [
            "",
            f"_…and {hidden} more metric{'s' if hidden != 1 else ''} not shown: "
            "the full report is in the workflow's artifact._",
        ]
    return [*lines, ""]


def _table(title: str, headers: list[str], rows: list[list[str]]) -> list[str]:
    """A titled Markdown table; cells must already be escaped. No rows, no section."""
    if not rows:
        return []
    return [f"### {title}", "", *table(headers, rows), ""]


def _params(report: Report) -> list[str]:
    return _table(
        "Params changed",
        ["File", "Param", "Base", "Head"],
        [
            [cell(r.file), cell(r.name), cell(param(r.base)), cell(param(r.head))]
            for r in report.params
        ],
    )


def _data(report: Report) -> list[str]:
    return _table(
        "Data changed",
        ["Change", "Path", "Base size", "Head size"],
        [
            [
                data_change(c.change, c.in_workspace),
                cell(c.path),
                data_size(c.base_size, c.base_files),
                data_size(c.head_size, c.head_files),
            ]
            for c in report.data
        ],
    )


def _plots(report: Report) -> list[str]:
    blocks, images = [], []
    for plot in report.plots:
        if plot.template == "image":
            revs = sorted({image.rev for image in plot.images})
            at = ", ".join(code(report.side_name(rev)) for rev in revs) or "no revision"
            images.append(f"- {code(plot.id)}: image plot (at {at})")
            continue
        body = render_plot(plot, report.base, report.head)
        if body:
            blocks += [
                f"<details><summary>{cell(plot.title)}</summary>",
                "",
                body,
                "",
                "</details>",
                "",
            ]
    if images:
        blocks += [
            "Image plots, base and head side by side in the HTML report (the workflow's artifact):",
            "",
            *images,
            "",
        ]
    if not blocks:
        return []
    legend = (
        f"Grey: base {code(report.base_named.name)}; blue: head {code(report.head_named.name)}. "
        "Interactive plots: the HTML file in the artifact."
    )
    return ["### Plots", "", legend, "", *blocks]


def _pipeline(report: Report) -> list[str]:
    ran = sum(1 for s in report.pipeline if s.status == "ran")
    cached = sum(1 for s in report.pipeline if s.status in ("restored", "skipped"))
    return _table(
        f"Pipeline: {ran} ran, {cached} cached",
        ["Stage", "Status", "Time"],
        [
            [cell(s.name), STAGE_TEXT.get(s.status, s.status), f"{s.seconds:.1f}s"]
            for s in report.pipeline
        ],
    )


def _not_loaded(report: Report) -> list[str]:
    """The metrics files DVC could not load: where, DVC's error, and why and what to do."""
    rows = [
        [
            cell(e.file or "every metrics file"),
            _rev_cell(report, e.rev),
            cell(e.message),
            cell(e.hint or "—"),
        ]
        for e in report.not_loaded
    ]
    if not rows:
        return []
    return [
        "### Not loaded",
        "",
        "Metrics files DVC could not load: their metrics are neither passed nor compared.",
        "",
        *table(["File", "Revision", "DVC's error", "Why, and what to do"], rows),
        "",
    ]


def _errors(report: Report) -> list[str]:
    return _table(
        "Load errors",
        ["Source", "Revision", "File", "Error", "Why, and what to do"],
        [
            [
                e.source,
                _rev_cell(report, e.rev),
                cell(e.file or "—"),
                cell(e.message),
                cell(e.hint or "—"),
            ]
            for e in report.other_errors
        ],
    )


def _join(lines: list[str]) -> str:
    return "\n".join(lines).rstrip() + "\n"


def render_full(report: Report) -> str:
    """Every section of the report, uncapped (for files)."""
    return _join(
        [
            verdict_line(report),
            "",
            _revisions(report),
            "",
            *_gates(report),
            *_metrics(report, report.metrics),
            *_not_loaded(report),
            *_params(report),
            *_data(report),
            *_plots(report),
            *_pipeline(report),
            *_errors(report),
        ]
    )


def _collapsed(report: Report, kept_rows: list[MetricRow], failed_gates_only: bool) -> str:
    hidden = len(report.metrics) - len(kept_rows)
    others = []
    for label, count in (
        ("params changed", len(report.params)),
        ("data files changed", len(report.data)),
        ("plots", len(report.plots)),
        ("load errors", len(report.other_errors)),
    ):
        if count:
            others.append(f"{count} {label}")
    note = (
        f"_This report is longer than a GitHub comment allows, so it is shortened: "
        f"{', '.join(others) or 'nothing else'} not shown. The full report is in the workflow's artifact._"
    )
    return _join(
        [
            verdict_line(report),
            "",
            _revisions(report),
            "",
            note,
            "",
            *_gates(report, only_failed=failed_gates_only),
            *_metrics(report, kept_rows, hidden),
            *_not_loaded(report),
        ]
    )


def render(report: Report, limit: int = REPORT_LIMIT, full: str | None = None) -> str:
    """The report as Markdown no longer than ``limit`` characters, shortened deterministically.

    Shortening keeps the verdict, the gates (only the failing ones if need be) and the metrics
    that failed a gate, regressed or did not load, and collapses the rest into counts. ``full``
    is ``render_full(report)`` when the caller has it already (the plots cost the most).
    """
    full = render_full(report) if full is None else full
    if len(full) <= limit:
        return full
    failing = {gate.row_key for gate in report.failed_gates}
    important = [
        row
        for row in report.metrics
        if row.key in failing or row.status in ("regressed", "not loaded")
    ]
    text = _collapsed(report, important, failed_gates_only=False)
    if len(text) <= limit:
        return text
    # Still too long: keep as many important rows as fit (they are already in priority order).
    low, high = 0, len(important)
    while low < high:
        middle = (low + high + 1) // 2
        if len(_collapsed(report, important[:middle], failed_gates_only=True)) <= limit:
            low = middle
        else:
            high = middle - 1
    text = _collapsed(report, important[:low], failed_gates_only=True)
    if len(text) > limit:  # the failing gates alone are too many: cut at a line boundary
        text = text[: text.rfind("\n", 0, limit - 80)] + "\n\n_…shortened to fit a comment._\n"
    return text
