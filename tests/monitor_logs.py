"""Log folders in the service's format (docs/monitoring.md) and small data sets, for the tests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

START = datetime(2026, 11, 1, tzinfo=timezone.utc)
COMMIT = "c" * 40


def frame(rows: int, seed: int, shift: dict[str, float] | None = None) -> pd.DataFrame:
    """Three normal features and a three-valued category; ``shift`` moves a feature's mean."""
    rng = np.random.default_rng(seed)
    shift = shift or {}
    data = pd.DataFrame(
        {
            "x1": rng.normal(0 + shift.get("x1", 0), 1, rows),
            "x2": rng.normal(10 + shift.get("x2", 0), 2, rows),
            "x3": rng.normal(-5 + shift.get("x3", 0), 1, rows),
            "color": rng.choice(["red", "green", "blue"], rows, p=[0.5, 0.3, 0.2]),
        }
    )
    if "color" in shift:
        data["color"] = rng.choice(["red", "green", "blue"], rows, p=[0.2, 0.3, 0.5])
    return data


def log_record(index: int, features: dict, prediction, probabilities, classes, **extra) -> dict:
    return {
        "timestamp": (START + timedelta(minutes=index)).isoformat().replace("+00:00", "Z"),
        "request_id": f"req-{index}",
        "instance": 0,
        "model": "classifier:v0.1.0",
        "version": "v0.1.0",
        "commit": COMMIT,
        "features": features,
        "prediction": prediction,
        "probabilities": probabilities,
        "classes": classes,
        "trace_id": "ignored",
        **extra,
    }


def write_logs(
    folder: Path,
    data: pd.DataFrame,
    predictions: list | None = None,
    probabilities: list | None = None,
    classes: list | None = None,
    workers: int = 1,
    broken: int = 0,
    first_index: int = 0,
) -> list[dict]:
    """Prediction logs of ``data`` split across ``workers`` files, plus ``broken`` bad lines."""
    classes = classes or [0, 1]
    records = []
    for offset, row in enumerate(data.to_dict(orient="records")):
        index = first_index + offset
        prediction = predictions[offset] if predictions is not None else index % 2
        proba = probabilities[offset] if probabilities is not None else [0.3, 0.7]
        records.append(log_record(index, row, prediction, proba, classes))
    files = [folder / "gitml_predictions" / "data" / f"data.{w}.log" for w in range(workers)]
    for file in files:
        file.parent.mkdir(parents=True, exist_ok=True)
    handles = [file.open("a", encoding="utf-8") for file in files]
    for index, record in enumerate(records):
        handles[index % workers].write(json.dumps(record) + "\n")
    for index in range(broken):
        handles[0].write('{"timestamp": "2026-11-01T00:00:00Z", "features": {"x1": 1' + "\n")
        if index % 2:
            handles[0].write("not json at all\n")
    for handle in handles:
        handle.close()
    return records


def write_feedback(
    folder: Path, labels: list[tuple[str, object]], worker: int = 0, at=None
) -> None:
    """Feedback records (request id, label), in order."""
    file = folder / "gitml_feedback" / "data" / f"data.{worker}.log"
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("a", encoding="utf-8") as handle:
        for offset, (request_id, label) in enumerate(labels):
            moment = at or (START + timedelta(days=1, seconds=offset))
            handle.write(
                json.dumps(
                    {
                        "timestamp": moment.isoformat().replace("+00:00", "Z"),
                        "request_id": request_id,
                        "instance": 0,
                        "label": label,
                    }
                )
                + "\n"
            )


def labelled_frame(rows: int, seed: int, shift: dict[str, float] | None = None) -> pd.DataFrame:
    """``frame`` with a ``target`` that depends on x1 and x3 (noisy), and a free-text ``comment``."""
    data = frame(rows, seed, shift)
    rng = np.random.default_rng(seed + 1)
    logit = 2.0 * data["x1"] + 0.5 * (data["x3"] + 5)
    data["target"] = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    words = [f"word{i}" for i in range(200)]
    data["comment"] = [
        " ".join(rng.choice(words, int(rng.integers(3, 12)))) + f" #{rng.integers(10**9)}"
        for _ in range(rows)
    ]
    return data


def write_profile_file(path: Path, train: pd.DataFrame, model, evaluation: pd.DataFrame) -> Path:
    """A reference profile as the evaluate stage writes it, for ``--reference PROFILE``."""
    from gitml.core.profile import build_profile, calibration_data, write_profile

    features = [str(n) for n in model.feature_names_in_]
    answers = {"prediction": pd.Series(model.predict(train[features])).astype(str)}
    probabilities = model.predict_proba(train[features])
    for index, label in enumerate(model.classes_):
        answers[f"probability[{label}]"] = pd.Series(probabilities[:, index])
    calibration = calibration_data(
        list(model.classes_), model.predict_proba(evaluation[features]), evaluation["target"]
    )
    columns = [c for c in train.columns if c != "target"]
    profile = build_profile(train, columns, answers, calibration, source="train.csv")
    return write_profile(profile, path)
