"""The monitoring report as GitHub-flavoured Markdown: the verdict, then one table of every
feature (the most strongly drifted first), then the gates, the chunks over time, prediction drift,
performance, and a section per feature.

Small Mermaid histograms (GitHub renders them) show the reference (grey bars) against the current
data (blue line) for the drifted features. Capped like the PR report to fit an issue body.
"""

from __future__ import annotations

from gitml.core.limits import REPORT_LIMIT
from gitml.core.markdown import cell, code, table
from gitml.core.mermaid import BASE_COLOR, HEAD_COLOR, mermaid_label
from gitml.core.text import number, signed
from gitml.monitor.drift import FeatureDrift
from gitml.monitor.model import EMPTY, UNTESTED, MonitorReport, by_strength
from gitml.monitor.performance import METHODS

#: Histograms drawn at most (the most drifted features first).
MAX_CHARTS = 8
ICONS = {"pass": "✅", "drift": "⚠️", "fail": "❌", "untested": "❔", "empty": "⚪"}
TRUNCATED = (
    "\n\n> The report was cut to fit a GitHub issue; the full report is in the job's artifact.\n"
)


def verdict_line(report: MonitorReport) -> str:
    """One line: the verdict, the drifted share and the gates."""
    if report.verdict in (EMPTY, UNTESTED):
        return f"## {ICONS[report.verdict]} gitml monitor: {report.reason}"
    drifted, tested = len(report.drifted), len(report.tested)
    parts = [
        "dataset drift" if report.dataset_drift else "no dataset drift",
        f"{drifted} of {tested} feature{'s' if tested != 1 else ''} drifted "
        f"({report.share_drifted:.0%})",
    ]
    if report.untested:
        parts.append(f"{len(report.untested)} not tested")
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


MARKS = {True: "🔴 drift", False: "🟢 ok", None: "⚪ not tested"}


def _strength(feature: FeatureDrift) -> str:
    strength = feature.strength
    return "—" if strength is None else f"{strength:.2f}"


def _feature_rows(features: list[FeatureDrift]) -> list[str]:
    """The summary table: every feature, the most strongly drifted first."""
    headers = ["", "Feature", "Kind", "Test", "Statistic", "p-value", "Threshold", "Strength"]
    rows = [
        [MARKS[f.drifted], cell(f.name), f.kind, f.test or "—", _value(f.statistic),
         _value(f.p_value), _value(f.threshold), _strength(f)]
        for f in by_strength(features)
    ]  # fmt: skip
    return [*table(headers, rows), ""]


def _sections(report: MonitorReport) -> list[str]:
    """One short section per feature, in the summary's order; charts for the drifted ones."""
    lines = ["### Per feature", ""]
    charted = {f.name for f in by_strength(report.drifted)[:MAX_CHARTS]}
    for feature in by_strength(report.features):
        lines += [f"#### {cell(feature.name)}: {MARKS[feature.drifted]}", ""]
        lines.append(f"- reference: {cell(feature.reference_summary)}")
        lines.append(f"- current: {cell(feature.current_summary)}")
        if feature.note:
            lines.append(f"- {cell(feature.note)}")
        lines.append("")
        chart = histogram_chart(feature) if feature.name in charted else None
        if chart:
            lines += [chart, ""]
    return lines


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


def _chunks(report: MonitorReport) -> list[str]:
    """The chunks as a table and a Mermaid line chart of the drifted share."""
    if report.chunks is None:
        return []
    lines = ["### Over time", ""]
    if not report.chunks:
        return [*lines, "_no chunk to show_", ""]
    rows = [
        [cell(c.label), f"{c.rows:,}", f"{len(c.drifted)} of {c.tested} ({c.share_drifted:.0%})",
         _band(c.estimated_accuracy, c.low, c.high), _four(c.realized_accuracy),
         f"{c.labelled_rows:,}"]
        for c in report.chunks
    ]  # fmt: skip
    headers = ["Chunk", "Rows", "Drifted", "Estimated accuracy", "Realized", "Labelled"]
    lines += [*table(headers, rows), ""]
    if len(report.chunks) >= 2:
        labels = ", ".join(f'"{mermaid_label(c.label)}"' for c in report.chunks)
        shares = ", ".join(f"{c.share_drifted:.3f}" for c in report.chunks)
        lines += [
            "```mermaid",
            "xychart-beta",
            '  title "Share of drifted features per chunk"',
            f"  x-axis [{labels}]",
            '  y-axis "share drifted" 0 --> 1',
            f"  line [{shares}]",
            "```",
            "",
        ]
    return lines


def _four(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _band(value: float | None, low: float | None, high: float | None) -> str:
    if value is None:
        return "—"
    if low is None or high is None:
        return f"{value:.4f}"
    return f"{value:.4f} ({low:.4f}–{high:.4f})"


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
    if perf.estimates:
        return lines + _estimates(report) + ([f"_{perf.note}_", ""] if perf.note else [])
    if perf.metrics:
        lines += [
            f"On the {perf.labelled_rows:,} rows with feedback:",
            "",
            *table(
                ["Metric", "Current", "Registered", "Change"],
                [
                    [cell(m.name), number(m.current), number(m.registered), signed(m.change)]
                    for m in perf.metrics
                ],
            ),
            "",
        ]
    if perf.estimated_accuracy is not None:
        why = f" ({cell(perf.method_note)})" if perf.method_note else ""
        lines += [
            f"Estimated accuracy (an estimate, without labels: {METHODS[perf.method]}{why}): "
            f"**{perf.estimated_accuracy:.4f}**",
            "",
        ]
    if perf.note:
        lines += [f"_{perf.note}_", ""]
    return lines


def _estimates(report: MonitorReport) -> list[str]:
    """Estimated (with the band) beside realized on the labelled rows and registered."""
    perf = report.performance
    assert perf is not None
    rows = [
        [e.name, _band(e.value, e.low, e.high), _four(e.realized), _four(e.estimated_labelled),
         _four(perf.registered(e.name))]
        for e in perf.estimates
    ]  # fmt: skip
    labelled = f"{perf.labelled_rows:,} labelled rows"
    headers = ["Metric", "Estimated (95% band)", f"Realized ({labelled})",
               "Estimated on those rows", "Registered"]  # fmt: skip
    return [
        f"Estimated without labels on every row: {METHODS[perf.method]}.",
        "",
        *table(headers, rows),
        "",
    ]


def _problems(report: MonitorReport) -> list[str]:
    lines = []
    if report.notes:
        lines += ["### Notes", "", *(f"- {cell(n)}" for n in report.notes), ""]
    if report.errors:
        lines += ["### Problems with the input", "", *(f"- {cell(e)}" for e in report.errors), ""]
    return lines


def render_full(report: MonitorReport) -> str:
    lines = [verdict_line(report), "", _subject(report), ""]
    if report.features:
        lines += ["### Features", ""]
        lines.append(
            f"Dataset drift when at least {report.drift_share:.0%} of the features drift. "
            "Strength: how far past its threshold (1 at the threshold)."
        )
        lines += ["", *_feature_rows(report.features)]
    lines += _gates(report)
    lines += _chunks(report)
    if report.current.rows:
        lines += _prediction(report) + _performance(report)
    lines += _problems(report)
    if report.features:
        lines += _sections(report)
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
