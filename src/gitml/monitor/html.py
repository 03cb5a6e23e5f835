"""The full monitoring report as one offline, interactive HTML page.

It opens with one table of every feature (kind, test, statistic, threshold, drifted, strength and
a small picture of the two distributions), the most strongly drifted first; then the chunks over
time, performance, and a section per feature (and per prediction column) with its full chart.
Every chart is a Vega-Lite spec drawn by ``gitml.core.html.page`` with the inlined libraries, so
the page needs no network.
"""

from __future__ import annotations

import html
from typing import Any

from gitml.core.html import page
from gitml.monitor import markdown
from gitml.monitor.drift import FeatureDrift
from gitml.monitor.model import MonitorReport, by_strength

REFERENCE_COLOR, CURRENT_COLOR = "#8c959f", "#0969da"
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
PAGE_STYLE = """
section.feature { border-left: 4px solid #d0d7de; padding-left: 1rem; margin-bottom: 1.5rem; }
section.feature.drift { border-color: #cf222e; }
td.picture { padding: 0 0.3rem; }
"""


def _values(feature: FeatureDrift) -> list[dict[str, Any]]:
    hist = feature.histogram
    assert hist is not None
    return [
        {"bin": label, "order": index, "side": side, "share": share}
        for index, label in enumerate(hist.labels)
        for side, share in (("reference", hist.reference[index]), ("current", hist.current[index]))
    ]


def _color(legend: bool) -> dict[str, Any]:
    scale = {"domain": ["reference", "current"], "range": [REFERENCE_COLOR, CURRENT_COLOR]}
    return {
        "field": "side",
        "type": "nominal",
        "scale": scale,
        **({} if legend else {"legend": None}),
    }


def chart_spec(feature: FeatureDrift) -> dict[str, Any] | None:
    """A grouped bar chart of the shares per bin or category, reference beside current."""
    if feature.histogram is None:
        return None
    return {
        "$schema": SCHEMA,
        "width": 420,
        "height": 160,
        "data": {"values": _values(feature)},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "bin", "type": "nominal", "sort": {"field": "order"},
                  "title": feature.name},
            "xOffset": {"field": "side"},
            "y": {"field": "share", "type": "quantitative", "title": "share of rows"},
            "color": _color(legend=True),
        },
    }  # fmt: skip


def picture_spec(feature: FeatureDrift) -> dict[str, Any] | None:
    """The summary table's small picture: the same bars, no axes, 110 by 26 pixels."""
    if feature.histogram is None:
        return None
    return {
        "$schema": SCHEMA,
        "width": 110,
        "height": 26,
        "padding": 0,
        "data": {"values": _values(feature)},
        "mark": {"type": "bar", "tooltip": True},
        "config": {"view": {"stroke": None}},
        "encoding": {
            "x": {"field": "bin", "type": "nominal", "sort": {"field": "order"}, "axis": None},
            "xOffset": {"field": "side"},
            "y": {"field": "share", "type": "quantitative", "axis": None},
            "color": _color(legend=False),
        },
    }


def _number(value: float | None, digits: str = ".4g") -> str:
    return "—" if value is None else format(value, digits)


def _summary_table(features: list[FeatureDrift], specs: dict[str, Any]) -> str:
    rows = []
    for feature in by_strength(features):
        picture = picture_spec(feature)
        cell = ""
        if picture is not None:  # only containers that get a chart: the tests wait for each
            specs[f"summary:{feature.name}"] = picture
            name = html.escape(f"summary:{feature.name}", quote=True)
            cell = f'<div data-gitml-chart="{name}"></div>'
        status = {True: "drift", False: "ok", None: "not tested"}[feature.drifted]
        strength = feature.strength
        cells = [status, feature.name, feature.kind, feature.test or "—",
                 _number(feature.statistic), _number(feature.p_value), _number(feature.threshold),
                 "—" if strength is None else f"{strength:.2f}"]  # fmt: skip
        rows.append(
            "<tr>"
            + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
            + f'<td class="picture">{cell}</td></tr>'
        )
    headers = ["", "Feature", "Kind", "Test", "Statistic", "p-value", "Threshold", "Strength",
               "Reference (grey) and current (blue)"]  # fmt: skip
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>\n"


def _section(feature: FeatureDrift, specs: dict[str, Any]) -> str:
    chart = ""
    spec = chart_spec(feature)
    if spec is not None:
        specs[feature.name] = spec
        chart = f'<div data-gitml-chart="{html.escape(feature.name, quote=True)}"></div>'
    status = {True: "drift", False: "ok", None: "not tested"}[feature.drifted]
    figures = ", ".join(
        part
        for part in (
            f"test {feature.test}" if feature.test else "",
            f"statistic {feature.statistic:.4g}" if feature.statistic is not None else "",
            f"p-value {feature.p_value:.4g}" if feature.p_value is not None else "",
            f"threshold {feature.threshold:g}" if feature.threshold is not None else "",
        )
        if part
    )
    note = f"<br>{html.escape(feature.note)}" if feature.note else ""
    return (
        f'<section class="feature {status.replace(" ", "-")}"><h3>'
        f"{html.escape(feature.name)}: {status}</h3><p>{html.escape(figures)}</p>"
        f"<p>reference: {html.escape(feature.reference_summary)}<br>"
        f"current: {html.escape(feature.current_summary)}{note}</p>{chart}</section>\n"
    )


