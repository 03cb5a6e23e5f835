"""The validation report as one offline HTML page (``core/html.py``'s layout and inlined Vega):
the Markdown's tables as HTML, plus two interactive charts, both models' latency and each labelled
metric's paired difference with its interval against zero."""

from __future__ import annotations

import html
from typing import Any

from gitml.core.html import page
from gitml.core.mermaid import BASE_COLOR, HEAD_COLOR
from gitml.validate import markdown
from gitml.validate.model import ValidationReport

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def latency_spec(report: ValidationReport) -> dict[str, Any] | None:
    """p50 and p99 of both sides as grouped bars."""
    values = [
        {"side": side, "percentile": name, "ms": value}
        for side, latency in report.latency.items()
        for name, value in (("p50", latency.p50_ms), ("p99", latency.p99_ms))
        if value is not None
    ]
    if not values:
        return None
    return {
        "$schema": SCHEMA,
        "width": 320,
        "height": 160,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "percentile", "type": "nominal", "title": None},
            "xOffset": {"field": "side"},
            "y": {"field": "ms", "type": "quantitative", "title": "milliseconds"},
            "color": {
                "field": "side",
                "type": "nominal",
                "scale": {"domain": ["champion", "candidate"], "range": [BASE_COLOR, HEAD_COLOR]},
            },
        },
    }


def interval_spec(report: ValidationReport) -> dict[str, Any] | None:
    """Each metric's difference (candidate minus champion) with its interval, and zero."""
    values = [
        {"metric": m.name, "difference": m.difference, "low": m.low, "high": m.high}
        for m in report.metrics
        if m.low is not None and m.high is not None
    ]
    if not values:
        return None
    return {
        "$schema": SCHEMA,
        "width": 420,
        "height": {"step": 28},
        "data": {"values": values},
        "encoding": {"y": {"field": "metric", "type": "nominal", "title": None}},
        "layer": [
            {
                "mark": {"type": "rule", "color": HEAD_COLOR},
                "encoding": {
                    "x": {"field": "low", "type": "quantitative",
                          "title": "candidate minus champion (interval)"},
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "color": HEAD_COLOR, "tooltip": True},
                "encoding": {"x": {"field": "difference", "type": "quantitative"}},
            },
            {
                "data": {"values": [{"zero": 0}]},
                "mark": {"type": "rule", "color": BASE_COLOR, "strokeDash": [4, 4]},
                "encoding": {"x": {"field": "zero", "type": "quantitative"}, "y": None},
            },
        ],
    }  # fmt: skip


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _sections(report: ValidationReport) -> list[str]:
    parts = []
    if report.gates:
        marks = {True: "pass", False: "FAIL", None: "not evaluated"}
        parts.append("<h2>Gates</h2>" + _table(
            ["", "Gate", "Rule", "Result"],
            [[marks[g.passed], g.name, g.rule, g.detail] for g in report.gates],
        ))  # fmt: skip
    if report.agreement is not None:
        classes = sorted({c for pair in report.flips for c in pair})
        parts.append(
            f"<h2>Agreement: {report.agreement:.2%} of {report.rows_compared:,} rows</h2>"
            + _table(["champion \\ candidate", *classes],
                     [[a, *(str(report.flips.get((a, b), 0)) for b in classes)] for a in classes])
        )  # fmt: skip
    if report.metrics:
        parts.append("<h2>On the rows with feedback</h2>" + _table(
            ["Metric", "Champion", "Candidate", "Difference", "Interval"],
            [[m.name, f"{m.champion:.4f}", f"{m.candidate:.4f}", f"{m.difference:+.4f}",
              f"[{m.low:+.4f}, {m.high:+.4f}]" if m.low is not None else "—"]
             for m in report.metrics],
        ))  # fmt: skip
    if report.failed_requests:
        parts.append("<h2>Requests the candidate failed</h2>" + _table(
            ["#", "Logged request", "Rows", "Status", "Error"],
            [[str(f.index), f.request_id, str(f.rows), str(f.status), f.error]
             for f in report.failed_requests],
        ))  # fmt: skip
    return parts


def render(report: ValidationReport) -> str:
    """The page: verdict, subject, gates, charts, tables, notes."""
    specs = {
        name: spec
        for name, spec in (("latency", latency_spec(report)), ("intervals", interval_spec(report)))
        if spec is not None
    }
    charts = "".join(
        f'<section><h2>{html.escape(title)}</h2><div data-gitml-chart="{name}"></div></section>'
        for name, title in (("latency", "Latency"), ("intervals", "Paired differences"))
        if name in specs
    )
    subject = " ".join(markdown.subject_lines(report)).replace("`", "")
    notes = [*report.notes, *report.errors] + ([report.smoke_test] if report.smoke_test else [])
    body = (
        f"<h1>{html.escape(markdown.verdict_line(report).lstrip('# '))}</h1>"
        f"<p>{html.escape(subject)}</p>"
        + "\n".join(_sections(report))
        + charts
        + ("<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"
           if notes else "")
    )  # fmt: skip
    return page(f"gitml validate: {report.artifact} {report.candidate.version}", body, specs)
