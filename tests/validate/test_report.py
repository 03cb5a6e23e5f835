"""The validation report from measured answers, without a server: measures, gates, verdicts and
every rendering (Markdown, JSON, the HTML page in Chromium, the Mermaid blocks through Mermaid's
parser). The served replay is tests/validate/test_served.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitml.config import ValidateSettings
from gitml.serving.replay import Answer, Replayed
from gitml.validate import json_render, markdown
from gitml.validate.gates import evaluate_gates
from gitml.validate.measure import measure
from gitml.validate.model import Side, Traffic, ValidationReport
from gitml.validate.traffic import LoggedRequest
from gitml.validate.traffic import Traffic as Logged
from gitml.validate.write import write_report
from tests.browser import open_in_browser
from tests.mermaid_cli import assert_mermaid_renders

SETTINGS = ValidateSettings(min_requests=20, min_labelled=20, bootstrap=1000)


def logged_traffic(requests: int = 60, batch: int = 3) -> Logged:
    """``requests`` requests of ``batch`` rows; the champion answers the row's parity, right on
    every labelled row (every row has feedback)."""
    logged = []
    for r in range(requests):
        rows = [{"x": float(r * batch + i)} for i in range(batch)]
        answers = [(r * batch + i) % 2 for i in range(batch)]
        probabilities = [[0.1, 0.9] if a else [0.9, 0.1] for a in answers]
        labels = dict(enumerate(answers))
        logged.append(LoggedRequest(f"req-{r}", None, rows, answers, probabilities, labels))
    return Logged(logged, ["logs"], classes=[0, 1])


def answers(traffic: Logged, change=lambda index, row, answer: answer, fail=lambda r: False):
    result = []
    for index, request in enumerate(traffic.requests):
        if fail(request):
            result.append(Answer(400, 0.004, error=f"{request.rows} rows: this service takes one"))
            continue
        labels = [change(index, i, a) for i, a in enumerate(request.predictions)]
        result.append(Answer(200, 0.002 + 0.0001 * (index % 7), labels, f"cand-{index}"))
    return result


def report_for(traffic: Logged, candidate: list[Answer], tmp_path: Path) -> ValidationReport:
    report = ValidationReport(
        artifact="classifier",
        candidate=Side("v0.3.0", "a" * 40, "staging"),
        champion=Side("v0.2.0", "b" * 40, "prod"),
        traffic=Traffic("monitoring/", requests=len(traffic.requests), rows=traffic.rows),
    )
    champion = answers(traffic)
    replayed = Replayed({"champion": champion, "candidate": candidate},
                        {"champion": tmp_path / "none", "candidate": tmp_path / "none"})  # fmt: skip
    measure(report, traffic, replayed, SETTINGS)
    report.gates = evaluate_gates(report, SETTINGS)
    return report


def gate(report: ValidationReport, name: str):
    return next(g for g in report.gates if g.name == name)


def test_a_candidate_that_agrees_everywhere_passes(tmp_path: Path) -> None:
    traffic = logged_traffic()
    report = report_for(traffic, answers(traffic), tmp_path)
    assert report.verdict == "pass", report.gates
    assert report.agreement == 1.0 and report.rows_compared == 180
    assert report.flips == {("0", "0"): 90, ("1", "1"): 90}
    accuracy = report.metric("accuracy")
    assert accuracy is not None and (accuracy.low, accuracy.high) == (0.0, 0.0)
    assert report.replay_fidelity == 1.0 and report.new_errors == 0
    assert markdown.verdict_line(report) == (
        "## ✅ gitml validate: classifier v0.3.0 against v0.2.0 (prod): every gate passes on 60 "
        "logged requests"
    )


def test_flipping_labelled_rows_to_wrong_answers_fails_on_the_interval(tmp_path: Path) -> None:
    traffic = logged_traffic()
    wrong = answers(traffic, change=lambda index, row, answer: 1 - answer if index < 12 else answer)
    report = report_for(traffic, wrong, tmp_path)
    assert report.verdict == "fail"
    regression = gate(report, "regression")
    accuracy = report.metric("accuracy")
    assert regression.passed is False and accuracy is not None
    assert accuracy.difference == pytest.approx(-36 / 180)
    assert accuracy.low < -0.2 < accuracy.high < -0.1  # the whole interval is a regression
    assert f"[{accuracy.low:+.4f}, {accuracy.high:+.4f}]" in regression.detail
    assert gate(report, "agreement").passed is False
    assert report.mcnemar is not None and report.mcnemar.champion_only == 36
    assert report.mcnemar.candidate_only == 0 and report.mcnemar.p_value < 1e-9
    assert report.flips[("0", "1")] + report.flips[("1", "0")] == 36


def test_a_candidate_that_refuses_a_request_shape_the_champion_took_fails(tmp_path: Path) -> None:
    traffic = logged_traffic(requests=30, batch=1)
    traffic.requests += logged_traffic(requests=5, batch=4).requests
    refused = answers(traffic, fail=lambda request: request.rows > 1)
    report = report_for(traffic, refused, tmp_path)
    assert report.verdict == "fail"
    assert gate(report, "new errors").passed is False and report.new_errors == 5
    assert [f.rows for f in report.failed_requests] == [4] * 5
    assert report.failed_requests[0].error == "4 rows: this service takes one"
    assert report.latency["candidate"].errors == 5 and report.latency["champion"].errors == 0
    # the rows it answered agree: only the errors fail it
    assert report.agreement == 1.0


def test_too_little_traffic_or_feedback_is_inconclusive_never_a_pass(tmp_path: Path) -> None:
    traffic = logged_traffic(requests=5)
    report = report_for(traffic, answers(traffic), tmp_path)
    assert report.verdict == "inconclusive" and not report.passed
    assert gate(report, "requests").passed is None
    assert "at least 20 are needed" in gate(report, "requests").detail
    assert gate(report, "regression").passed is None
    assert "inconclusive" in markdown.verdict_line(report)


def test_every_rendering(tmp_path: Path, browser, mmdc) -> None:
    traffic = logged_traffic()
    wrong = answers(traffic, change=lambda index, row, answer: 1 - answer if index < 4 else answer)
    report = report_for(traffic, wrong, tmp_path)
    report.notes.append("rows answered by other versions than v0.2.0 are left out (v0.1.0: 3)")
    written = write_report(report, tmp_path / "validate.md", tmp_path / "validate.json",
                           tmp_path / "validate.html")  # fmt: skip
    text = written.markdown
    assert text.startswith("## ❌ gitml validate: classifier v0.3.0 against v0.2.0 (prod)")
    for heading in ("### Gates", "### Side by side", "### Agreement", "### On the rows with "
                    "feedback", "### Prediction drift between the two", "### Notes"):  # fmt: skip
        assert heading in text
    assert "| **0** | 84 | 6 |" in text  # the flip table: champion's class by candidate's
    data = json.loads((tmp_path / "validate.json").read_text())
    assert list(data) == list(json_render.to_data(report))
    assert data["verdict"] == "fail" and data["agreement"] == pytest.approx(168 / 180)
    assert {g["gate"] for g in data["gates"]} == {
        "requests", "new errors", "agreement", "regression", "latency"
    }  # fmt: skip
    page = open_in_browser(browser, tmp_path / "validate.html")
    page.assert_clean()
    assert page.charts == {"latency": 1, "intervals": 1}
    assert "Agreement: 93.33% of 180 rows" in page.text
    assert_mermaid_renders(mmdc, tmp_path, {"validate.md": text})


def test_the_smoke_test_fallback_reads_as_such(tmp_path: Path, browser) -> None:
    report = ValidationReport(
        artifact="classifier",
        candidate=Side("v0.1.0", "a" * 40, "staging"),
        champion=None,
        traffic=Traffic("monitoring/"),
        smoke_test="classifier:v0.1.0: 143 rows of the test split answered as the model answers",
        smoke_passed=True,
    )
    report.notes.append("no version of classifier is in prod yet: there is no production "
                        "traffic to compare with")  # fmt: skip
    assert report.verdict == "smoke-tested" and report.passed
    line = markdown.verdict_line(report)
    assert line.startswith("## 🟡 gitml validate: classifier v0.1.0: no version of classifier")
    assert line.endswith("the smoke test passed")
    write_report(report, html_path=tmp_path / "validate.html")
    page = open_in_browser(browser, tmp_path / "validate.html")
    page.assert_clean()
    assert page.charts == {}
