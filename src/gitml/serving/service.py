"""gitml's default scikit-learn service for BentoML.

``gitml build`` copies this file, ``service_http.py``, ``service_records.py`` and
``service_forest.py`` into the Bento's build context, next to a ``gitml_service.json`` that names
the model and its training features. They import only BentoML, NumPy, scikit-learn and joblib
(not gitml), so the Bento and its image run without gitml installed. The API, the error body,
the limits and the records are described in docs/serving.md:

- ``POST /predict``: ``{"instances": [{feature: value, ...}, ...]}`` -> ``[prediction, ...]``
- ``POST /predict_proba``: same input -> ``[[p_class0, p_class1, ...], ...]``
- both answer with an ``X-Request-Id`` header; each answered row is recorded with that id
- ``POST /feedback``: ``{"request_id", "label"[, "instance"]}`` or ``{"feedback": [...]}``
- ``POST /metadata`` (``{}``): model version, commit, features and classes
- BentoML's health endpoints: ``GET /livez``, ``/readyz``, ``/healthz``

Every 4xx body is ``{"error": "<message>"}``. Requests are parsed into one NumPy matrix (no
per-row pydantic model) and the API functions are ``async``. Rows of requests that wait at the
same time are predicted in one call (``Batcher``): the model's per-call cost (about 40 ms for the
reference random forest on a loaded machine, most of it fixed) is paid once per batch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import bentoml
import joblib
import numpy as np
from bentoml.validators import ContentType
from service_forest import direct_forest_proba
from service_http import ClientError, JsonErrors, error_body, install_log_filter
from service_records import Recorder, RecordNotWritten, monitoring_settings
from starlette.responses import Response

CONFIG_FILE = "gitml_service.json"
CONFIG = json.loads((Path(__file__).with_name(CONFIG_FILE)).read_text(encoding="utf-8"))
FEATURES: list[str] = CONFIG["features"]
FEATURE_SET = frozenset(FEATURES)
NUMBER_TYPES = frozenset({int, float})
MAX_INSTANCES = int(CONFIG.get("max_instances", 10000))
#: Limits a deployment can change without rebuilding the Bento (docs/serving.md).
MAX_BODY_BYTES = int(os.environ.get("GITML_MAX_BODY_BYTES", 10 * 1024 * 1024))
MAX_BATCH_ROWS = int(os.environ.get("GITML_MAX_BATCH_ROWS", 1024))
REQUEST_INDEX_SIZE = int(os.environ.get("GITML_REQUEST_INDEX_SIZE", 100_000))
FLOAT32_MAX = float(np.finfo(np.float32).max)
FLOAT64_MAX = float(np.finfo(np.float64).max)
LOGGER = logging.getLogger("gitml.service")

# The pipeline was fitted on a DataFrame; it gets a matrix with the same columns in the same
# order, which gives identical predictions without building a DataFrame per request.
warnings.filterwarnings("ignore", message="X does not have valid feature names")

# A declared content type spares BentoML deriving it from a JSON schema on every response.
JSON = ContentType("application/json")


def to_matrix(instances: Any, limit: float) -> np.ndarray:
    """Rows of ``{feature: number}`` as a float matrix in training order; ``ClientError``
    (HTTP 400) naming the row and the feature for anything else, including a number whose
    magnitude is over ``limit`` (what the model can take)."""
    if not isinstance(instances, list) or not instances:
        raise ClientError('"instances" must be a non-empty list of {feature: value} objects')
    if len(instances) > MAX_INSTANCES:
        raise ClientError(f"at most {MAX_INSTANCES} instances per request")
    try:
        values = [[row[name] for name in FEATURES] for row in instances]
    except (KeyError, TypeError):
        _explain(instances, limit)  # raises with the first problem found
    # JSON numbers only: numpy would silently turn true into 1.0 and "1.5" into 1.5.
    if {type(v) for row in values for v in row} - NUMBER_TYPES:
        _explain(instances, limit)
    try:
        matrix = np.array(values, dtype=np.float64)
    except OverflowError:  # an integer beyond float64
        _explain(instances, limit)
    if any(len(row) != len(FEATURES) for row in instances):
        _explain(instances, limit)
    with np.errstate(invalid="ignore"):
        if not (np.abs(matrix) <= limit).all():  # also false for nan and infinity
            _explain(instances, limit)
    return matrix


def _explain(instances: list, limit: float) -> NoReturn:
    for index, row in enumerate(instances):
        _explain_row(index, row, limit)
    raise ClientError("instances must be objects of finite numbers, one per training feature")


def _explain_row(index: int, row: Any, limit: float) -> None:
    if not isinstance(row, dict):
        raise ClientError(f"instance {index} must be an object of feature: value")
    missing = [name for name in FEATURES if name not in row]
    if missing:
        raise ClientError(
            f"instance {index} is missing feature(s): {', '.join(missing[:5])}"
            + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        )
    unknown = sorted(set(row) - FEATURE_SET)
    if unknown:
        raise ClientError(
            f"instance {index} has unknown feature(s): {', '.join(unknown[:5])}; "
            "see POST /metadata for the expected ones"
        )
    for name in FEATURES:
        _check_value(index, name, row[name], limit)


def _check_value(index: int, name: str, value: Any, limit: float) -> None:
    where = f"instance {index} feature {name!r}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = json.dumps(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise ClientError(f"{where} must be a number, got {shown}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ClientError(f"{where} must be finite")
    if abs(value) > limit:
        shown = (
            f"a {len(str(abs(value)))}-digit integer" if isinstance(value, int) else f"{value:g}"
        )
        raise ClientError(
            f"{where} is {shown}, outside the range this model takes (|value| <= {limit:.8g})"
        )


def value_limit(model: Any) -> float:
    """The largest magnitude the model takes: tree models compute in float32 and refuse more."""
    probe = np.full((1, len(FEATURES)), 1e39)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            model.predict(probe)
        except Exception:  # any refusal means float32 is the bound
            return FLOAT32_MAX
    return FLOAT64_MAX


def labels_follow_probabilities(model: Any) -> bool:
    """True when the model's own ``predict`` is ``classes_[argmax(predict_proba)]`` (forests and
    trees in scikit-learn), so one ``predict_proba`` call gives both answers, identical."""
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier, ExtraTreeClassifier

    final = model.steps[-1][1] if hasattr(model, "steps") else model
    known = {
        cls.predict
        for cls in (
            RandomForestClassifier,
            ExtraTreesClassifier,
            DecisionTreeClassifier,
            ExtraTreeClassifier,
        )
    }
    return type(final).predict in known and getattr(final, "n_outputs_", 1) == 1


def _no_probabilities(matrix: np.ndarray) -> np.ndarray:
    """The ``proba`` of a model without ``predict_proba`` (never called: ``has_proba`` is False)."""
    raise TypeError("this model has no predict_proba")


class Batcher:
    """Predicts the rows of every request waiting in the same event-loop turn in one call.

    No timer: the first request of a turn schedules the call for the next turn, so a lone
    request waits for nothing, and requests that arrived while the model was busy share the
    next call. A request's own rows are never split; a batch stops growing at ``max_rows``.
    """

    def __init__(self, predict_rows, max_rows: int):
        self.predict_rows = predict_rows  # (matrix, want_proba) -> (labels, proba or None)
        self.max_rows = max_rows
        self.waiting: list[tuple[np.ndarray, bool, asyncio.Future]] = []
        self.scheduled = False

    def submit(self, matrix: np.ndarray, want_proba: bool) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.waiting.append((matrix, want_proba, future))
        if not self.scheduled:
            self.scheduled = True
            loop.call_soon(self.flush)
        return future

    def flush(self) -> None:
        self.scheduled = False
        batch: list[tuple[np.ndarray, bool, asyncio.Future]] = []
        rows = 0
        while self.waiting and (not batch or rows + len(self.waiting[0][0]) <= self.max_rows):
            batch.append(self.waiting.pop(0))
            rows += len(batch[-1][0])
        if self.waiting:
            self.scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)
        matrices = [matrix for matrix, _, _ in batch]
        try:
            labels, proba = self.predict_rows(
                matrices[0] if len(matrices) == 1 else np.vstack(matrices),
                any(want for _, want, _ in batch),
            )
        except Exception as error:  # every waiting request gets the failure
            for *_, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        start = 0
        for matrix, _, future in batch:
            end = start + len(matrix)
            if not future.done():  # the client may have gone
                future.set_result((labels[start:end], None if proba is None else proba[start:end]))
            start = end


def error_response(status: int, message: str) -> Response:
    return Response(error_body(message), status_code=status, media_type="application/json")


@bentoml.service(
    name=CONFIG["service_name"],
    workers=1,
    traffic={"timeout": 30},
    logging={"access": {"enabled": False}},
    metrics={"enabled": False},
    # The OpenTelemetry middleware costs ~10% per request on a ~3 ms model; gitml sets no
    # tracing exporter, so the prediction routes skip it (see bench/serving.py).
    tracing={"excluded_urls": ["/predict", "/predict_proba", "/metadata", "/feedback"]},
    labels={"gitml.version": CONFIG.get("version") or "", "gitml.commit": CONFIG["commit"]},
)
class GitmlClassifier:
    """A scikit-learn model trained by a gitml pipeline, with a feature-checked JSON API."""

    # Declared on the class so that `bentoml build` ships the model inside the Bento.
    model_ref = bentoml.models.BentoModel(CONFIG["model_tag"])

    def __init__(self) -> None:
        install_log_filter()
        self.model = joblib.load(self.model_ref.path_of(CONFIG["model_file"]))
        self.classes = [c.item() if hasattr(c, "item") else c for c in self.model.classes_]
        self.has_proba = hasattr(self.model, "predict_proba")
        self.labels_from_proba = self.has_proba and labels_follow_probabilities(self.model)
        # the model's own predict_proba, minus joblib's per-tree dispatch (service_forest.py)
        self.proba: Callable[[np.ndarray], np.ndarray] = (
            direct_forest_proba(self.model)
            or getattr(self.model, "predict_proba", None)
            or _no_probabilities
        )
        self.limit = value_limit(self.model)
        self.recorder = Recorder(monitoring_settings(), REQUEST_INDEX_SIZE)
        self.batcher = Batcher(self.predict_rows, MAX_BATCH_ROWS)

    def predict_rows(self, matrix: np.ndarray, want_proba: bool):
        """Labels (and probabilities when asked) for a matrix, exactly as the model gives them."""
        if self.labels_from_proba:
            proba = self.proba(matrix)
            return self.model.classes_.take(np.argmax(proba, axis=1), axis=0), proba
        labels = self.model.predict(matrix)
        return labels, self.proba(matrix) if want_proba and self.has_proba else None

    @bentoml.api
    async def predict(self, instances: list[Any]) -> Annotated[list[Any], JSON]:
        """Predict one label per instance, in order (its id in the X-Request-Id header)."""
        return await self.answer(instances, with_proba=False)

    @bentoml.api
    async def predict_proba(self, instances: list[Any]) -> Annotated[list[list[float]], JSON]:
        """Class probabilities per instance (columns in the order of /metadata's classes)."""
        if not self.has_proba:
            return error_response(400, "this model has no predict_proba; use POST /predict")
        return await self.answer(instances, with_proba=True)

    async def answer(self, instances: Any, with_proba: bool) -> Response:
        try:
            matrix = to_matrix(instances, self.limit)
        except ClientError as error:
            return error_response(error.status, error.message)
        want_proba = with_proba or (self.recorder.enabled and self.has_proba)
        labels, proba = await self.batcher.submit(matrix, want_proba)
        request_id = uuid.uuid4().hex
        try:
            self.recorder.predictions(request_id, self.columns(instances, labels, proba))
        except RecordNotWritten as error:
            LOGGER.error(
                "request %s not answered: its record was not written: %s", request_id, error
            )
            return error_response(
                503, f"the answer was not given: its record was not written ({error})"
            )
        body = proba.tolist() if with_proba else labels.tolist()
        return Response(
            json.dumps(body).encode(),
            media_type="application/json",
            headers={"X-Request-Id": request_id},
        )

    def columns(self, instances: list, labels: np.ndarray, proba: np.ndarray | None) -> dict:
        rows = len(instances)
        if not self.recorder.enabled:
            return {"instance": range(rows)}
        return {
            "instance": list(range(rows)),
            "model": [CONFIG["model_tag"]] * rows,
            "version": [CONFIG.get("version")] * rows,
            "commit": [CONFIG["commit"]] * rows,
            "features": instances,
            "prediction": labels.tolist(),
            "probabilities": proba.tolist() if proba is not None else [None] * rows,
            "classes": [self.classes if proba is not None else None] * rows,
        }

    @bentoml.api
    async def feedback(
        self,
        request_id: Any = None,
        label: Any = None,
        instance: Any = None,
        feedback: Any = None,
    ) -> Annotated[dict[str, Any], JSON]:
        """Record the true label of answered rows (one, or a list under "feedback")."""
        from service_records import parse_feedback

        try:
            items = parse_feedback(
                {"request_id": request_id, "label": label, "instance": instance},
                feedback,
                self.classes,
                MAX_INSTANCES,
            )
            if not self.recorder.enabled:
                raise ClientError(
                    "feedback is not recorded: this service runs with BentoML monitoring "
                    "disabled; serve it with `gitml serve --monitor-dir DIR`",
                    status=503,
                )
            for item in items:
                self.recorder.check_known(*item[:2])
        except ClientError as error:
            return error_response(error.status, error.message)
        try:
            for request, row, value in items:
                self.recorder.feedback(request, row, value)
        except RecordNotWritten as error:
            LOGGER.error("feedback not recorded: %s", error)
            return error_response(503, f"feedback not recorded: {error}")
        return {"recorded": len(items)}

    @bentoml.api(route="/metadata")
    async def metadata(self) -> Annotated[dict[str, Any], JSON]:
        """The model version, commit, features and classes."""
        return {
            "model": CONFIG["model_tag"],
            "version": CONFIG.get("version"),
            "commit": CONFIG["commit"],
            "features": FEATURES,
            "classes": self.classes,
        }


# bentoml.service turns the class into a Service, which its stubs do not say
GitmlClassifier.add_asgi_middleware(JsonErrors, max_body_bytes=MAX_BODY_BYTES)  # type: ignore[attr-defined]
