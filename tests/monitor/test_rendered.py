"""The monitoring report's HTML in Chromium and its Mermaid blocks through Mermaid's parser."""

from __future__ import annotations

from pathlib import Path

from sklearn.linear_model import LogisticRegression

from gitml.config import Settings
from gitml.config.monitor import parse_chunk
from gitml.monitor.flow import MonitorRequest, monitor
from gitml.monitor.write import write_report
from tests.browser import open_in_browser
from tests.mermaid_cli import assert_mermaid_renders
from tests.monitor_logs import (
    frame,
    labelled_frame,
    write_feedback,
    write_logs,
    write_profile_file,
)

HOSTILE = 'x</script><!--"&'


def report_files(tmp_path: Path) -> tuple[Path, Path]:
    """A report with drifted numeric and categorical features, a hostile feature name, an
    all-missing column and a constant one."""
    reference = frame(800, 10).assign(constant=1.0, empty=2.0)
    current = frame(600, 13, {"x1": 0.8, "color": 1}).assign(constant=1.0, empty=None)
    for data, name in ((reference, "ref.csv"), (current, "cur.csv")):
        data = data.copy()
        data[HOSTILE] = data["x2"] + (3 if name == "cur.csv" else 0)
        data.to_csv(tmp_path / name, index=False)
    request = MonitorRequest(
        reference=str(tmp_path / "ref.csv"), current=(str(tmp_path / "cur.csv"),), root=tmp_path
    )
    result = monitor(request, Settings())
    write_report(result.report, tmp_path / "r.md", html_path=tmp_path / "r.html")
    return tmp_path / "r.md", tmp_path / "r.html"


def logs_report(tmp_path: Path) -> tuple[Path, Path]:
    """Logs of a served model against its profile: text, chunks over time, calibrated
    estimates with feedback."""
    features = ["x1", "x2", "x3"]
    train, evaluation = labelled_frame(800, 1), labelled_frame(400, 2)
    model = LogisticRegression().fit(train[features], train["target"])
    profile = write_profile_file(tmp_path / "profile.json", train, model, evaluation)
    window = labelled_frame(600, 3, {"x1": 0.6})
    logged = window[["x1", "x2", "x3", "color", "comment"]]
    write_logs(tmp_path / "logs", logged, model.predict(window[features]).tolist(),
               model.predict_proba(window[features]).round(6).tolist(), classes=[0, 1])  # fmt: skip
    write_feedback(
        tmp_path / "logs", [(f"req-{i}", int(window["target"][i])) for i in range(0, 600, 3)]
    )
    request = MonitorRequest(reference=str(profile), current=(str(tmp_path / "logs"),),
                             root=tmp_path, chunk=parse_chunk("2h", "--chunk"))  # fmt: skip
    result = monitor(request, Settings())
    write_report(result.report, tmp_path / "l.md", html_path=tmp_path / "l.html")
    return tmp_path / "l.md", tmp_path / "l.html"


def test_the_html_report_renders_every_chart_offline(browser, tmp_path):
    _, page_path = report_files(tmp_path)
    page = open_in_browser(browser, page_path)
    page.assert_clean()
    tested = ["x1", "x2", "x3", "color", "constant", HOSTILE]
    assert page.charts == {
        **{name: 1 for name in tested},
        **{f"summary:{name}": 1 for name in tested},
    }
    assert "empty: not tested" in page.text
    # one table of every feature opens the page, the most strongly drifted first
    table = page.text.split("Features", 1)[1].split("Per feature", 1)[0]
    order = [HOSTILE, "color", "x1", "x3", "x2", "constant", "empty"]
    positions = [table.index(f"\t{name}\t") for name in order if f"\t{name}\t" in table]
    assert positions == sorted(positions) and len(positions) == len(order), table


def test_the_logs_report_draws_chunks_text_and_the_estimate(browser, tmp_path):
    markdown, page_path = logs_report(tmp_path)
    page = open_in_browser(browser, page_path)
    page.assert_clean()
    assert page.charts["chunks:drift"] == 1 and page.charts["chunks:accuracy"] == 1
    assert page.charts["summary:comment"] == 1 and page.charts["prediction"] == 1
    text = markdown.read_text()
    assert "| 🟢 ok | comment | text | domain_classifier |" in text
    assert "### Over time" in text and "| Estimated (95% band) |" in text


def test_the_markdown_mermaid_blocks_parse(mmdc, tmp_path):
    markdown, _ = report_files(tmp_path)
    logs_markdown, _ = logs_report(tmp_path / "logs-report")
    blocks = {"monitor": markdown.read_text(), "chunks": logs_markdown.read_text()}
    assert assert_mermaid_renders(mmdc, tmp_path, blocks) >= 4


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
