"""``gitml monitor`` as one function: read both sides, test, measure, gate, report."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pandas as pd

from gitml.config import Chunking, MonitorSettings, Settings
from gitml.errors import UsageError
from gitml.monitor.compare import compare_column, compare_features
from gitml.monitor.drift import DriftOptions
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
    #: --chunk (else [tool.gitml.monitor] chunk)
    chunk: Chunking | None = None


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


def _reference(request: MonitorRequest, settings: Settings, window: WindowRequest) -> Reference:
    ms = settings.monitor
    if request.stage and request.reference:
        raise UsageError("pass either --stage or --reference, not both")
    if request.reference:
        return from_file(request.reference, window)
    stage = request.stage or ms.stage
    if stage:
        return from_stage(request.root, settings, stage, window)
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
    if reference.profile is not None:
        return list(reference.profile.features)
    return [c for c in reference.window.sample.columns if c != target and not is_meta(c)]


def _schema_problems(features: list[str], reference: Reference, current: Window, target: str):
    problems = []
    for side, columns in (("reference", reference.columns()), ("current data", current.sample)):
        if len(columns) == 0 or (isinstance(columns, pd.DataFrame) and columns.empty):
            continue
        missing = [f for f in features if f not in columns]
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


def _reference_answers(reference: Reference, features: list[str]):
    """The model's answers on the reference (``prediction``, ``probability[CLASS]``), else why
    there are none."""
    if reference.profile is not None and reference.profile.prediction:
        return reference.profile.prediction, ""
    if reference.estimator is None:
        return None, reference.model_problem or MODEL_LEFT_OUT
    data = reference.window.sample[features]
    try:
        predicted = pd.Series(reference.estimator.predict(data)).astype(str)
        probabilities = reference.estimator.predict_proba(data)
    except Exception as error:  # a reference the model cannot score (missing values, types)
        return None, f"the model cannot score the reference ({error})"
    answers = {"prediction": predicted}
    for index, label in enumerate(str(c) for c in reference.estimator.classes_):
        answers[f"probability[{label}]"] = pd.Series(probabilities[:, index])
    return answers, ""


def _predictions(reference: Reference, features: list[str], current: Window, ms: MonitorSettings):
    """Prediction drift: the model's answers on the reference against the logged answers."""
    if not current.is_log or PREDICTION not in current.sample.columns:
        if reference.estimator is None and reference.profile is None:
            return (
                None,
                f"prediction drift is left out: {reference.model_problem or MODEL_LEFT_OUT}",
            )
        return None, "prediction drift is left out: the current data has no logged predictions"
    answers, why = _reference_answers(reference, features)
    if answers is None:
        return None, f"prediction drift is left out: {why}"
    options = DriftOptions(ms.categorical_test, ms.text, ms.seed)
    logged = {"prediction": current.sample[PREDICTION].astype(str)}
    for name in answers:
        if name.startswith("probability[") and PROBABILITY + name[12:-1] in current.sample:
            logged[name] = current.sample[PROBABILITY + name[12:-1]]
    results = [
        compare_column(name, answers[name], logged[name], ms.feature(name),
                       "categorical" if name == "prediction" else "numeric", options)
        for name in answers
        if name in logged
    ]  # fmt: skip
    return results, ""


def _sides(reference: Reference, current: Window, request: MonitorRequest, ms: MonitorSettings):
    ref_side = DataSide(
        source=reference.source,
        rows=reference.rows,
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
    report.notes += reference.notes
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
        if feature.extra.get("skipped"):
            report.notes.append(f"{feature.name}: not tested: {feature.note}")
        elif feature.drifted is None and "missing" not in feature.extra:
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


def monitor(request: MonitorRequest, settings: Settings) -> MonitorResult:
    """Compare the current window with the reference; see the command's help for the rules.
    ``settings`` are the project's, read once by the caller."""
    ms = settings.monitor
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
    reference = _reference(request, settings, window)
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
    report.errors += _schema_problems(features, reference, current, ms.target)
    _measure(report, reference, current, features, ms, labelled)
    chunk = request.chunk or ms.chunk
    if chunk is not None and current.rows:
        from gitml.monitor.chunks import by_chunk

        checked = replace(current, labelled=labelled.rows)  # feedback naming a class
        report.chunks, note = by_chunk(checked, chunk, lambda part: _drift_and_estimate(
            reference, part, features, ms))  # fmt: skip
        if note:
            report.notes.append(note)
    _notes(report, current, reference, ms)
    report.errors += labelled.problems()
    if current.rows:
        report.gates = evaluate_gates(ms.gates, _drift_values(report), report.performance)
    columns = [c for c in reference.window.sample.columns if not is_meta(c)]
    if not columns and reference.profile is not None:
        columns = [*reference.profile.features, ms.target]
    refused = labelled.refused + labelled.bad_predictions
    return MonitorResult(report, labelled.rows, features, ms.target, columns, refused)


def _options(ms: MonitorSettings) -> DriftOptions:
    return DriftOptions(ms.categorical_test, ms.text, ms.seed)


def _measure(report, reference: Reference, current: Window, features, ms, labelled) -> None:
    """Data drift, prediction drift and performance of the whole window (``labelled``: the
    feedback that names one of the model's classes)."""
    if current.rows:
        report.features = compare_features(
            reference.columns(), current.sample, features, ms.features, _options(ms),
            reference.kinds(),
        )  # fmt: skip
        report.prediction, report.prediction_note = _predictions(reference, features, current, ms)
    if current.is_log and current.rows:
        report.performance = performance(
            current.sample, labelled.rows, reference.registered, reference.calibration,
            ms.seed, reference.calibration_problem,
        )  # fmt: skip
    elif not current.is_log:
        report.performance_note = f"performance is left out: {MODEL_LEFT_OUT}"


def _drift_and_estimate(reference: Reference, part: Window, features, ms: MonitorSettings):
    """One chunk's features and performance (for ``--chunk``)."""
    tested = compare_features(
        reference.columns(), part.sample, features, ms.features, _options(ms), reference.kinds()
    )
    estimate = None
    if part.is_log:
        estimate = performance(
            part.sample, part.labelled, reference.registered, reference.calibration, ms.seed
        )
    return tested, estimate