def _chunk_specs(report: MonitorReport) -> dict[str, Any]:
    """Drifted share and estimated accuracy (band, realized points) per chunk."""
    assert report.chunks
    values = [{**c.to_dict(), "order": i} for i, c in enumerate(report.chunks)]
    x = {"field": "chunk", "type": "ordinal", "sort": {"field": "order"}, "title": "chunk"}
    drift = {
        "$schema": SCHEMA, "width": 520, "height": 140, "data": {"values": values},
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {"x": x, "y": {"field": "share_drifted", "type": "quantitative",
                                   "title": "share of features drifted",
                                   "scale": {"domain": [0, 1]}}},
    }  # fmt: skip
    y = {"type": "quantitative", "title": "accuracy", "scale": {"zero": False}}
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "area", "opacity": 0.2, "color": CURRENT_COLOR},
         "encoding": {"x": x, "y": {**y, "field": "low"}, "y2": {"field": "high"}}},
        {"mark": {"type": "line", "point": True, "tooltip": True, "color": CURRENT_COLOR},
         "encoding": {"x": x, "y": {**y, "field": "estimated_accuracy"}}},
        {"mark": {"type": "point", "filled": True, "tooltip": True, "color": "#cf222e"},
         "encoding": {"x": x, "y": {**y, "field": "realized_accuracy"}}},
    ]  # fmt: skip
    performance = {"$schema": SCHEMA, "width": 520, "height": 140, "data": {"values": values},
                   "layer": layers}  # fmt: skip
    return {"chunks:drift": drift, "chunks:accuracy": performance}


def _chunks(report: MonitorReport, specs: dict[str, Any]) -> str:
    if report.chunks is None:
        return ""
    if not report.chunks:
        return "<h2>Over time</h2><p>No chunk to show.</p>\n"
    specs.update(_chunk_specs(report))
    return (
        "<h2>Over time</h2><p>Share of drifted features per chunk; estimated accuracy (line, its "
        "95% band shaded) and realized accuracy on the rows with feedback (red points).</p>"
        '<div data-gitml-chart="chunks:drift"></div><div data-gitml-chart="chunks:accuracy">'
        "</div>\n"
    )


def _performance(report: MonitorReport) -> str:
    """The Markdown performance section's table, as HTML."""
    perf = report.performance
    if perf is None:
        return ""
    rows = []
    for e in perf.estimates:
        cells = [e.name, f"{e.value:.4f} ({e.low:.4f} to {e.high:.4f})", _number(e.realized),
                 _number(e.estimated_labelled), _number(perf.registered(e.name))]  # fmt: skip
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    if not rows:
        estimate = _number(perf.estimated_accuracy)
        return f"<h2>Performance</h2><p>Estimated accuracy: {html.escape(estimate)}</p>\n"
    headers = ["Metric", "Estimated (95% band)", f"Realized ({perf.labelled_rows:,} labelled)",
               "Estimated on those rows", "Registered"]  # fmt: skip
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    return f"<h2>Performance</h2><table><tr>{head}</tr>{''.join(rows)}</table>\n"


def render(report: MonitorReport) -> str:
    """The HTML page: verdict, summary table, chunks, performance, then every feature."""
    specs: dict[str, Any] = {}
    heading = html.escape(markdown.verdict_line(report).lstrip("# "))
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in report.notes + report.errors)
    parts = [
        f"<style>{PAGE_STYLE}</style><h1>{heading}</h1>",
        f"<p>Reference: {html.escape(report.reference.source)} ({report.reference.rows:,} rows). "
        f"Current: {html.escape(report.current.source)} ({report.current.rows:,} rows).</p>",
        f"<ul>{notes}</ul>\n",
    ]
    if report.features:
        parts += ["<h2>Features</h2>", _summary_table(report.features, specs)]
    else:
        parts.append("<p>No feature was compared.</p>\n")
    parts += [_chunks(report, specs), _performance(report)]
    if report.features:
        parts += ["<h2>Per feature</h2>\n"] + [
            _section(f, specs) for f in by_strength(report.features)
        ]
    if report.prediction:
        parts += ["<h2>Prediction drift</h2>\n"] + [_section(f, specs) for f in report.prediction]
    title = f"gitml monitor: {report.current.source}"
    return page(title, "".join(parts), specs)
