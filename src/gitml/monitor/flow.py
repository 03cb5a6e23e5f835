"""``gitml monitor`` as one function: read both sides, test, measure, gate, report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from gitml.config import MonitorSettings, load_settings
from gitml.errors import UsageError
from gitml.monitor.compare import compare_column, compare_features
from gitml.monitor.drift import FeatureDrift
from gitml.monitor.gates import evaluate_gates
from gitml.monitor.model import DataSide, MonitorReport
from gitml.monitor.performance import Labelled, performance, usable_labels
from gitml.monitor.reading import (
    PREDICTION,
    PROBABILITY,
    Window,
    WindowRequest,
    is_meta,
    read_window,
)
from gitml.monitor.reference import Reference, from_file, from_stage
from gitml.monitor.sources import find_sources

MODEL_LEFT_OUT = (
    "it needs the model and its logged answers; --reference FILE with data files has neither "
    "(use --stage with the service's logs)"
)


@dataclass(frozen=True)
class MonitorRequest:
    """What ``gitml monitor`` was asked (its options)."""

    stage: str | None = None
    reference: str | None = None
    current: tuple[str, ...] = ()
    since: datetime | None = None
    last: int | None = None
    root: Path = Path(".")


@dataclass
class MonitorResult:
    """The report, and what ``--export-labelled`` writes: the labelled rows and the columns of
    the training data (features and target)."""

    report: MonitorReport
    labelled: pd.DataFrame
    features: list[str]
    target: str
    columns: list[str] = field(default_factory=list)
    #: labelled rows left out before the export (a label or prediction not a class)
    refused: int = 0


def _reference(request: MonitorRequest, ms: MonitorSettings, window: WindowRequest) -> Reference:
    if request.stage and request.reference:
        raise UsageError("pass either --stage or --reference, not both")
    if request.reference:
        return from_file(request.reference, window)
    stage = request.stage or ms.stage
    if stage:
        settings = load_settings(request.root)
        return from_stage(request.root, settings, stage, ms.reference, window)
    if ms.reference:
        return from_file(str(request.root / ms.reference), window)
    raise UsageError(
        "nothing to compare with: pass --stage STAGE or --reference FILE (or set "
        "[tool.gitml.monitor] stage or reference)"
    )


def _features(reference: Reference, target: str) -> list[str]:
    names = getattr(reference.estimator, "feature_names_in_", None)
    if names is not None:
        return [str(n) for n in names]
    return [c for c in reference.window.sample.columns if c != target and not is_meta(c)]


def _schema_problems(features: list[str], reference: Window, current: Window, target: str):
    problems = []
    for side, window in (("reference", reference), ("current data", current)):
        if window.sample.empty:
            continue
        missing = [f for f in features if f not in window.sample.columns]
        if missing:
            problems.append(f"feature(s) missing in the {side}: {', '.join(missing)}")
    extra = [
        c
        for c in current.sample.columns
        if c not in features and c != target and not is_meta(c) and c != "timestamp"
    ]
    if extra and not current.sample.empty:
        problems.append(
            f"column(s) in the current data that are not features (ignored): {', '.join(extra)}"
        )
    return problems


def _predictions(reference: Reference, features: list[str], current: Window, ms: MonitorSettings):
    """Prediction drift: the model's answers on the reference against the logged answers."""
    if reference.estimator is None:
        why = reference.model_problem or MODEL_LEFT_OUT
        return None, f"prediction drift is left out: {why}"
    if not current.is_log or PREDICTION not in current.sample.columns:
        return None, "prediction drift is left out: the current data has no logged predictions"
    data = reference.window.sample[features]
    try:
        predicted = pd.Series(reference.estimator.predict(data)).astype(str)
        probabilities = reference.estimator.predict_proba(data)
    except Exception as error:  # a reference the model cannot score (missing values, types)
        return None, f"prediction drift is left out: the model cannot score the reference ({error})"
    results = [
        compare_column("prediction", predicted, current.sample[PREDICTION].astype(str),
                       ms.feature("prediction"), kind="categorical")
    ]  # fmt: skip
    for index, label in enumerate(str(c) for c in reference.estimator.classes_):
        column = PROBABILITY + label
        if column in current.sample.columns:
            name = f"probability[{label}]"
            results.append(
                compare_column(name, pd.Series(probabilities[:, index]), current.sample[column],
                               ms.feature(name), kind="numeric")
            )  # fmt: skip
    return results, ""


def _sides(reference: Reference, current: Window, request: MonitorRequest, ms: MonitorSettings):
    ref_side = DataSide(
        source=reference.source,
        rows=reference.window.rows,
        rows_read=reference.window.rows_read,
        sampled=reference.window.sampled,
        sample_rows=ms.sample_rows,
        commit=reference.commit,
    )
    cur_side = DataSide(
        source=", ".join(request.current or ms.current),
        rows=current.rows,
        rows_read=current.rows_read,
        sampled=current.sampled,
        sample_rows=ms.sample_rows,
        details={
            "since": request.since.isoformat() if request.since else None,
            "last": request.last,
            "files": len(current.sources),
            "logs": current.is_log,
            "broken_lines": current.broken_lines,
            "labelled_rows": len(current.labelled),
            "feedback_records": current.feedback_records,
            "unmatched_feedback": current.unmatched_feedback,
            "versions": current.versions,
        },
    )
    return ref_side, cur_side


