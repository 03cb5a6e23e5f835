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
import json
import math
import mimetypes
import os
import re
from pathlib import Path
from typing import Any

from gitml.core.model import MetricRow, PlotData
from gitml.core.text import data_change, data_size, number, param, percent, signed, size
from gitml.core.wording import MARKS, STAGE_TEXT
from gitml.report.markdown import verdict_line
from gitml.report.model import Report

#: An image plot file larger than this is not embedded (the page would grow without bound).
MAX_IMAGE_BYTES = 2 * 1024 * 1024
CURVE_TEMPLATES = {"simple", "linear", "smooth", "scatter", "scatter_jitter"}
ORDER_FIELD = "gitml_order"

# What can end or confuse a <script> element: a closing tag, or the "<!--" and "<script" that
# switch the HTML tokenizer into its double-escaped state (HTML spec, "script data" states).
_SCRIPT_HAZARDS = re.compile(r"</script|<!--|<script", re.IGNORECASE)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gitml"


def vega_bundle() -> str:
    """The Vega, Vega-Lite and vega-embed JavaScript, built once per vl-convert version."""
    import vl_convert

    version = getattr(vl_convert, "__version__", None) or vl_convert.get_vega_embed_version()
    path = _cache_dir() / f"vega-bundle-{version}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs time
    return bundle


def script_safe_code(code: str) -> str:
    """JavaScript that can sit inside a <script> element and stays the same program.

    Only ``</script``, ``<!--`` and ``<script`` are rewritten, with their ``<`` as ``\\x3C``: in
    strings, template literals and regular expressions (with or without the ``u`` flag) that
    escape means the same ``<``; outside them the sequences cannot occur in working code
    (``a < !--b`` aside). Rewriting every ``</`` instead broke a regular expression ``/</g``.
    """
    return _SCRIPT_HAZARDS.sub(lambda found: "\\x3C" + found.group(0)[1:], code)


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as null: JSON has no such numbers (Vega skips nulls)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def script_safe_json(value: Any) -> str:
    """JSON text for a ``<script type="application/json">`` element: ``<``, ``>`` and ``&`` as
    ``\\u`` escapes (they only occur inside JSON strings, where the escape is the same
    character), non-ASCII too, so U+2028 and U+2029 cannot end a line either; non-finite
    numbers as null."""
    try:  # most data has no NaN: only then walk every value to replace them
        text = json.dumps(value, ensure_ascii=True, allow_nan=False, default=str)
    except ValueError:
        text = json.dumps(_finite(value), ensure_ascii=True, allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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


def _metric_cells(row: MetricRow) -> list[str]:
    values = [number(row.base), number(row.head), signed(row.delta), percent(row.rel_delta)]
    return [MARKS[row.status], _e(row.file), _e(row.name), *values]


def _tables(report: Report) -> str:
    """Every section of the Markdown report but the plots, in the same order."""
    gates = sorted(report.gates, key=lambda g: (g.passed, g.metric, g.rule))
    ran = sum(1 for s in report.pipeline if s.status == "ran")
    cached = sum(1 for s in report.pipeline if s.status in ("restored", "skipped"))
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
            _table(
                "Metrics",
                ["", "File", "Metric", "Base", "Head", "Change", "Relative"],
                [_metric_cells(row) for row in report.metrics],
                empty="No metrics found on either revision.",
            ),
            _table(
                "Params changed",
                ["File", "Param", "Base", "Head"],
                [
                    [_e(p.file), _e(p.name), _e(param(p.base)), _e(param(p.head))]
                    for p in report.params
                ],
            ),
            _table(
                "Data changed",
                ["Change", "Path", "Base size", "Head size"],
                [
                    [
                        _e(data_change(c.change)),
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
                ["Source", "Revision", "File", "Error"],
                [
                    [_e(e.source), _e(e.rev), _e(e.file or "—"), _e(e.message)]
                    for e in report.errors
                ],
            ),
        ]
    )


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


def _image_plot(plot: PlotData, base: str, head: str) -> str:
    revs = list(dict.fromkeys((base, head)))
    columns = "".join(
        f"<figure><figcaption>{_e('base' if rev == base and base != head else 'head')}: "
        f"<code>{_e(rev)}</code></figcaption>{_image(plot, rev)}</figure>"
        for rev in revs
    )
    return f'<div class="images">{columns}</div>'


def _plots(report: Report) -> tuple[str, dict[str, Any]]:
    """The plots section and the Vega-Lite specs its chart containers are drawn from."""
    specs: dict[str, Any] = {}
    parts = []
    for index, plot in enumerate(report.plots):
        if plot.template == "image":
            body = _image_plot(plot, report.base, report.head)
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


STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem;
       color: #1f2328; max-width: 75rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; text-align: left; }
td { font-variant-numeric: tabular-nums; }
section { margin-bottom: 2rem; }
.images { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: flex-start; }
.images figure { margin: 0; } .images img { max-width: 36rem; height: auto; display: block; }
"""

DRAW = """
const specs = JSON.parse(document.getElementById("gitml-specs").textContent);
for (const element of document.querySelectorAll("[data-gitml-chart]")) {
  vegaEmbed(element, specs[element.dataset.gitmlChart], {actions: false}).catch(
    (error) => console.error("gitml: could not draw " + element.dataset.gitmlChart + ": " + error));
}
"""


def page(title: str, body: str, specs: dict[str, Any]) -> str:
    """A self-contained page: ``body`` (already escaped HTML), then every element carrying
    ``data-gitml-chart="NAME"`` drawn from ``specs[NAME]`` with the inlined Vega libraries."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{_e(title)}</title>
<style>{STYLE}</style>
<script>{script_safe_code(vega_bundle())}</script>
</head>
<body>
{body}<script type="application/json" id="gitml-specs">{script_safe_json(specs)}</script>
<script>{DRAW}</script>
</body>
</html>
"""


def render(report: Report) -> str:
    """The HTML page: the whole report, then one interactive chart or image pair per plot."""
    plots, specs = _plots(report)
    heading = _e(verdict_line(report).lstrip("# "))
    subtitle = f"Comparing <code>{_e(report.head)}</code> against <code>{_e(report.base)}</code>."
    body = f"<h1>{heading}</h1>\n<p>{subtitle}</p>\n{_tables(report)}{plots}"
    return page(f"gitml report: {report.head} against {report.base}", body, specs)
