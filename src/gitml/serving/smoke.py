"""``gitml smoke-test``: serve the built Bento on 127.0.0.1, send real rows from the test split and
require the answers to equal the pipeline model's own predictions.

Also checks that the health endpoint answers and that a malformed request is a 4xx.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml import dvc_adapter
from gitml.config import Settings, load_settings
from gitml.errors import DataError, UsageError
from gitml.serving.build import bento_name
from gitml.serving.client import predict
from gitml.serving.serve import start_server, stop_server, wait_ready
from gitml.serving.signing import verify_bento_model, verify_model_file
from gitml.serving.source import ModelSource, resolve_source
from gitml.serving.store import bentoml_store

#: Seconds the served Bento has to answer /readyz (a big model on a slow runner needs more).
READY_TIMEOUT_ENV = "GITML_READY_TIMEOUT"

#: Tolerance on probabilities: the same model in the same library versions gives identical floats;
#: JSON round-tripping keeps 17 significant digits.
PROBA_TOLERANCE = 1e-9
#: Seconds to wait for `/readyz`.
READY_TIMEOUT = 180.0


@dataclass
class SmokeResult:
    bento_tag: str
    url: str
    rows: int
    mismatches: list[int] = field(default_factory=list)
    max_proba_diff: float = 0.0
    bad_request_status: int = 0

    @property
    def passed(self) -> bool:
        return (
            not self.mismatches
            and self.max_proba_diff <= PROBA_TOLERANCE
            and 400 <= self.bad_request_status < 500
        )

    def failure(self) -> str:
        """What went wrong, for the one ERROR line of a failed smoke test."""
        return (
            f"smoke test of {self.bento_tag} failed: {len(self.mismatches)} prediction(s) "
            f"differ (first rows {self.mismatches[:5]}), max |proba diff| "
            f"{self.max_proba_diff:.3g}, bad request -> {self.bad_request_status}"
        )


def _last_line(output: bytes) -> str:
    lines = output.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else ""


def ready_timeout(env: Mapping[str, str] | None = None) -> float:
    """``GITML_READY_TIMEOUT`` seconds (from ``env``, else this process's environment), else
    ``READY_TIMEOUT``; a value that is no positive number is a ``UsageError``."""
    text = (os.environ if env is None else env).get(READY_TIMEOUT_ENV, "").strip()
    if not text:
        return READY_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise UsageError(
            f"{READY_TIMEOUT_ENV}={text!r} is not a number of seconds; unset it or pass e.g. 300"
        )
    return seconds


def declared_env(bento_tag: str) -> dict[str, str]:
    """The variables the Bento declares (``GITML_MODEL_TAG``...): its image sets them, so the
    smoke test serves the Bento with them too, or a user's service that reads one cannot start."""
    import bentoml

    envs = bentoml.get(bento_tag).info.envs
    return {env.name: env.value for env in envs if env.stage in ("all", "runtime")}


def load_rows(path: Path, target: str, limit: int):
    import pandas as pd

    if not path.exists():
        raise DataError(f"test split {path} not found; run `gitml run --pull` first")
    frame = pd.read_csv(path)
    features = frame.drop(columns=[target]) if target in frame.columns else frame
    return features.head(limit) if limit else features


def model_answers(
    root: Path, source: ModelSource, frame: Any, settings: Settings | None = None
) -> tuple[list, Any]:
    """What the version's own model file (read through DVC, its signature verified before it
    is unpickled) answers to ``frame``."""
    import joblib

    settings = settings or load_settings(root)
    with tempfile.TemporaryDirectory() as scratch:
        path = dvc_adapter.artifact_path(root, source.artifact)
        model_file = dvc_adapter.read_output(root, path, source.commit, Path(scratch) / "m.joblib")
        version = source.version.version if source.version else None
        verify_model_file(root, settings, source.artifact, version, source.commit, model_file)
        model = joblib.load(model_file)
    return model.predict(frame).tolist(), model.predict_proba(frame)


def smoke_test(
    root: Path | str = ".",
    *,
    version: str | None = None,
    stage: str | None = None,
    artifact: str | None = None,
    test_split: str = "prepared/test.csv",
    target: str = "target",
    limit: int = 0,
    settings: Settings | None = None,
    env: Mapping[str, str] | None = None,
) -> SmokeResult:
    """Serve the Bento of the version (default: HEAD's) and compare its answers with the model's.

    ``env`` replaces this process's environment for BentoML (its store) and ``bentoml serve``."""
    import httpx

    root = Path(root).resolve()
    settings = settings or load_settings(root)
    source = resolve_source(root, settings, artifact=artifact, version=version, stage=stage)
    bento_tag = f"{bento_name(source.artifact)}:{source.label}"
    frame = load_rows(root / test_split, target, limit)
    expected, expected_proba = model_answers(root, source, frame, settings)
    instances = frame.to_dict(orient="records")

    with bentoml_store(env):
        verify_bento_model(root, settings, bento_tag)  # the copy the server will load
        declared = declared_env(bento_tag)
    process, url = start_server(
        bento_tag,
        env={**(os.environ if env is None else env), **declared},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    result = SmokeResult(bento_tag, url, len(instances))
    try:
        # a first start on a busy runner can take minutes; a server that dies is seen at once
        wait_ready(
            process,
            url,
            timeout=ready_timeout(env),
            last_words=lambda: _last_line(process.stderr.read() if process.stderr else b""),
        )
        answers, probabilities = predict(url, instances)
        result.mismatches = [
            i for i, (a, b) in enumerate(zip(answers, expected, strict=False)) if a != b
        ]
        if len(answers) != len(expected):
            result.mismatches.append(len(answers))
        import numpy as np

        result.max_proba_diff = float(np.max(np.abs(np.array(probabilities) - expected_proba)))
        bad = dict(instances[0])
        bad.pop(next(iter(bad)))
        result.bad_request_status = httpx.post(
            f"{url}/predict", json={"instances": [bad]}, timeout=30
        ).status_code
    finally:
        stop_server(process)
    return result
