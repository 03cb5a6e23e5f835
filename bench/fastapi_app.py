"""The baseline: a minimal FastAPI app serving the same model file with the same input format.

It parses requests exactly like gitml's default service (rows of ``{feature: number}`` into one
float matrix in training order), so the benchmark compares the serving frameworks, not the
conversion code. Started by ``bench/serving.py`` with ``BENCH_MODEL`` set to the model file.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import joblib
import numpy as np
from fastapi import FastAPI, HTTPException

warnings.filterwarnings("ignore", message="X does not have valid feature names")
model = joblib.load(os.environ["BENCH_MODEL"])
FEATURES = [str(f) for f in model.feature_names_in_]
app = FastAPI()


def to_matrix(instances: list[dict[str, Any]]) -> np.ndarray:
    try:
        values = [[row[name] for name in FEATURES] for row in instances]
    except (KeyError, TypeError) as error:
        raise HTTPException(400, f"bad instance: {error}") from None
    if not values or {type(v) for row in values for v in row} - {int, float}:
        raise HTTPException(400, "instances must be non-empty rows of numbers")
    return np.array(values, dtype=np.float64)


@app.post("/predict")
async def predict(body: dict[str, Any]) -> list[Any]:
    return model.predict(to_matrix(body.get("instances"))).tolist()


@app.get("/healthz")
async def healthz() -> str:
    return "ok"
