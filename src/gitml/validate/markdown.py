"""The validation report as GitHub-flavoured Markdown, for the job summary and a comment on the
pull request that introduced the candidate: the verdict first, then the gates, both models side by
side, what flipped, the labelled metrics with their intervals, what failed, and notes."""

from __future__ import annotations

from gitml.core.limits import REPORT_LIMIT
from gitml.core.markdown import cell, code, table
from gitml.core.mermaid import BASE_COLOR, HEAD_COLOR
from gitml.validate.model import Latency, ValidationReport

ICONS = {"pass": "✅", "fail": "❌", "inconclusive": "⚪", "smoke-tested": "🟡"}
TRUNCATED = "\n\n> The report was cut to fit a comment; the full report is in the job's artifact.\n"


def _who(report: ValidationReport) -> str:
    champion = report.champion
    against = f"{champion.version} ({champion.stage})" if champion else "no champion"
    return f"{report.artifact} {report.candidate.version} against {against}"


def verdict_line(report: ValidationReport) -> str:
    """One heading line: the verdict and why."""
    verdict = report.verdict
    if report.smoke_test is not None:
        outcome = "passed" if report.smoke_passed else "failed"
        why = report.notes[-1] if report.notes else "nothing to compare with"
        text = f"{report.artifact} {report.candidate.version}: {why}; the smoke test {outcome}"
    elif verdict == "fail":
        names = ", ".join(g.name for g in report.failed_gates)
        text = f"{_who(report)}: {len(report.failed_gates)} gate(s) failed ({names})"
    elif verdict == "inconclusive" and not report.gates:
        why = report.notes[-1] if report.notes else "nothing was judged"
        text = f"{_who(report)}: inconclusive, {why}"
    elif verdict == "inconclusive":
        waiting = ", ".join(g.name for g in report.gates if g.passed is None)
        text = f"{_who(report)}: inconclusive, too little to judge ({waiting})"
    else:
        text = f"{_who(report)}: every gate passes on {report.traffic.requests:,} logged requests"
    return f"## {ICONS[verdict]} gitml validate: {text}"


def subject_lines(report: ValidationReport) -> list[str]:
    traffic = report.traffic
    window = []
    if traffic.since:
        window.append(f"since {code(traffic.since)}")
    if traffic.last:
        window.append(f"the newest {traffic.last:,} requests")
    lines = [
        f"Candidate {code(report.candidate.version)} at {code(report.candidate.commit[:12])}"
        + (f" (in {code(report.candidate.stage)})" if report.candidate.stage else ""),
    ]
    if report.champion:
        lines[0] += (
            f"; champion {code(report.champion.version)} in {code(report.champion.stage)} at "
            f"{code(report.champion.commit[:12])}."
        )
    lines.append(
        f"Traffic: {code(traffic.source)}{' (' + ', '.join(window) + ')' if window else ''}: "
        f"{traffic.requests:,} requests, {traffic.rows:,} rows, {traffic.labelled_rows:,} with "
        "feedback, replayed in the logged order and batch shapes through both Bentos served here."
    )
    return [" ".join(lines), ""]


def _gates(report: ValidationReport) -> list[str]:
    if not report.gates:
        return []
    marks = {True: "✅ pass", False: "❌ fail", None: "⚪ not evaluated"}
    order = {False: 0, None: 1, True: 2}
    rows = [
        [marks[g.passed], cell(g.name), cell(g.rule), cell(g.detail)]
        for g in sorted(report.gates, key=lambda g: order[g.passed])
    ]
    return ["### Gates", "", *table(["", "Gate", "Rule", "Result"], rows), ""]


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def _side_by_side(report: ValidationReport) -> list[str]:
    champion = report.latency.get("champion", Latency())
    candidate = report.latency.get("candidate", Latency())

    def rate(side: Latency) -> str:
        return "—" if side.error_rate is None else f"{side.error_rate:.2%} ({side.errors})"

    rows = [
        ["requests sent", f"{champion.requests:,}", f"{candidate.requests:,}"],
        ["failed (error rate)", rate(champion), rate(candidate)],
        ["latency p50", _ms(champion.p50_ms), _ms(candidate.p50_ms)],
        ["latency p99", _ms(champion.p99_ms), _ms(candidate.p99_ms)],
    ]
    for paired in report.metrics:
        rows.append(
            [f"{paired.name} on labelled rows", f"{paired.champion:.4f}", f"{paired.candidate:.4f}"]
        )
    assert report.champion is not None
    headers = [
        "",
        f"champion {cell(report.champion.version)} (served here)",
        f"candidate {cell(report.candidate.version)}",
    ]
    return ["### Side by side", "", *table(headers, rows), "", *_latency_chart(champion, candidate)]


def _latency_chart(champion: Latency, candidate: Latency) -> list[str]:
    if champion.p99_ms is None or candidate.p99_ms is None:
        return []
    values = [champion.p50_ms or 0, champion.p99_ms, candidate.p50_ms or 0, candidate.p99_ms]
    top = max(max(values) * 1.1, 1.0)
    return [
        "```mermaid",
        f'%%{{init: {{"themeVariables": {{"xyChart": {{"plotColorPalette": "{BASE_COLOR}, '
        f'{HEAD_COLOR}"}}}}}}}}%%',
        "xychart-beta",
        '  title "Latency (ms): champion (bars) vs candidate (line)"',
        '  x-axis ["p50", "p99"]',
        f'  y-axis "milliseconds" 0 --> {top:.1f}',
        f"  bar [{values[0]:.2f}, {values[1]:.2f}]",
        f"  line [{values[2]:.2f}, {values[3]:.2f}]",
        "```",
        "",
    ]


