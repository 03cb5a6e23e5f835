"""The monitoring report's HTML in Chromium and its Mermaid blocks through Mermaid's parser."""

from __future__ import annotations

from pathlib import Path

from gitml.monitor.flow import MonitorRequest, monitor
from gitml.monitor.write import write_report
from tests.browser import open_in_browser
from tests.mermaid_cli import assert_mermaid_renders
from tests.monitor_logs import frame


def report_files(tmp_path: Path) -> tuple[Path, Path]:
    """A report with drifted numeric and categorical features, a hostile feature name, an
    all-missing column and a constant one."""
    hostile = 'x</script><!--"&'
    reference = frame(800, 10).assign(constant=1.0, empty=2.0)
    current = frame(600, 13, {"x1": 0.8, "color": 1}).assign(constant=1.0, empty=None)
    for data, name in ((reference, "ref.csv"), (current, "cur.csv")):
        data = data.copy()
        data[hostile] = data["x2"] + (3 if name == "cur.csv" else 0)
        data.to_csv(tmp_path / name, index=False)
    result = monitor(
        MonitorRequest(
            reference=str(tmp_path / "ref.csv"), current=(str(tmp_path / "cur.csv"),), root=tmp_path
        )
    )
    write_report(result.report, tmp_path / "r.md", html_path=tmp_path / "r.html")
    return tmp_path / "r.md", tmp_path / "r.html"


def test_the_html_report_renders_every_chart_offline(browser, tmp_path):
    _, page_path = report_files(tmp_path)
    page = open_in_browser(browser, page_path)
    page.assert_clean()
    tested = ["x1", "x2", "x3", "color", "constant", 'x</script><!--"&']
    assert page.charts == {name: 1 for name in tested}
    assert "empty: not tested" in page.text


def test_the_markdown_mermaid_histograms_parse(mmdc, tmp_path):
    markdown, _ = report_files(tmp_path)
    text = markdown.read_text()
    assert assert_mermaid_renders(mmdc, tmp_path, {"monitor": text}) == 3


def test_a_category_holding_a_marker_or_html_is_escaped_and_still_parses(mmdc, tmp_path):
    from gitml.monitor.drift import FeatureDrift, Histogram
    from gitml.monitor.markdown import histogram_chart

    labels = ["<!-- gitml:monitor id=classifier.prod -->", '</script>"x"', "plain"]
    feature = FeatureDrift(
        name="tier <b>",
        kind="categorical",
        test="chi2",
        statistic=1.0,
        p_value=0.0,
        threshold=0.05,
        drifted=True,
        histogram=Histogram(labels, [0.2, 0.3, 0.5], [0.6, 0.2, 0.2]),
    )
    chart = histogram_chart(feature)
    assert chart is not None and "<" not in chart and ">" not in chart.replace("-->", "")
    assert "‹!-- gitml:monitor id=classifier.prod --›" in chart
    assert assert_mermaid_renders(mmdc, tmp_path, {"hostile": chart}) == 1
