"""gitml's default scikit-learn service for BentoML.

``gitml build`` copies this file into the Bento's build context as ``service.py``, next to a
``gitml_service.json`` that names the model and its training features. The file imports only
BentoML, NumPy and joblib (not gitml), so the Bento and its image run without gitml installed.

Endpoints (all ``POST``, JSON):

- ``/predict``: ``{"instances": [{feature: value, ...}, ...]}`` -> ``[prediction, ...]`` in order
- ``/predict_proba``: same input -> ``[[p_class0, p_class1, ...], ...]``
- ``/metadata`` (``{}``): model version, commit, features and classes
- BentoML's health endpoints: ``GET /livez``, ``/readyz``, ``/healthz``

A missing, unknown or non-numeric feature, or an empty list, is a 400 with a message naming the
row and the feature, never a 500. Requests are parsed into one NumPy matrix (no per-row pydantic
model) and the API functions are ``async``, so no thread hop happens per request: for a model that
predicts in about a millisecond these two costs dominate BentoML's overhead.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Annotated, Any, NoReturn

import bentoml
import joblib
import numpy as np
from bentoml.exceptions import InvalidArgument
from bentoml.validators import ContentType

CONFIG_FILE = "gitml_service.json"
CONFIG = json.loads((Path(__file__).with_name(CONFIG_FILE)).read_text(encoding="utf-8"))
FEATURES: list[str] = CONFIG["features"]
FEATURE_SET = frozenset(FEATURES)
NUMBER_TYPES = frozenset({int, float})
MAX_INSTANCES = int(CONFIG.get("max_instances", 10000))

# The pipeline was fitted on a DataFrame; it gets a matrix with the same columns in the same
# order, which gives identical predictions without building a DataFrame per request.
warnings.filterwarnings("ignore", message="X does not have valid feature names")

# A declared content type spares BentoML deriving it from a JSON schema on every response.
JSON = ContentType("application/json")


def to_matrix(instances: Any) -> np.ndarray:
    """Rows of ``{feature: number}`` as a float matrix in training order; ``InvalidArgument``
    (HTTP 400) with a precise message for anything else."""
    if not isinstance(instances, list) or not instances:
        raise InvalidArgument('"instances" must be a non-empty list of {feature: value} objects')
    if len(instances) > MAX_INSTANCES:
        raise InvalidArgument(f"at most {MAX_INSTANCES} instances per request")
    try:
        values = [[row[name] for name in FEATURES] for row in instances]
    except (KeyError, TypeError):
        _explain(instances)  # raises with the first problem found
    # JSON numbers only: numpy would silently turn true into 1.0 and "1.5" into 1.5.
    if {type(v) for row in values for v in row} - NUMBER_TYPES:
        _explain(instances)
    matrix = np.array(values, dtype=np.float64)
    if not np.isfinite(matrix).all() or any(len(row) != len(FEATURES) for row in instances):
        _explain(instances)
    return matrix


def _explain(instances: list) -> NoReturn:
    for index, row in enumerate(instances):
        _explain_row(index, row)
    raise InvalidArgument("instances must be objects of finite numbers, one per training feature")


def _explain_row(index: int, row: Any) -> None:
    if not isinstance(row, dict):
        raise InvalidArgument(f"instance {index} must be an object of feature: value")
    missing = [name for name in FEATURES if name not in row]
    if missing:
        raise InvalidArgument(
            f"instance {index} is missing feature(s): {', '.join(missing[:5])}"
            + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        )
    unknown = sorted(set(row) - FEATURE_SET)
    if unknown:
        raise InvalidArgument(
            f"instance {index} has unknown feature(s): {', '.join(unknown[:5])}; "
            "see POST /metadata for the expected ones"
        )
    for name in FEATURES:
        value = row[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidArgument(
                f"instance {index} feature {name!r} must be a number, got {json.dumps(value)}"
            )
        if not math.isfinite(value):
            raise InvalidArgument(f"instance {index} feature {name!r} must be finite")


@bentoml.service(
    name=CONFIG["service_name"],
    workers=1,
    traffic={"timeout": 30},
    logging={"access": {"enabled": False}},
    metrics={"enabled": False},
    # The OpenTelemetry middleware costs ~10% per request on a ~3 ms model; gitml sets no
    # tracing exporter, so the prediction routes skip it (see bench/serving.py).
    tracing={"excluded_urls": ["/predict", "/predict_proba", "/metadata"]},
    labels={"gitml.version": CONFIG.get("version") or "", "gitml.commit": CONFIG["commit"]},
)
class GitmlClassifier:
    """A scikit-learn model trained by a gitml pipeline, with a feature-checked JSON API."""

    # Declared on the class so that `bentoml build` ships the model inside the Bento.
    model_ref = bentoml.models.BentoModel(CONFIG["model_tag"])

    def __init__(self) -> None:
        self.model = joblib.load(self.model_ref.path_of(CONFIG["model_file"]))
        self.classes = [c.item() if hasattr(c, "item") else c for c in self.model.classes_]

    @bentoml.api
    async def predict(self, instances: list[Any]) -> Annotated[list[Any], JSON]:
        """Predict one label per instance, in order."""
        return self.model.predict(to_matrix(instances)).tolist()

    @bentoml.api
    async def predict_proba(self, instances: list[Any]) -> Annotated[list[list[float]], JSON]:
        """Class probabilities per instance (columns in the order of /metadata's classes)."""
        return self.model.predict_proba(to_matrix(instances)).tolist()

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
