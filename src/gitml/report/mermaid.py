"""Plots that render inside a GitHub comment: Mermaid charts for curves and bars, tables for
confusion matrices. No image host: GitHub renders Mermaid code blocks itself."""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter

from gitml.core.markdown import cell
from gitml.core.mermaid import BASE_COLOR, HEAD_COLOR, mermaid_label
from gitml.core.model import PlotData
from gitml.core.text import number

CURVE_TEMPLATES = {"simple", "linear", "smooth", "scatter", "scatter_jitter"}
BAR_TEMPLATES = {"bar_horizontal", "bar_horizontal_sorted"}
CONFUSION_TEMPLATES = {"confusion", "confusion_normalized"}
GRID_POINTS = 21
TOP_BARS = 15


def _ordered(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points in the order that draws DVC's curve: the data's own order when x runs one way
    in it (ties stay as the data has them, so a ROC step goes up, not down and up), else by x."""
    xs = [x for x, _ in points]
    if all(a <= b for a, b in itertools.pairwise(xs)):
        return points
    if all(a >= b for a, b in itertools.pairwise(xs)):
        return points[::-1]
    return sorted(points, key=lambda point: point[0])


def _points(plot: PlotData, rev: str, source: str = "") -> list[tuple[float, float]]:
    """One series: the points of one source file at one revision, never mixed with another's."""
    points: list[tuple[float, float]] = []
    if plot.x is None or plot.y is None:
        return points
    for row in plot.series(source, rev):
        try:
            points.append((float(row[plot.x]), float(row[plot.y])))
        except (KeyError, TypeError, ValueError):
            continue
    points = [(x, y) for x, y in points if math.isfinite(x) and math.isfinite(y)]
    return _ordered(points)


def _resample(points: list[tuple[float, float]], grid: list[float]) -> list[float]:
    """y at each ``x`` of ``grid`` on the polyline through ``points`` (ordered by ``_ordered``,
    so x never decreases): on the first segment that holds x, found by bisection."""
    xs = [x for x, _ in points]
    values = []
    for x in grid:
        if x <= xs[0]:
            values.append(points[0][1])
        elif x >= xs[-1]:
            values.append(points[-1][1])
        else:  # xs[i - 1] < x <= xs[i]: the first segment with x0 <= x <= x1
            i = bisect.bisect_left(xs, x)
            (x0, y0), (x1, y1) = points[i - 1], points[i]
            values.append(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
    return values


def _header(drawn: list[str], head: str) -> str:
    """The code fence and a palette with one colour per series drawn, in order: grey for the
    base, blue for the head, matching the legend above the charts."""
    palette = ", ".join(HEAD_COLOR if rev == head else BASE_COLOR for rev in drawn)
    return (
        "```mermaid\n"
        f'%%{{init: {{"themeVariables": {{"xyChart": {{"plotColorPalette": "{palette}"}}}}}}}}%%\n'
    )


def _title(plot: PlotData, source: str) -> str:
    return mermaid_label(f"{plot.title} ({source})" if source else plot.title)


def curve(plot: PlotData, base: str, head: str, source: str = "") -> str | None:
    """One source's curves at both revisions, resampled on a common x grid as Mermaid lines."""
    series = [
        (rev, pts) for rev in dict.fromkeys((base, head)) if (pts := _points(plot, rev, source))
    ]
    if not series:
        return None
    low = min(p[0][0] for _, p in series)
    high = max(p[-1][0] for _, p in series)
    if high == low:
        return None
    grid = [low + (high - low) * i / (GRID_POINTS - 1) for i in range(GRID_POINTS)]
    lines = [
        _header([rev for rev, _ in series], head) + "xychart-beta",
        f'  title "{_title(plot, source)}"',
        f'  x-axis "{mermaid_label(plot.x_label or plot.x)}" {number(round(low, 6))} --> {number(round(high, 6))}',
        f'  y-axis "{mermaid_label(plot.y_label or plot.y)}"',
    ]
    for _rev, pts in series:
        values = ", ".join(f"{y:.4f}" for y in _resample(pts, grid))
        lines.append(f"  line [{values}]")
    return "\n".join(lines) + "\n```"


def bars(plot: PlotData, base: str, head: str, source: str = "") -> str | None:
    """The head's top bars as a horizontal Mermaid bar chart, beside the base's for the same
    categories (the base's alone when the head has none)."""
    values: dict[str, dict[str, float]] = {base: {}, head: {}}
    if plot.x is None or plot.y is None:
        return None
    for rev in values:
        for row in plot.series(source, rev):
            try:
                values[rev][str(row[plot.y])] = float(row[plot.x])
            except (KeyError, TypeError, ValueError):
                continue
    ranked = values[head] or values[base]
    if not ranked:
        return None
    top = sorted(ranked, key=lambda k: (-ranked[k], k))[:TOP_BARS]
    categories = ", ".join(f'"{mermaid_label(name)}"' for name in top)
    drawn = [rev for rev in dict.fromkeys((base, head)) if values[rev]]
    lines = [
        _header(drawn, head) + "xychart-beta horizontal",
        f'  title "{_title(plot, source)}"',
        f"  x-axis [{categories}]",
        f'  y-axis "{mermaid_label(plot.x_label or plot.x)}"',
    ]
    for rev in drawn:
        lines.append("  bar [" + ", ".join(f"{values[rev].get(k, 0):.4f}" for k in top) + "]")
    return "\n".join(lines) + "\n```"


def confusion(plot: PlotData, base: str, head: str, source: str = "") -> str | None:
    """One source's confusion matrix as a Markdown table: head counts, the base's in brackets."""
    counts: dict[str, Counter[tuple[str, str]]] = {rev: Counter() for rev in (base, head)}
    labels: set[str] = set()
    for rev in counts:
        for row in plot.series(source, rev):
            if plot.x not in row or plot.y not in row:
                continue
            actual, predicted = str(row[plot.x]), str(row[plot.y])
            counts[rev][(actual, predicted)] += 1
            labels.update((actual, predicted))
    if not labels:
        return None
    ordered = sorted(labels)
    show_base = base != head and bool(counts[base]) and bool(counts[head])
    main = counts[head] if counts[head] else counts[base]
    header = f"| {cell(plot.x)} \\ {cell(plot.y)} | " + " | ".join(cell(v) for v in ordered) + " |"
    lines = [f"**{cell(source)}**", ""] if source else []
    lines += [header, "|" + "---|" * (len(ordered) + 1)]
    for actual in ordered:
        cells = []
        for predicted in ordered:
            value = str(main[(actual, predicted)])
            if show_base and counts[base][(actual, predicted)] != main[(actual, predicted)]:
                value += f" ({counts[base][(actual, predicted)]})"
            cells.append(value)
        lines.append(f"| **{cell(actual)}** | " + " | ".join(cells) + " |")
    if show_base:
        lines.append("")
        lines.append("_Head counts; the base's in brackets where they differ._")
    return "\n".join(lines)


def render_plot(plot: PlotData, base: str, head: str) -> str | None:
    """The GitHub-renderable form of one plot (one chart or table per source file, so files are
    never mixed), or None when its template has none."""
    if plot.template in CONFUSION_TEMPLATES:
        draw = confusion
    elif plot.template in BAR_TEMPLATES:
        draw = bars
    elif plot.template in CURVE_TEMPLATES:
        draw = curve
    else:
        return None
    parts = [part for source in plot.sources() if (part := draw(plot, base, head, source))]
    return "\n\n".join(parts) or None
