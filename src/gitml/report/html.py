"""The whole report as one self-contained HTML page that renders offline.

Verdict, gates, metrics, params, data changes, pipeline and load errors come first, as in the
Markdown, then every plot at full fidelity: DVC's Vega-Lite specs (filled with both revisions'
data) drawn by the Vega libraries inlined from vl-convert's bundle (no CDN), and image plots
embedded as data URIs, base and head side by side. Building the bundle takes about a second, so
it is cached per vl-convert version.
"""

from __future__ import annotations

import base64
import html
import mimetypes
from typing import Any

from gitml.core.html import page
from gitml.core.model import MetricRow, PlotData
from gitml.core.text import data_change, data_size, number, param, percent, signed, size
from gitml.core.wording import MARKS, NOT_LOADED_VALUE, STAGE_TEXT
from gitml.report.markdown import verdict_line
from gitml.report.model import Report
from gitml.report.sides import describe

#: An image plot file larger than this is not embedded (the page would grow without bound).
MAX_IMAGE_BYTES = 2 * 1024 * 1024
CURVE_TEMPLATES = {"simple", "linear", "smooth", "scatter", "scatter_jitter"}
ORDER_FIELD = "gitml_order"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _table(title: str, headers: list[str], rows: list[list[str]], empty: str = "") -> str:
    """A titled table; cells must already be escaped. No rows: ``empty`` or nothing."""
    if not rows:
        return f"<h2>{_e(title)}</h2>\n<p>{_e(empty)}</p>\n" if empty else ""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<h2>{_e(title)}</h2>\n<table>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}\n</tbody>\n</table>\n"
    )


def _value(row: MetricRow, rev: str, value: float | None) -> str:
    return NOT_LOADED_VALUE if value is None and rev in row.not_loaded_at else number(value)


def _metric_cells(row: MetricRow, base: str, head: str) -> list[str]:
    values = [_value(row, base, row.base), _value(row, head, row.head)]
    changes = [signed(row.delta), percent(row.rel_delta)]
    return [MARKS[row.status], _e(row.file), _e(row.name), *values, *changes]


def _no_metrics(report: Report) -> str:
    if not report.not_loaded:
        return "No metrics found on either revision."
    return "No metrics loaded: the metrics files did not load (see Not loaded)."


def _tables(report: Report) -> str:
    """Every section of the Markdown report but the plots, in the same order."""
    gates = sorted(report.gates, key=lambda g: (g.passed, g.metric, g.rule))
    return "".join(
        [
            _table(
                "Quality gates",
                ["", "Metric", "Rule", "Result"],
                [
                    ["✅ pass" if g.passed else "❌ fail", _e(g.metric), _e(g.rule), _e(g.detail)]
                    for g in gates
                ],
            ),
            *_metric_tables(report),
            *_other_tables(report),
        ]
    )


def _metric_tables(report: Report) -> list[str]:
    """The metrics, and the metrics files that did not load."""
    return [
        _table(
            "Metrics",
            ["", "File", "Metric", "Base", "Head", "Change", "Relative"],
            [_metric_cells(row, report.base, report.head) for row in report.metrics],
            empty=_no_metrics(report),
        ),
        _table(
            "Not loaded",
            ["File", "Revision", "DVC's error", "Why, and what to do"],
            [
                [
                    _e(e.file or "every metrics file"),
                    _e(report.side_name(e.rev)),
                    _e(e.message),
                    _e(e.hint or "—"),
                ]
                for e in report.not_loaded
            ],
        ),
    ]


def _other_tables(report: Report) -> list[str]:
    """Params, data, pipeline and the other load errors."""
    ran = sum(1 for s in report.pipeline if s.status == "ran")
    cached = sum(1 for s in report.pipeline if s.status in ("restored", "skipped"))
    return [
        _table(
            "Params changed",
            ["File", "Param", "Base", "Head"],
            [[_e(p.file), _e(p.name), _e(param(p.base)), _e(param(p.head))] for p in report.params],
        ),
        _table(
            "Data changed",
            ["Change", "Path", "Base size", "Head size"],
            [
                [
                    _e(data_change(c.change, c.in_workspace)),
                    _e(c.path),
                    data_size(c.base_size, c.base_files),
                    data_size(c.head_size, c.head_files),
                ]
                for c in report.data
            ],
        ),
        _table(
            f"Pipeline: {ran} ran, {cached} cached",
            ["Stage", "Status", "Time"],
            [
                [_e(s.name), _e(STAGE_TEXT.get(s.status, s.status)), f"{s.seconds:.1f}s"]
                for s in report.pipeline
            ],
        ),
        _table(
            "Load errors",
            ["Source", "Revision", "File", "Error", "Why, and what to do"],
            [
                [
                    _e(e.source),
                    _e(report.side_name(e.rev)),
                    _e(e.file or "—"),
                    _e(e.message),
                    _e(e.hint or "—"),
                ]
                for e in report.other_errors
            ],
        ),
    ]


