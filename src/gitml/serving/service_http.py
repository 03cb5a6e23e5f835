"""HTTP edges of gitml's default service: one error body for every 4xx and a request body limit.

Copied into the Bento next to ``service.py``; imports no gitml. Every 4xx answer has the body
``{"error": "<one line naming the cause>"}`` with ``Content-Type: application/json``, whether
the service refused the input itself, BentoML's input parsing did (invalid JSON, a missing
field), or Starlette did (unknown route, wrong method). A body over the limit is answered 413
before it is read in full. Client errors are logged as one INFO line, never as a server error
with a traceback; 5xx answers keep BentoML's own logging.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

LOGGER = logging.getLogger("gitml.service")
#: BentoML's logger that writes "Exception on /predict [POST]" with a traceback for every error.
BENTOML_HTTP_LOGGER = "bentoml._internal.server.http_app"
ENDPOINTS = "POST /predict, /predict_proba, /feedback, /metadata"


class ClientError(Exception):
    """A request the service refuses: answered with ``status`` and ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def error_body(message: str) -> bytes:
    return json.dumps({"error": message}).encode()


def _pydantic_message(detail: list) -> str:
    """BentoML's validation detail as one line: ``"instances": Input should be a valid list``."""
    parts = []
    for item in detail[:3]:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "json_invalid":
            reason = str(item.get("msg", "")).removeprefix("Invalid JSON: ")
            return f"the request body is not valid JSON: {reason}"
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body",))
        parts.append(f'"{where}": {item.get("msg", "invalid")}' if where else item.get("msg", ""))
    return "; ".join(p for p in parts if p) or "the request body does not match the endpoint"


def normalise(status: int, body: bytes, method: str, path: str) -> str:
    """The one-line message of any 4xx body (ours, BentoML's or Starlette's)."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, list) and len(data) == 1:  # BentoML answers ({"error": ...},)
        data = data[0]
    if isinstance(data, dict) and isinstance(data.get("detail"), list):
        return _pydantic_message(data["detail"])
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return data["error"]
    if status == HTTPStatus.NOT_FOUND:
        return f"no endpoint {method} {path}; the endpoints are {ENDPOINTS}"
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        return f"{method} is not allowed on {path}; the endpoints are {ENDPOINTS}"
    text = body.decode(errors="replace").strip()[:200]
    return text or HTTPStatus(status).phrase


async def send_error(send, status: int, message: str, headers: list | None = None) -> None:
    body = error_body(message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class JsonErrors:
    """ASGI middleware: the body limit (413) and one ``{"error": ...}`` shape for every 4xx."""

    def __init__(self, app, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        too_large = f"the request body is over the limit of {self.max_body_bytes} bytes"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            LOGGER.info("413 %s %s: %s", method, path, too_large)
            await send_error(send, 413, too_large, [(b"connection", b"close")])
            return
        body = await self._read_body(receive)
        if body is None:
            LOGGER.info("413 %s %s: %s", method, path, too_large)
            await send_error(send, 413, too_large, [(b"connection", b"close")])
            return
        await self.app(scope, _replay(body, receive), _ErrorShaper(send, method, path))

    async def _read_body(self, receive) -> bytes | None:
        """The whole body, or None past the limit (a chunked body has no Content-Length)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)  # the client left: the app sees an empty body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class _ErrorShaper:
    """Wraps ``send``: a 4xx answer is held, then sent again as ``{"error": message}``."""

    def __init__(self, send, method: str, path: str):
        self.send, self.method, self.path = send, method, path
        self.held: dict | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message) -> None:
        if message["type"] == "http.response.start" and 400 <= message["status"] < 500:
            self.held = message
            return
        if self.held is None:
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        status = self.held["status"]
        text = normalise(status, b"".join(self.chunks), self.method, self.path)
        LOGGER.info("%d %s %s: %s", status, self.method, self.path, text)
        keep = [
            (k, v)
            for k, v in self.held.get("headers", [])
            if k.lower() not in (b"content-type", b"content-length")
        ]
        await send_error(self.send, status, text, keep)


class ClientErrorsAreNotServerErrors(logging.Filter):
    """Drop BentoML's error-with-traceback record for a 4xx (our INFO line says it instead)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            return True
        from bentoml.exceptions import BentoMLException
        from pydantic import ValidationError

        if isinstance(error, ValidationError):
            return False
        code = getattr(getattr(error, "error_code", None), "value", 500)
        return not (isinstance(error, BentoMLException) and 400 <= code < 500)


def install_log_filter() -> None:
    logger = logging.getLogger(BENTOML_HTTP_LOGGER)
    if not any(isinstance(f, ClientErrorsAreNotServerErrors) for f in logger.filters):
        logger.addFilter(ClientErrorsAreNotServerErrors())
