"""HTML helpers every offline page gitml writes shares (report, monitor, sweep, validate): the
inlined Vega libraries, text that is safe inside ``<script>`` elements, and one page layout."""

from __future__ import annotations

import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any

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
    # the stubs make `snippet` required; with none the bundle is the libraries alone
    bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]
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
<title>{html.escape(title, quote=True)}</title>
<style>{STYLE}</style>
<script>{script_safe_code(vega_bundle())}</script>
</head>
<body>
{body}<script type="application/json" id="gitml-specs">{script_safe_json(specs)}</script>
<script>{DRAW}</script>
</body>
</html>
"""
