"""The monitoring report as GitHub-flavoured Markdown: the verdict first, then what drifted.

Small Mermaid histograms (GitHub renders them) show the reference (grey bars) against the current
data (blue line) for the drifted features. Capped like the PR report to fit an issue body.
"""

from __future__ import annotations

from gitml.core.limits import REPORT_LIMIT
from gitml.core.markdown import cell, code, table
from gitml.core.mermaid import BASE_COLOR, HEAD_COLOR, mermaid_label
from gitml.core.text import number, signed
from gitml.monitor.drift import FeatureDrift
from gitml.monitor.flow import drifted_first
from gitml.monitor.model import MonitorReport

#: Histograms drawn at most (the most drifted features first).
MAX_CHARTS = 8
ICONS = {"pass": "✅", "drift": "⚠️", "fail": "❌", "empty": "⚪"}
TRUNCATED = (
    "\n\n> The report was cut to fit a GitHub issue; the full report is in the job's artifact.\n"
)


def verdict_line(report: MonitorReport) -> str:
    """One line: the verdict, the drifted share and the gates."""
    if report.verdict == "empty":
        return f"## {ICONS['empty']} gitml monitor: no rows in the window, nothing was tested"
    drifted, tested = len(report.drifted), len(report.tested)
    parts = [
        "dataset drift" if report.dataset_drift else "no dataset drift",
        f"{drifted} of {tested} feature{'s' if tested != 1 else ''} drifted "
        f"({report.share_drifted:.0%})",
    ]
    if report.prediction_drifted:
        parts.append("prediction drift")
    failed = len(report.failed_gates)
    if report.gates:
        parts.append(
            f"{failed} gate{'s' if failed != 1 else ''} failed" if failed else "gates pass"
        )
    return f"## {ICONS[report.verdict]} gitml monitor: {', '.join(parts)}"


def _subject(report: MonitorReport) -> str:
    ref, cur = report.reference, report.current
    model = ""
    if report.model:
        model = f"Model {code(report.model)} {code(report.version)} in {code(report.stage)}. "
    at = f" at {code((ref.commit or '')[:12])}" if ref.commit else ""
    return (
        f"{model}Reference: {code(ref.source)}{at}, {ref.rows:,} rows. "
        f"Current: {code(cur.source)}, {cur.rows:,} rows"
        f"{' (' + str(report.labelled_rows) + ' with feedback)' if cur.details.get('logs') else ''}."
    )


def _gates(report: MonitorReport) -> list[str]:
    if not report.gates:
        return []
    marks = {True: "✅ pass", False: "❌ fail", None: "⚪ not evaluated"}
    order = {False: 0, None: 1, True: 2}
    rows = [
        [marks[gate.passed], cell(gate.metric), cell(gate.rule), cell(gate.detail)]
        for gate in sorted(report.gates, key=lambda g: (order[g.passed], g.metric))
    ]
    return ["### Monitoring gates", "", *table(["", "Metric", "Rule", "Result"], rows), ""]


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _feature_rows(features: list[FeatureDrift]) -> list[str]:
    headers = ["", "Feature", "Kind", "Test", "Statistic", "p-value", "Threshold", "Reference"]
    marks = {True: "🔴 drift", False: "🟢 ok", None: "⚪ not tested"}
    rows = [
        [
            marks[f.drifted],
            cell(f.name),
            f.kind,
            f.test or "—",
            _value(f.statistic),
            _value(f.p_value),
            _value(f.threshold),
            cell(f.reference_summary),
            cell(f.current_summary + (f" ({f.note})" if f.note else "")),
        ]
        for f in drifted_first(features)
    ]
    return [*table([*headers, "Current"], rows), ""]


