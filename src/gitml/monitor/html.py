"""The full monitoring report as one offline, interactive HTML page.

Every feature's reference and current distributions as a Vega-Lite chart (tooltips, grouped
bars), drifted features first; the Vega libraries are inlined from vl-convert's bundle by the PR
report's HTML module, so the page needs no network.
"""

from __future__ import annotations

import html
from typing import Any

from gitml.core.html import script_safe_code, script_safe_json, vega_bundle
from gitml.monitor import markdown
from gitml.monitor.drift import FeatureDrift
from gitml.monitor.flow import drifted_first
from gitml.monitor.model import MonitorReport

REFERENCE_COLOR, CURRENT_COLOR = "#8c959f", "#0969da"


def chart_spec(feature: FeatureDrift) -> dict[str, Any] | None:
    """A grouped bar chart of the shares per bin or category, reference beside current."""
    hist = feature.histogram
    if hist is None:
        return None
    values = [
        {"bin": label, "order": index, "side": side, "share": share}
        for index, label in enumerate(hist.labels)
        for side, share in (("reference", hist.reference[index]), ("current", hist.current[index]))
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 420,
        "height": 160,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "bin",
                "type": "nominal",
                "sort": {"field": "order"},
                "title": feature.name,
            },
            "xOffset": {"field": "side"},
            "y": {"field": "share", "type": "quantitative", "title": "share of rows"},
            "color": {
                "field": "side",
                "type": "nominal",
                "scale": {
                    "domain": ["reference", "current"],
                    "range": [REFERENCE_COLOR, CURRENT_COLOR],
                },
            },
        },
    }


def _row(feature: FeatureDrift) -> str:
    chart = ""
    if feature.histogram is not None:  # only containers that get a chart: the tests wait for it
        name = html.escape(feature.name, quote=True)
        chart = f'<div class="chart" data-gitml-chart="{name}"></div>'
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
    return (
        f'<section class="{status.replace(" ", "-")}"><h3>{html.escape(feature.name)}: '
        f"{status}</h3><p>{html.escape(figures)}</p>"
        f"<p>reference: {html.escape(feature.reference_summary)}<br>"
        f"current: {html.escape(feature.current_summary)}"
        f"{'<br>' + html.escape(feature.note) if feature.note else ''}</p>"
        f"{chart}</section>"
    )


def render(report: MonitorReport) -> str:
    """The HTML page: verdict and summary, then every feature (and prediction) with its chart."""
    features = drifted_first(report.features) + list(report.prediction or [])
    specs = [chart_spec(f) for f in features]
    sections = "\n".join(_row(f) for f in features)
    charted = {f.name: spec for f, spec in zip(features, specs, strict=True) if spec is not None}
    payload = script_safe_json(charted)
    heading = html.escape(markdown.verdict_line(report).lstrip("# "))
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in report.notes + report.errors)
    empty = "" if features else "<p>No feature was compared.</p>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gitml monitor: {html.escape(report.current.source)}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem; color: #1f2328; }}
section {{ margin-bottom: 1.5rem; border-left: 4px solid #d0d7de; padding-left: 1rem; }}
section.drift {{ border-color: #cf222e; }}
h1 {{ font-size: 1.4rem; }} h3 {{ font-size: 1.05rem; margin-bottom: 0.2rem; }}
</style>
<script>{script_safe_code(vega_bundle())}</script>
</head>
<body>
<h1>{heading}</h1>
<p>Reference: {html.escape(report.reference.source)} ({report.reference.rows:,} rows).
Current: {html.escape(report.current.source)} ({report.current.rows:,} rows).</p>
<ul>{notes}</ul>
{empty}{sections}
<script type="application/json" id="gitml-charts">{payload}</script>
<script>
const specs = JSON.parse(document.getElementById("gitml-charts").textContent);
for (const element of document.querySelectorAll("[data-gitml-chart]")) {{
  const spec = specs[element.dataset.gitmlChart];
  if (spec) vegaEmbed(element, spec, {{actions: false}});
}}
</script>
</body>
</html>
"""
