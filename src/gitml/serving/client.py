"""A client for gitml's default service: the answers of a served Bento to real rows."""

from __future__ import annotations

from typing import Any

from gitml.errors import GitmlError


def predict(url: str, instances: list[dict[str, Any]]) -> tuple[list[Any], list[list[float]]]:
    """POST ``instances`` to ``/predict`` and ``/predict_proba``: (labels, class probabilities).

    Anything but two 200 answers is a ``GitmlError`` with the status codes and the start of the
    first answer's body.
    """
    import httpx

    with httpx.Client(base_url=url, timeout=30) as client:
        labels = client.post("/predict", json={"instances": instances})
        proba = client.post("/predict_proba", json={"instances": instances})
    if labels.status_code != 200 or proba.status_code != 200:
        raise GitmlError(
            f"the Bento answered {labels.status_code}/{proba.status_code} to real rows: "
            f"{labels.text[:200]}"
        )
    return labels.json(), proba.json()