def histogram_chart(feature: FeatureDrift) -> str | None:
    """A Mermaid bar (reference) and line (current) chart of the two distributions' shares."""
    hist = feature.histogram
    if hist is None or not hist.labels:
        return None
    top = max([*hist.reference, *hist.current, 0.01])
    palette = f"{BASE_COLOR}, {HEAD_COLOR}"
    categories = ", ".join(f'"{mermaid_label(label)}"' for label in hist.labels)
    return "\n".join(
        [
            "```mermaid",
            f'%%{{init: {{"themeVariables": {{"xyChart": {{"plotColorPalette": "{palette}"}}}}}}}}%%',
            "xychart-beta",
            f'  title "{mermaid_label(feature.name)}: reference (bars) vs current (line)"',
            f"  x-axis [{categories}]",
            f'  y-axis "share of rows" 0 --> {min(1.0, round(top * 1.1, 3))}',
            "  bar [" + ", ".join(f"{v:.4f}" for v in hist.reference) + "]",
            "  line [" + ", ".join(f"{v:.4f}" for v in hist.current) + "]",
            "```",
        ]
    )


def _charts(report: MonitorReport) -> list[str]:
    charts = [c for f in drifted_first(report.drifted)[:MAX_CHARTS] if (c := histogram_chart(f))]
    if not charts:
        return []
    lines = ["### Distributions of the drifted features", ""]
    for chart in charts:
        lines += [chart, ""]
    return lines


def _prediction(report: MonitorReport) -> list[str]:
    lines = ["### Prediction drift", ""]
    if report.prediction is None:
        return [*lines, f"_{report.prediction_note}_", ""]
    return lines + _feature_rows(report.prediction)


def _performance(report: MonitorReport) -> list[str]:
    lines = ["### Performance", ""]
    perf = report.performance
    if perf is None:
        return [*lines, f"_{report.performance_note or 'no performance for an empty window'}_", ""]
    if perf.metrics:
        lines += [
            f"On the {perf.labelled_rows:,} rows with feedback:",
            "",
            *table(
                ["Metric", "Current", "Registered", "Change"],
                [
                    [m.name, number(m.current), number(m.registered), signed(m.change)]
                    for m in perf.metrics
                ],
            ),
            "",
        ]
    if perf.estimated_accuracy is not None:
        lines += [
            f"Estimated accuracy (an estimate, without labels: the mean highest predicted "
            f"probability, right for a calibrated model): **{perf.estimated_accuracy:.4f}**",
            "",
        ]
    if perf.note:
        lines += [f"_{perf.note}_", ""]
    return lines


def _problems(report: MonitorReport) -> list[str]:
    lines = []
    if report.notes:
        lines += ["### Notes", "", *(f"- {cell(n)}" for n in report.notes), ""]
    if report.errors:
        lines += ["### Problems with the input", "", *(f"- {cell(e)}" for e in report.errors), ""]
    return lines


def render_full(report: MonitorReport) -> str:
    lines = [verdict_line(report), "", _subject(report), ""]
    lines += _gates(report)
    if report.features:
        lines += ["### Data drift", ""]
        lines.append(f"Dataset drift when at least {report.drift_share:.0%} of the features drift.")
        lines += ["", *_feature_rows(report.features)]
    lines += _charts(report)
    if report.current.rows:
        lines += _prediction(report) + _performance(report)
    lines += _problems(report)
    return "\n".join(lines).rstrip() + "\n"


def render(report: MonitorReport, limit: int = REPORT_LIMIT) -> str:
    """The report, cut at a line boundary (outside code blocks) to fit ``limit`` characters."""
    text = render_full(report)
    if len(text) <= limit:
        return text
    room = limit - len(TRUNCATED)
    kept, inside = [], False
    size = 0
    for line in text.splitlines(keepends=True):
        if size + len(line) > room:
            break
        kept.append(line)
        size += len(line)
        if line.startswith("```"):
            inside = not inside
    while inside and kept:  # never leave a Mermaid block open
        line = kept.pop()
        if line.startswith("```"):
            inside = not inside
    return "".join(kept).rstrip() + TRUNCATED
