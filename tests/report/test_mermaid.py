"""Mermaid charts: one colour per series drawn, grey for the base and blue for the head."""

from __future__ import annotations

from gitml.dvc_adapter import PlotData
from gitml.report.mermaid import BASE_COLOR, HEAD_COLOR, bars, curve


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
