"""Every plot at full fidelity in one self-contained HTML file that renders offline.

The Vega-Lite specs come from DVC's own templates (filled with both revisions' data); the Vega
libraries are inlined from vl-convert's bundle, so no CDN is needed. Building that bundle takes
about a second, so it is cached per vl-convert version.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from gitml.report.markdown import verdict_line
from gitml.report.model import Report


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


def _script_safe(text: str) -> str:
    """Text that cannot close the inline <script> element it sits in."""
    return text.replace("</", "<\\/")


def render(report: Report) -> str:
    """The HTML page: verdict, then one interactive chart per plot."""
    specs = [(plot.title, plot.vega_lite) for plot in report.plots if plot.vega_lite]
    sections = "\n".join(
        f'<section><h2>{html.escape(title)}</h2><div id="plot-{index}"></div></section>'
        for index, (title, _spec) in enumerate(specs)
    )
    payload = _script_safe(json.dumps([spec for _title, spec in specs]))
    heading = html.escape(verdict_line(report).lstrip("# "))
    subtitle = html.escape(f"{report.head} against {report.base}")
    empty = "" if specs else "<p>No plots are defined in dvc.yaml.</p>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gitml plots: {subtitle}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem; color: #1f2328; }}
section {{ margin-bottom: 2rem; }}
h1 {{ font-size: 1.4rem; }} h2 {{ font-size: 1.1rem; }}
</style>
<script>{_script_safe(vega_bundle())}</script>
</head>
<body>
<h1>{heading}</h1>
<p>{subtitle}</p>
{empty}{sections}
<script>
const specs = {payload};
specs.forEach((spec, index) => vegaEmbed("#plot-" + index, spec, {{actions: false}}));
</script>
</body>
</html>
"""
