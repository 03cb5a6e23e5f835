"""What the replay measured: agreement, flips, prediction drift, new errors, latency and the
labelled metrics, from the logged requests and both sides' answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from gitml.config import FeatureSettings, ValidateSettings
from gitml.errors import DataError
from gitml.monitor.compare import compare_column
from gitml.monitor.sources import find_sources
from gitml.serving.replay import Answer, Replayed
from gitml.validate.model import FailedRequest, Latency, ValidationReport
from gitml.validate.stats import (
    agreement,
    flips,
    labelled_rows,
    mcnemar,
    paired_metric,
    percentile,
)
from gitml.validate.traffic import LoggedRequest, Traffic, records

#: Failed requests listed in the report (all are counted).
MAX_FAILED_LISTED = 20


def latency(answers: list[Answer]) -> Latency:
    """Count, failures and p50/p99/mean in milliseconds of one side's answered requests (a
    refusal's time says nothing about serving)."""
    seconds = [a.seconds * 1000 for a in answers if a.ok]
    return Latency(
        requests=len(answers),
        errors=sum(1 for a in answers if not a.ok),
        p50_ms=percentile(seconds, 50),
        p99_ms=percentile(seconds, 99),
        mean_ms=sum(seconds) / len(seconds) if seconds else None,
    )


def recorded_probabilities(folder: Path) -> dict[tuple[str, int], list[float]]:
    """(request id, instance) -> probabilities from a served side's own records; empty when the
    service records none (a user's service without gitml's records)."""
    if not folder.is_dir():
        return {}
    try:
        found = find_sources([str(folder)])
    except DataError:
        return {}
    scratch = Traffic([], [])
    result = {}
    for source in found.logs:
        for record in records(source, scratch):
            probabilities = record.get("probabilities")
            if isinstance(probabilities, list):
                result[(str(record.get("request_id")), int(record.get("instance") or 0))] = [
                    float(p) for p in probabilities
                ]
    return result


def new_errors(requests: list[LoggedRequest], answers: list[Answer]) -> list[FailedRequest]:
    """Every logged request (answered in prod) the candidate did not answer."""
    return [
        FailedRequest(index, logged.request_id, logged.rows, answer.status, answer.error)
        for index, (logged, answer) in enumerate(zip(requests, answers, strict=True))
        if not answer.ok
    ]


def _rows(requests: list[LoggedRequest], replayed: Replayed) -> pd.DataFrame:
    """One row per logged row the candidate answered: logged and served answers, label, ids."""
    candidate, champion = replayed.answers["candidate"], replayed.answers["champion"]
    rows: list[dict[str, Any]] = []
    for logged, ours, theirs in zip(requests, candidate, champion, strict=True):
        if not ours.ok:
            continue
        assert ours.labels is not None
        for index in range(logged.rows):
            rows.append(
                {
                    "logged": logged.predictions[index],
                    "logged_p": logged.probabilities[index],
                    "candidate": ours.labels[index],
                    "candidate_id": ours.request_id,
                    "instance": index,
                    "served_champion": theirs.labels[index]
                    if theirs.ok and theirs.labels
                    else None,
                    "label": logged.labels.get(index),
                }
            )
    # object columns: a label column with gaps must not turn 1 into 1.0
    columns = ["logged", "logged_p", "candidate", "candidate_id", "instance", "served_champion",
               "label"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _drift(report: ValidationReport, rows: pd.DataFrame, candidate_p: pd.Series, classes) -> None:
    """The monitor's tests between the champion's logged answers and the candidate's."""
    report.prediction_drift = [
        compare_column("prediction", rows["logged"].astype(str), rows["candidate"].astype(str),
                       FeatureSettings(), kind="categorical")
    ]  # fmt: skip
    both = rows["logged_p"].notna() & candidate_p.notna()
    if not classes or not both.any():
        report.prediction_note = "probability drift is left out: a side recorded no probabilities"
        return
    for index, label in enumerate(str(c) for c in classes):
        ours = candidate_p[both].map(lambda p, i=index: p[i] if len(p) > i else None)
        theirs = rows.loc[both, "logged_p"].map(lambda p, i=index: p[i] if len(p) > i else None)
        report.prediction_drift.append(
            compare_column(f"probability[{label}]", theirs, ours, FeatureSettings(), kind="numeric")
        )


def _labelled(report: ValidationReport, rows: pd.DataFrame, candidate_p, classes, vs) -> None:
    labelled = rows[rows["label"].notna()]
    report.traffic.labelled_rows = len(labelled)
    if labelled.empty:
        return
    probabilities = (None, None)
    if classes and labelled["logged_p"].notna().all() and candidate_p[labelled.index].notna().all():
        probabilities = (labelled["logged_p"].tolist(), candidate_p[labelled.index].tolist())
    pairs = labelled_rows(list(classes or []), labelled["label"].tolist(),
                          labelled["logged"].tolist(), labelled["candidate"].tolist(),
                          probabilities)  # fmt: skip
    for name in pairs.available():
        report.metrics.append(paired_metric(pairs, name, vs.confidence, vs.bootstrap, vs.seed))
    report.mcnemar = mcnemar(pairs)


def measure(
    report: ValidationReport, traffic: Traffic, replayed: Replayed, vs: ValidateSettings
) -> None:
    """Fill ``report`` with every measure of the replay."""
    requests = traffic.requests
    report.latency = {side: latency(answers) for side, answers in replayed.answers.items()}
    failed = new_errors(requests, replayed.answers["candidate"])
    report.new_errors, report.failed_requests = len(failed), failed[:MAX_FAILED_LISTED]
    rows = _rows(requests, replayed)
    report.rows_compared = len(rows)
    if rows.empty:
        return
    report.agreement = agreement(rows["logged"].tolist(), rows["candidate"].tolist())
    report.flips = flips(rows["logged"].tolist(), rows["candidate"].tolist())
    served = rows[rows["served_champion"].notna()]
    if not served.empty:
        report.replay_fidelity = agreement(served["logged"].tolist(),
                                           served["served_champion"].tolist())  # fmt: skip
    recorded = recorded_probabilities(replayed.records["candidate"])
    candidate_p = pd.Series(
        [
            recorded.get((str(i), int(n)))
            for i, n in zip(rows["candidate_id"], rows["instance"], strict=True)
        ],
        index=rows.index,
        dtype=object,
    )
    _drift(report, rows, candidate_p, traffic.classes)
    _labelled(report, rows, candidate_p, traffic.classes, vs)
