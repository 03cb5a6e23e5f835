"""Hostile input against a real served Bento: values the model cannot take, one error body for
every 4xx, the request body limit, and client errors kept out of the server's error log."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.serving.helpers import TEST_BODY_LIMIT

# serves a Bento over HTTP: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)

ENDPOINTS = "POST /predict, /predict_proba, /feedback, /metadata"
RANGE = "outside the range this model takes (|value| <= 3.4028235e+38)"


def _row(features) -> dict:
    return features.head(1).to_dict(orient="records")[0]


def _post(server: str, path: str, body: bytes, **kwargs) -> httpx.Response:
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return httpx.post(f"{server}{path}", content=body, headers=headers, timeout=60, **kwargs)


@pytest.mark.parametrize(
    ("value", "row", "expected"),
    [
        ("1e39", 0, f"instance 0 feature 'mean_radius' is 1e+39, {RANGE}"),
        ("-1e39", 1, f"instance 1 feature 'mean_radius' is -1e+39, {RANGE}"),
        ("1" * 400, 0, f"instance 0 feature 'mean_radius' is a 400-digit integer, {RANGE}"),
        ("1e400", 0, "instance 0 feature 'mean_radius' must be finite"),
    ],
)
@pytest.mark.parametrize("path", ["/predict", "/predict_proba"])
def test_values_the_model_cannot_take_are_400_naming_the_feature(
    server, test_split, path, value, row, expected
):
    """Before: 1e39 (over float32, which the forest computes in) and a 400-digit integer gave 500."""
    features, _model = test_split
    good = json.dumps(_row(features))
    # JSON text, not a Python value: a 400-digit integer and 1e400 as a client would send them
    bad = re.sub(r'"mean_radius": [^,]+', f'"mean_radius": {value}', good, count=1)
    rows = [good] * row + [bad]
    answer = _post(server, path, f'{{"instances": [{", ".join(rows)}]}}'.encode())
    assert answer.status_code == 400
    assert answer.json() == {"error": expected}


def test_a_value_inside_float32_is_answered(server, test_split):
    features, model = test_split
    row = {**_row(features), "mean_radius": 3.0e38}
    answer = httpx.post(f"{server}/predict", json={"instances": [row]}, timeout=60)
    assert answer.status_code == 200
    assert answer.json() == model.predict(features.head(1).assign(mean_radius=3.0e38)).tolist()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "expected"),
    [
        ("POST", "/predict", b"not json", 400, "the request body is not valid JSON: "),
        ("POST", "/predict", b'{"instances": "x"}', 400, '"instances": Input should be a valid'),
        ("POST", "/predict", b'{"rows": []}', 400, '"instances": Field required'),
        ("POST", "/predict", b'{"instances": []}', 400, '"instances" must be a non-empty list'),
        (
            "POST",
            "/nowhere",
            b"{}",
            404,
            f"no endpoint POST /nowhere; the endpoints are {ENDPOINTS}",
        ),
        (
            "GET",
            "/predict",
            b"",
            405,
            f"GET is not allowed on /predict; the endpoints are {ENDPOINTS}",
        ),
        ("POST", "/feedback", b'{"label": 1}', 400, '"request_id" must be the X-Request-Id'),
        (
            "POST",
            "/predict",
            b"[" + b" " * TEST_BODY_LIMIT + b"]",
            413,
            f"the request body is over the limit of {TEST_BODY_LIMIT} bytes",
        ),
    ],
)
def test_every_4xx_has_one_body_shape(server, method, path, body, status, expected):
    answer = httpx.request(
        method,
        f"{server}{path}",
        content=body or None,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert list(answer.json()) == ["error"]
    assert answer.json()["error"].startswith(expected), answer.json()


def test_a_chunked_body_over_the_limit_is_413(server):
    """No Content-Length to check up front: the service stops reading at the limit."""

    def chunks():
        yield b'{"instances": ['
        for _ in range(TEST_BODY_LIMIT // 1000 + 1):
            yield b" " * 1000

    answer = httpx.post(
        f"{server}/predict",
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 413
    assert answer.json() == {
        "error": f"the request body is over the limit of {TEST_BODY_LIMIT} bytes"
    }


def test_client_errors_are_not_logged_as_server_errors(served, test_split):
    features, _model = test_split
    row = {**_row(features), "mean_radius": "abc"}
    for body in (b"not json", b'{"instances": "x"}', json.dumps({"instances": [row]}).encode()):
        assert _post(served.url, "/predict", body).status_code == 400
    assert _post(served.url, "/predict", b"[" + b" " * TEST_BODY_LIMIT).status_code == 413
    log = served.log.read_text(errors="replace")
    assert "Service classifier initialized" in log  # the server's log is the one read here
    assert "Traceback" not in log
    assert "[ERROR]" not in log
    assert "Exception on /predict" not in log