def _agreement(report: ValidationReport) -> list[str]:
    if report.agreement is None:
        return ["### Agreement", "", "_no row was answered by both_", ""]
    lines = [
        "### Agreement",
        "",
        f"The candidate predicts the class prod logged on **{report.agreement:.2%}** of "
        f"{report.rows_compared:,} rows. Champion's class (rows) by candidate's class (columns):",
        "",
    ]
    classes = sorted({c for pair in report.flips for c in pair})
    rows = [
        [f"**{cell(a)}**", *(f"{report.flips.get((a, b), 0):,}" for b in classes)] for a in classes
    ]
    return lines + table(["champion \\ candidate", *(cell(c) for c in classes)], rows) + [""]


def _interval(low: float | None, high: float | None) -> str:
    return "—" if low is None or high is None else f"[{low:+.4f}, {high:+.4f}]"


def _labelled(report: ValidationReport) -> list[str]:
    lines = ["### On the rows with feedback", ""]
    if not report.metrics:
        return [*lines, "_no logged row has feedback yet: no labelled metric_", ""]
    confidence = report.metrics[0].confidence or 0.95
    rows = [
        [
            ("**" + cell(m.name) + "**") if m.name == report.gate_metric else cell(m.name),
            f"{m.champion:.4f}",
            f"{m.candidate:.4f}",
            f"{m.difference:+.4f}",
            _interval(m.low, m.high),
            "lower" if m.lower_is_better else "higher",
        ]
        for m in report.metrics
    ]
    headers = ["Metric", "Champion", "Candidate", "Difference", f"{confidence:.0%} interval",
               "Better"]  # fmt: skip
    lines += [
        f"Both models on the same {report.traffic.labelled_rows:,} rows; the interval is a "
        "paired bootstrap of the difference (candidate minus champion).",
        "",
        *table(headers, rows),
        "",
    ]
    if report.mcnemar is not None:
        m = report.mcnemar
        lines += [
            f"McNemar's exact test: {m.champion_only} row(s) only the champion got right, "
            f"{m.candidate_only} only the candidate; p = {m.p_value:.4g}.",
            "",
        ]
    return lines


def _drift(report: ValidationReport) -> list[str]:
    if not report.prediction_drift:
        return []
    marks = {True: "🔴 drift", False: "🟢 ok", None: "⚪ not tested"}
    rows = [
        [marks[d.drifted], cell(d.name), d.test or "—",
         "—" if d.statistic is None else f"{d.statistic:.4g}",
         "—" if d.p_value is None else f"{d.p_value:.4g}",
         cell(d.reference_summary), cell(d.current_summary)]
        for d in report.prediction_drift
    ]  # fmt: skip
    headers = ["", "Answer", "Test", "Statistic", "p-value", "Champion (logged)", "Candidate"]
    lines = ["### Prediction drift between the two", "", *table(headers, rows), ""]
    return lines + ([f"_{report.prediction_note}_", ""] if report.prediction_note else [])


def _failures(report: ValidationReport) -> list[str]:
    if not report.new_errors:
        return []
    rows = [
        [str(f.index), code(f.request_id), str(f.rows), str(f.status or "no answer"), cell(f.error)]
        for f in report.failed_requests
    ]
    shown = len(report.failed_requests)
    more = f" (the first {shown} listed)" if shown < report.new_errors else ""
    return [
        "### Requests the candidate failed",
        "",
        f"{report.new_errors} request(s) prod answered got no answer from the candidate{more}:",
        "",
        *table(["#", "Logged request", "Rows", "Status", "Error"], rows),
        "",
    ]


def _notes(report: ValidationReport) -> list[str]:
    lines = []
    if report.smoke_test is not None:
        lines += ["### Smoke test instead", "", cell(report.smoke_test), ""]
    if report.notes:
        lines += ["### Notes", "", *(f"- {cell(n)}" for n in report.notes), ""]
    if report.errors:
        lines += ["### Problems", "", *(f"- {cell(e)}" for e in report.errors), ""]
    return lines


def render_full(report: ValidationReport) -> str:
    lines = [verdict_line(report), "", *subject_lines(report), *_gates(report)]
    if report.smoke_test is None and report.champion is not None and report.latency:
        lines += _side_by_side(report) + _agreement(report) + _labelled(report)
        lines += _drift(report) + _failures(report)
    lines += _notes(report)
    return "\n".join(lines).rstrip() + "\n"


def render(report: ValidationReport, limit: int = REPORT_LIMIT) -> str:
    """The report, cut at a line boundary (outside code blocks) to fit ``limit`` characters."""
    text = render_full(report)
    if len(text) <= limit:
        return text
    kept, inside, size = [], False, 0
    for line in text.splitlines(keepends=True):
        if size + len(line) > limit - len(TRUNCATED):
            break
        kept.append(line)
        size += len(line)
        inside = inside != line.startswith("```")
    while inside and kept:  # never leave a Mermaid block open
        inside = inside != kept.pop().startswith("```")
    return "".join(kept).rstrip() + TRUNCATED