def _notes(report: MonitorReport, current: Window, reference: Reference, ms: MonitorSettings):
    for name, side in (("reference", report.reference), ("current data", report.current)):
        if side.sampled:
            report.notes.append(
                f"the {name} has {side.rows:,} rows: the tests ran on a seeded random sample of "
                f"{ms.sample_rows:,} (seed {ms.seed}; [tool.gitml.monitor] sample_rows)"
            )
    if current.rows == 0:
        report.errors.append("the window holds no rows: nothing was tested")
    if current.broken_lines:
        report.errors.append(f"{current.broken_lines} broken line(s) in the logs were skipped")
    if current.unmatched_feedback:
        report.notes.append(
            f"{current.unmatched_feedback} feedback record(s) match no prediction in the window"
        )
    others = [v for v in current.versions if reference.version and v != reference.version]
    if others:
        report.notes.append(
            f"the window also holds answers of other versions ({', '.join(others)}) than "
            f"{reference.version}"
        )
    for feature in report.features:
        if feature.drifted is None and "missing" not in feature.extra:
            report.errors.append(f"{feature.name}: not tested: {feature.note}")
        for side, count in feature.extra.get("left_out", {}).items():
            if count and feature.drifted is not None:
                report.errors.append(
                    f"{feature.name}: {count} {side} value(s) are not finite numbers "
                    "(left out of the test)"
                )


def _labelled(reference: Reference, current: Window) -> Labelled:
    """The feedback that names one of the model's classes (the estimator's, else the logged)."""
    estimator_classes = getattr(reference.estimator, "classes_", None)
    if estimator_classes is not None:
        classes = [str(c.item() if hasattr(c, "item") else c) for c in estimator_classes]
    else:
        classes = list(current.classes)
    return usable_labels(current.labelled, classes)


def _drift_values(report: MonitorReport) -> dict[str, float | None]:
    """The drift gates' values; None (not evaluated) when no feature was tested."""
    if not report.tested:
        return {"share_drifted": None, "drifted_features": None}
    return {"share_drifted": report.share_drifted, "drifted_features": float(len(report.drifted))}


def monitor(request: MonitorRequest) -> MonitorResult:
    """Compare the current window with the reference; see the command's help for the rules."""
    ms = load_settings(request.root).monitor
    if not (request.current or ms.current):
        raise UsageError(
            "no current data: pass --current PATH (or set [tool.gitml.monitor] current)"
        )
    window = WindowRequest(
        since=request.since,
        last=request.last,
        sample_rows=ms.sample_rows,
        chunk_rows=ms.chunk_rows,
        seed=ms.seed,
    )
    reference = _reference(request, ms, window)
    features = _features(reference, ms.target)
    found = find_sources(list(request.current or ms.current))
    current = read_window(found, WindowRequest(**{**window.__dict__, "expected": tuple(features)}))
    ref_side, cur_side = _sides(reference, current, request, ms)
    labelled = _labelled(reference, current)
    cur_side.details["labelled_rows"] = len(labelled.rows)
    report = MonitorReport(
        reference=ref_side,
        current=cur_side,
        model=reference.model,
        version=reference.version,
        stage=reference.stage,
        drift_share=ms.drift_share,
        labelled_rows=len(labelled.rows),
    )
    report.errors += _schema_problems(features, reference.window, current, ms.target)
    if current.rows:
        report.features = compare_features(
            reference.window.sample, current.sample, features, ms.features
        )
        report.prediction, report.prediction_note = _predictions(reference, features, current, ms)
    if current.is_log and current.rows:
        report.performance = performance(current.sample, labelled.rows, reference.registered)
    elif not current.is_log:
        report.performance_note = f"performance is left out: {MODEL_LEFT_OUT}"
    _notes(report, current, reference, ms)
    report.errors += labelled.problems()
    if current.rows:
        report.gates = evaluate_gates(ms.gates, _drift_values(report), report.performance)
    columns = [c for c in reference.window.sample.columns if not is_meta(c)]
    refused = labelled.refused + labelled.bad_predictions
    return MonitorResult(report, labelled.rows, features, ms.target, columns, refused)


def drifted_first(features: list[FeatureDrift]) -> list[FeatureDrift]:
    """Drifted features first (by how far past their threshold), then untested, then the rest."""

    def key(feature: FeatureDrift) -> tuple[int, float, str]:
        rank = 0 if feature.drifted else (1 if feature.drifted is None else 2)
        severity = 0.0
        if feature.p_value is not None:
            severity = feature.p_value
        elif feature.statistic is not None:
            severity = -feature.statistic
        return rank, severity if np.isfinite(severity) else 0.0, feature.name

    return sorted(features, key=key)
