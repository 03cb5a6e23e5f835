"""Monitoring the served model: shifted traffic and feedback through the Bento, `gitml monitor`
on its logs (with the labelled rows exported for retraining), and the sticky monitoring issue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gitml.demo.context import REPOSITORY, TOKEN, Context, fresh
from gitml.errors import GitmlError

#: the monitoring step's traffic: the test split with these features scaled, as a new scanner's
#: calibration would; KS tests flag them and the model's answers move with them
SHIFT = {"worst_area": 1.6, "worst_perimeter": 1.4, "mean_concave_points": 1.8}
#: rows per request, and every how many rows the true label comes back as feedback
MONITOR_BATCH = 2  # 72 requests: enough for `gitml validate` to judge the next version
FEEDBACK_EVERY = 3
#: the rows with feedback as training rows (``gitml monitor --export-labelled``), for retraining
LABELLED = "labelled.csv"


def monitor_traffic(ctx: Context) -> None:
    """Serve with a log folder, send shifted traffic and feedback, `gitml monitor` the logs, and
    keep the sticky monitoring issue on the GitHub emulation (`gitml monitor-issue`)."""
    out = ctx.folder.monitoring
    fresh(out)
    out.mkdir(parents=True)
    sent, labelled = send_shifted_traffic(ctx, out / "logs")
    ctx.progress.note(
        f"sent {sent} rows of the test split ({_shift_text()}) and {labelled} true labels"
    )
    report = monitor_logs(ctx, out / "logs")
    outcome = keep_monitoring_issue(ctx)
    ctx.facts["monitor_verdict"] = report.verdict
    ctx.facts["monitor_issue_url"] = outcome.url
    ctx.show(*monitor_summary(report, out / "report.html"), f"Monitoring issue: {outcome.url}", "")


def _shift_text() -> str:
    return ", ".join(f"{name} x{factor}" for name, factor in SHIFT.items())


def send_shifted_traffic(ctx: Context, logs: Path) -> tuple[int, int]:
    """POST the shifted test split to ``/predict`` in batches, then the true labels of every
    ``FEEDBACK_EVERY``-th row to ``/feedback``; the service records both under ``logs``."""
    import httpx
    import pandas as pd

    from gitml.serving.serve import start_server, stop_server, wait_ready
    from gitml.serving.smoke import ready_timeout

    frame = pd.read_csv(ctx.folder.ci_main / "prepared" / "test.csv")
    truth = frame.pop("target").tolist()
    for name, factor in SHIFT.items():
        frame[name] = frame[name] * factor
    rows = frame.to_dict(orient="records")
    feedback: list[dict[str, Any]] = []
    bento = ctx.release(1)["bento"]
    process, url = start_server(bento, monitor_dir=logs, env=ctx.env)
    try:
        wait_ready(process, url, timeout=ready_timeout(ctx.env))
        ctx.progress.note(f"serving {bento} at {url}, recording to {logs}")
        with httpx.Client(base_url=url, timeout=30) as client:
            for start in range(0, len(rows), MONITOR_BATCH):
                answer = client.post(
                    "/predict", json={"instances": rows[start : start + MONITOR_BATCH]}
                )
                _expect_ok(answer, "/predict")
                request_id = answer.headers["X-Request-Id"]
                feedback += [
                    {"request_id": request_id, "instance": index - start, "label": truth[index]}
                    for index in range(start, min(start + MONITOR_BATCH, len(rows)))
                    if index % FEEDBACK_EVERY == 0
                ]
            _expect_ok(client.post("/feedback", json={"feedback": feedback}), "/feedback")
    finally:
        stop_server(process)
    return len(rows), len(feedback)


def _expect_ok(answer: Any, path: str) -> None:
    if answer.status_code != 200:
        raise GitmlError(f"the Bento answered {answer.status_code} to {path}: {answer.text[:200]}")


def monitor_logs(ctx: Context, logs: Path) -> Any:
    """`gitml monitor --stage STAGE --current LOGS -o report.md --json ... --html ...
    --export-labelled labelled.csv` on main's runner: the reference is the promoted version's
    training data, read through DVC; the rows that got feedback become training rows."""
    from gitml.config import load_settings
    from gitml.monitor.export import export_labelled
    from gitml.monitor.flow import MonitorRequest, monitor
    from gitml.monitor.outputs import step_outputs
    from gitml.monitor.write import write_report

    root = ctx.folder.ci_main
    out = ctx.folder.monitoring
    stage = ctx.release(1)["stage"]
    request = MonitorRequest(stage=stage, current=(str(logs),), root=root)
    result = monitor(request, load_settings(root))
    report = result.report
    write_report(report, out / "report.md", out / "report.json", out / "report.html")
    ctx.progress.note(f"gitml monitor --stage {stage}: verdict {report.verdict}")
    exported = export_labelled(result, out / LABELLED)
    ctx.facts["labelled_rows"] = exported.rows
    # the monitoring workflow's rule for running its retraining job (its `retrain` step output)
    ctx.facts["retrain_due"] = step_outputs(report, exported).get("retrain") == "true"
    ctx.progress.note(
        f"--export-labelled: {exported.rows} labelled row(s) to {exported.path}"
        + (f", {exported.left_out} left out" if exported.left_out else "")
    )
    return report


def keep_monitoring_issue(ctx: Context) -> Any:
    """`gitml monitor-issue` against the GitHub emulation, twice (two scheduled runs): one issue,
    opened, then updated. The emulation's state and the issue's body are saved."""
    from gitml.github_emulator import GitHubEmulator
    from gitml.monitor.issue import IssueRequest, publish_issue

    out = ctx.folder.monitoring
    saved = ctx.folder.github
    saved.mkdir(parents=True, exist_ok=True)
    with GitHubEmulator() as github:
        github.add_token(TOKEN)
        github.add_repo(REPOSITORY)
        env = {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_EVENT_NAME": "schedule",
            "GITHUB_STEP_SUMMARY": str(out / "job-summary.md"),
            "GITHUB_OUTPUT": str(out / "step-outputs.txt"),
        }
        request = IssueRequest(out / "report.md", out / "report.json", REPOSITORY, github.url)
        first = publish_issue(request, env=env)
        again = publish_issue(request, env=env)
        issues = github.issues(REPOSITORY)
        state = github.state()
    (saved / "monitoring-state.json").write_text(json.dumps(state, indent=2), encoding="utf-8")
    if not issues:
        raise GitmlError("the monitoring issue did not reach the GitHub emulation")
    (saved / "monitoring-issue.md").write_text(issues[-1]["body"], encoding="utf-8")
    ctx.progress.note(f"{first.action} the monitoring issue: {first.url}")
    ctx.progress.note(f"the next scheduled run: {again.action}; {len(issues)} monitoring issue")
    return first


def monitor_summary(report: Any, html: Path) -> list[str]:
    """The drift report in a few terminal lines: verdict, drifted features, performance."""
    from gitml.monitor.markdown import verdict_line

    lines = ["", "Monitoring the served model (shifted traffic and feedback):", ""]
    lines.append("  " + verdict_line(report).lstrip("# "))
    for feature in report.drifted:
        lines.append(
            f"  drifted: {feature.name} ({feature.test}, p={feature.p_value:.2g})"
            if feature.p_value is not None
            else f"  drifted: {feature.name} ({feature.test}, {feature.statistic:.3g})"
        )
    performance = report.performance
    accuracy = performance.value("accuracy") if performance else None
    if accuracy is not None:
        registered = performance.registered("accuracy")
        was = f" (registered {registered:.3f})" if registered is not None else ""
        lines.append(
            f"  accuracy on {performance.labelled_rows} rows with feedback: {accuracy:.3f}{was}"
        )
    lines.append(f"  the whole report: {html}")
    return lines
