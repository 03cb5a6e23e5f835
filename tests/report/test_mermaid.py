"""Mermaid charts: one colour per series drawn, grey for the base and blue for the head."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from gitml.core.model import PlotData
from gitml.report.mermaid import BASE_COLOR, HEAD_COLOR, _resample, bars, curve, render_plot


def plot(template: str, x: str, y: str, rows: list[dict]) -> PlotData:
    return PlotData("p", "P", template, x, y, None, None, rows, None)


def palette(chart: str) -> str:
    return chart.split('"plotColorPalette": "')[1].split('"')[0]


def test_curves_of_both_revisions_are_grey_then_blue():
    rows = [{"rev": rev, "fpr": x, "tpr": x} for rev in ("main", "workspace") for x in (0, 1)]
    chart = curve(plot("simple", "fpr", "tpr", rows), "main", "workspace")
    assert palette(chart) == f"{BASE_COLOR}, {HEAD_COLOR}"
    assert chart.count("  line [") == 2


def test_a_series_only_on_head_is_blue_for_curves_and_bars():
    rows = [{"rev": "workspace", "fpr": x, "tpr": x} for x in (0, 1)]
    assert palette(curve(plot("simple", "fpr", "tpr", rows), "main", "workspace")) == HEAD_COLOR
    rows = [{"rev": "workspace", "importance": 0.5, "feature": "a"}]
    chart = bars(plot("bar_horizontal", "importance", "feature", rows), "main", "workspace")
    assert palette(chart) == HEAD_COLOR and chart.count("  bar [") == 1


def test_bars_of_both_revisions_share_the_head_ranking():
    rows = [
        {"rev": "main", "importance": 0.9, "feature": "a"},
        {"rev": "main", "importance": 0.1, "feature": "b"},
        {"rev": "workspace", "importance": 0.2, "feature": "a"},
        {"rev": "workspace", "importance": 0.8, "feature": "b"},
    ]
    chart = bars(plot("bar_horizontal", "importance", "feature", rows), "main", "workspace")
    assert palette(chart) == f"{BASE_COLOR}, {HEAD_COLOR}"
    assert '  x-axis ["b", "a"]' in chart
    assert "  bar [0.1000, 0.9000]\n  bar [0.8000, 0.2000]" in chart


def line_values(chart: str) -> list[list[float]]:
    return [
        [float(v) for v in line.split(",")]
        for line in chart.split("  line [")[1:]
        for line in [line.split("]")[0]]
    ]


def test_a_precision_recall_step_is_drawn_as_the_data_describes():
    # sklearn's order: recall falls; precision jumps at recall 0.5 (1.0 above it, 0.5 at it)
    points = [(1, 0.5), (1, 0.67), (0.5, 0.5), (0.5, 1), (0, 1)]
    rows = [{"rev": "main", "recall": r, "precision": p} for r, p in points]
    chart = curve(plot("simple", "recall", "precision", rows), "main", "main")
    values = line_values(chart)[0]
    assert values[5] == 1.0  # recall 0.25: on the flat part, not cut across the step


def test_series_of_two_files_are_separate_charts():
    rows = [
        {"rev": rev, "filename": name, "fpr": x, "tpr": y}
        for rev in ("main", "workspace")
        for name, pts in (
            ("train.json", [(0, 0), (0, 0.9), (1, 1)]),
            ("test.json", [(0, 0), (1, 1)]),
        )
        for x, y in pts
    ]
    data = plot("simple", "fpr", "tpr", rows)
    assert data.sources() == ["train.json", "test.json"]
    charts = render_plot(data, "main", "workspace").split("```mermaid")[1:]
    assert ['title "P (train.json)"' in charts[0], 'title "P (test.json)"' in charts[1]] == [
        True,
        True,
    ]
    assert line_values(charts[1])[0] == [round(i / 20, 4) for i in range(21)]  # test's diagonal


def scanned(points: list[tuple[float, float]], x: float) -> float:
    """y at ``x`` as the charts computed it before bisection: the first segment holding x."""
    if x <= points[0][0]:
        return points[0][1]
    if x >= points[-1][0]:
        return points[-1][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    raise AssertionError("x outside the points")


coordinate = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]) | st.floats(0, 1, allow_nan=False)


@given(st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=40), st.data())
def test_resampling_by_bisection_gives_the_values_of_the_first_segment(points, data):
    # ordered as _ordered leaves them (x never decreases), with ties: a ROC curve's vertical steps
    points = sorted(points, key=lambda point: point[0])
    grid = data.draw(st.lists(coordinate, min_size=1, max_size=21))
    assert _resample(points, grid) == [scanned(points, x) for x in grid]


def test_curves_drawn_from_thousands_of_points_match_the_data():
    rows = [{"rev": "main", "fpr": i / 5000, "tpr": (i / 5000) ** 0.5} for i in range(5001)]
    chart = curve(plot("simple", "fpr", "tpr", rows), "main", "workspace")
    line = chart.split("  line [")[1].split("]")[0].split(", ")
    assert line[0] == "0.0000" and line[-1] == "1.0000" and line[10] == f"{0.5**0.5:.4f}"
