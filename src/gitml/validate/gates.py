"""The validation gates of ``[tool.gitml.validate]``, judged on a measured report.

A gate that cannot judge (too few replayed requests, too few labelled rows, a metric the rows do
not allow) is "not evaluated" (``passed`` None): the verdict is then ``inconclusive``, never
``pass``. New errors are evidence however few the requests: that gate always judges.
"""

from __future__ import annotations

from gitml.config import ValidateSettings
from gitml.validate.model import GateOutcome, ValidationReport


def _requests(report: ValidationReport, vs: ValidateSettings) -> GateOutcome:
    replayed = report.traffic.requests
    enough = replayed >= vs.min_requests
    return GateOutcome(
        "requests",
        f">= {vs.min_requests} (min_requests)",
        True if enough else None,
        f"{replayed:,} logged request(s) replayed"
        + ("" if enough else f"; at least {vs.min_requests} are needed to judge"),
    )


def _agreement(report: ValidationReport, vs: ValidateSettings, enough: bool) -> GateOutcome:
    rule = f">= {vs.min_agreement:.2%} (min_agreement)"
    if report.agreement is None or not enough:
        return GateOutcome("agreement", rule, None, "too few requests to judge")
    passed = report.agreement >= (vs.min_agreement or 0.0)
    detail = f"{report.agreement:.2%} of {report.rows_compared:,} rows predict the same class"
    return GateOutcome("agreement", rule, passed, detail)


def _new_errors(report: ValidationReport, vs: ValidateSettings) -> GateOutcome:
    limit = vs.max_new_errors or 0
    detail = (
        f"{report.new_errors} request(s) the champion answered in prod got no answer from the "
        "candidate"
    )
    return GateOutcome(
        "new errors", f"<= {limit} (max_new_errors)", report.new_errors <= limit, detail
    )


def _regression(report: ValidationReport, vs: ValidateSettings) -> GateOutcome:
    name, limit = vs.metric, vs.max_regression or 0.0
    rule = f"{name}: worse bound of the {vs.confidence:.0%} interval at most {limit:g} worse"
    labelled = report.traffic.labelled_rows
    if labelled < vs.min_labelled:
        return GateOutcome(
            "regression",
            rule,
            None,
            f"only {labelled} labelled row(s); at least {vs.min_labelled} (min_labelled) are "
            "needed to judge",
        )
    paired = report.metric(name)
    if paired is None or paired.worst is None:
        return GateOutcome("regression", rule, None, f"{name} cannot be computed on these rows")
    worse_by = paired.regression(paired.worst)
    detail = (
        f"candidate {paired.candidate:.4f} vs champion {paired.champion:.4f} on {labelled:,} "
        f"rows: difference {paired.difference:+.4f}, interval [{paired.low:+.4f}, "
        f"{paired.high:+.4f}]"
    )
    return GateOutcome("regression", rule, worse_by <= limit + 1e-12, detail)


def _latency(report: ValidationReport, vs: ValidateSettings, enough: bool) -> GateOutcome:
    rule = f"candidate p99 / champion p99 <= {vs.max_p99_ratio:g} (max_p99_ratio)"
    champion, candidate = report.latency.get("champion"), report.latency.get("candidate")
    if not enough or champion is None or candidate is None:
        return GateOutcome("latency", rule, None, "too few requests to judge")
    if not champion.p99_ms or candidate.p99_ms is None:
        return GateOutcome("latency", rule, None, "no latency was measured")
    ratio = candidate.p99_ms / champion.p99_ms
    detail = (
        f"p99 {candidate.p99_ms:.1f} ms vs {champion.p99_ms:.1f} ms (x{ratio:.2f}), both served "
        "here in the same run"
    )
    return GateOutcome("latency", rule, ratio <= (vs.max_p99_ratio or float("inf")), detail)


def evaluate_gates(report: ValidationReport, vs: ValidateSettings) -> list[GateOutcome]:
    """Every configured gate (unset ones left out), the requests gate first."""
    requests = _requests(report, vs)
    enough = requests.passed is True
    gates = [requests]
    if vs.max_new_errors is not None:
        gates.append(_new_errors(report, vs))
    if vs.min_agreement is not None:
        gates.append(_agreement(report, vs, enough))
    if vs.max_regression is not None:
        gates.append(_regression(report, vs))
    if vs.max_p99_ratio is not None:
        gates.append(_latency(report, vs, enough))
    return gates
