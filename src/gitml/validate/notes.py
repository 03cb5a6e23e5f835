"""What a reader of the validation report must know besides the measures: what was left out of
the traffic, and whether the replay reproduced prod."""

from __future__ import annotations

from gitml.validate.model import ValidationReport
from gitml.validate.traffic import Traffic


def traffic_notes(report: ValidationReport, traffic: Traffic, limit: int) -> None:
    """Facts about the logged traffic read: versions left out, the window's cap, broken lines."""
    report.traffic.details = {
        "files": len(traffic.sources),
        "records": traffic.records,
        "broken_lines": traffic.broken_lines,
        "other_versions": dict(traffic.other_versions),
        "before_window": traffic.before_window,
        "beyond_limit": traffic.beyond_limit,
        "incomplete_requests": traffic.incomplete,
        "feedback_records": traffic.feedback_records,
    }
    champion = report.champion.version if report.champion else "the champion"
    if traffic.other_versions:
        others = ", ".join(f"{v}: {n:,}" for v, n in sorted(traffic.other_versions.items()))
        report.notes.append(
            f"rows answered by other versions than {champion} are left out ({others} rows)"
        )
    if traffic.beyond_limit:
        report.notes.append(
            f"the window holds {traffic.beyond_limit:,} older request(s) beyond the newest "
            f"{limit:,} that were replayed (--last, [tool.gitml.validate] max_requests)"
        )
    if traffic.broken_lines:
        report.errors.append(f"{traffic.broken_lines} broken line(s) in the logs were skipped")
    if traffic.incomplete:
        report.errors.append(
            f"{traffic.incomplete} request(s) were left out: some of their rows are not in the "
            "logs (a broken line), so they cannot be sent again as they came"
        )


def replay_notes(report: ValidationReport) -> None:
    """Facts about the replay: the served champion's fidelity and errors."""
    fidelity = report.replay_fidelity
    if fidelity is not None and fidelity < 1:
        report.errors.append(
            f"the champion served here answered {fidelity:.2%} of the rows as prod logged them: "
            "the replay does not reproduce prod exactly (another service or model file, or "
            "features the logs do not hold); agreement is measured against what prod logged"
        )
    served = report.latency.get("champion")
    if served is not None and served.errors:
        report.errors.append(
            f"the champion served here failed {served.errors} of {served.requests} request(s) "
            "that prod answered: this machine does not serve it as prod does"
        )