def _in_data_order(plot: PlotData) -> dict[str, Any]:
    """DVC's spec, with curves drawn through their points in the data's order (Vega-Lite sorts
    a line by x, which turns a vertical ROC step into a zigzag when x ties)."""
    spec = plot.vega_lite or {}
    mark = spec.get("mark")
    is_line = mark == "line" or (isinstance(mark, dict) and mark.get("type") == "line")
    values = (spec.get("data") or {}).get("values")
    encoding = spec.get("encoding")
    if plot.template not in CURVE_TEMPLATES or not is_line or not isinstance(values, list):
        return spec
    if not isinstance(encoding, dict) or "order" in encoding:
        return spec
    numbered = [{**row, ORDER_FIELD: index} for index, row in enumerate(values)]
    return {
        **spec,
        "data": {**spec["data"], "values": numbered},
        "encoding": {**encoding, "order": {"field": ORDER_FIELD, "type": "quantitative"}},
    }


def _aggregate_per_series(node: Any, fields: list[str]) -> Any:
    """``node`` with ``fields`` added to every aggregate's groupby. DVC's confusion template
    counts by (actual, predicted) only, which drops the revision and file its facets split on:
    each facet then showed another file's or revision's counts."""
    if isinstance(node, list):
        return [_aggregate_per_series(item, fields) for item in node]
    if not isinstance(node, dict):
        return node
    # an empty facet sort (DVC's confusion template) put the headers and cells in different orders;
    # data rows ("values": thousands of points) hold no aggregates
    fixed = {
        key: value if key == "values" else _aggregate_per_series(value, fields)
        for key, value in node.items()
        if not (key == "sort" and value == [])
    }
    if "aggregate" in fixed and isinstance(fixed.get("groupby"), list) and fixed["groupby"]:
        fixed["groupby"] = [*fixed["groupby"], *(f for f in fields if f not in fixed["groupby"])]
    return fixed


def _spec(plot: PlotData) -> dict[str, Any]:
    """The Vega-Lite spec to draw: DVC's, with its series kept apart and in the data's order."""
    spec = _in_data_order(plot)
    fields = [f for f in ("rev", "filename", "field") if any(f in row for row in plot.datapoints)]
    return _aggregate_per_series(spec, fields) if fields else spec


def _image(plot: PlotData, rev: str) -> str:
    files = [image for image in plot.images if image.rev == rev]
    if not files:
        return "<p>No image at this revision.</p>"
    parts = []
    for image in files:
        name = f"{image.file} at {rev}"
        if len(image.data) > MAX_IMAGE_BYTES:
            parts.append(
                f"<p>{_e(name)} is {_e(size(len(image.data)))}, too large to embed "
                f"(limit {_e(size(MAX_IMAGE_BYTES))}): open the file in the repository.</p>"
            )
            continue
        mime = mimetypes.guess_type(image.file)[0] or "application/octet-stream"
        uri = f"data:{mime};base64,{base64.b64encode(image.data).decode('ascii')}"
        parts.append(f'<img src="{uri}" alt="{_e(name)}">')
    return "".join(parts)


def _image_plot(plot: PlotData, report: Report) -> str:
    base, head = report.base, report.head
    revs = list(dict.fromkeys((base, head)))
    columns = "".join(
        f"<figure><figcaption>{_e('base' if rev == base and base != head else 'head')}: "
        f"<code>{_e(report.side_name(rev))}</code></figcaption>{_image(plot, rev)}</figure>"
        for rev in revs
    )
    return f'<div class="images">{columns}</div>'


def _plots(report: Report) -> tuple[str, dict[str, Any]]:
    """The plots section and the Vega-Lite specs its chart containers are drawn from."""
    specs: dict[str, Any] = {}
    parts = []
    for index, plot in enumerate(report.plots):
        if plot.template == "image":
            body = _image_plot(plot, report)
        elif plot.vega_lite:
            name = f"{index}: {plot.id}"
            specs[name] = _spec(plot)
            body = f'<div class="chart" data-gitml-chart="{_e(name)}"></div>'
        else:
            body = "<p>No data to draw at either revision (see the load errors).</p>"
        parts.append(f"<section>\n<h3>{_e(plot.title)}</h3>\n{body}\n</section>\n")
    if not parts:
        loaded = any(error.source == "plots" for error in report.errors)
        note = (
            "DVC could not load the plots defined in dvc.yaml: see the load errors."
            if loaded
            else "No plots are defined in dvc.yaml."
        )
        parts.append(f"<p>{_e(note)}</p>\n")
    return "<h2>Plots</h2>\n" + "".join(parts), specs


def render(report: Report) -> str:
    """The HTML page: the whole report, then one interactive chart or image pair per plot."""
    plots, specs = _plots(report)
    heading = _e(verdict_line(report).lstrip("# "))
    head, base = describe(report.head_named), describe(report.base_named)
    subtitle = f"Comparing {_e(head)} against {_e(base)}."
    body = f"<h1>{heading}</h1>\n<p>{subtitle}</p>\n{_tables(report)}{plots}"
    return page(f"gitml report: {head} against {base}", body, specs)
