"""One request from bytes to (status, headers, body): log it, serve a queued fault, or
authenticate and route it; ``/_emulator/...`` control endpoints go around all of that."""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from gitml.github_emulator.errors import EmulatorError, not_found
from gitml.github_emulator.faults import rate_headers, take_fault
from gitml.github_emulator.releases import Upload, download
from gitml.github_emulator.routes import authenticate, route
from gitml.github_emulator.state import LoggedRequest

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator

_BAD_JSON = object()
#: Where release assets are uploaded (GitHub Enterprise's form of ``uploads.github.com``).
UPLOADS = "/api/uploads"
_DOWNLOAD = re.compile(r"/([^/]+)/([^/]+)/releases/download/([^/]+)/([^/]+)")


def _api_path(prefix: str, path: str) -> str | None:
    """The path without the API prefix, or None when the request is outside the prefix."""
    if prefix and not (path == prefix or path.startswith(prefix + "/")):
        return None
    return path[len(prefix) :] or "/"


def _payload(raw_body: bytes) -> Any:
    try:
        return json.loads(raw_body) if raw_body else None
    except ValueError:
        return _BAD_JSON


def handle(
    emu: GitHubEmulator, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
) -> tuple[int, dict[str, str], Any]:
    """Return (status, headers, body) for one request."""
    split = urlsplit(raw_path)
    query = {k: v[-1] for k, v in parse_qs(split.query).items()}
    if split.path.startswith("/_emulator/"):
        return control(emu, method, split.path, raw_body)
    downloaded = _DOWNLOAD.fullmatch(split.path)
    if downloaded and method == "GET":
        return _download(emu, *(unquote(part) for part in downloaded.groups()))
    if split.path.startswith(UPLOADS + "/"):
        path: str | None = split.path[len(UPLOADS) :]
        payload: Any = Upload(raw_body, headers.get("content-type"))
        logged: Any = {"upload_bytes": len(raw_body)}
    else:
        path = _api_path(emu.prefix, split.path)
        payload = _payload(raw_body)
        # a body that is not JSON is logged as its text, so the state document stays JSON
        logged = raw_body.decode("utf-8", "replace") if payload is _BAD_JSON else payload
    entry = LoggedRequest(method, path or split.path, query, headers, logged, time.time())
    with emu.lock:
        emu.requests.append(entry)
        fault = take_fault(emu.faults, method, entry.path)
    if fault is not None:
        entry.status = fault.status
        return fault.status, fault.response_headers(), fault.body
    try:
        if path is None:
            raise not_found()
        if payload is _BAD_JSON:
            raise EmulatorError(400, "Problems parsing JSON")
        token = authenticate(emu.tokens, headers)
        with emu.lock:
            status, body, extra = route(emu, method, path, query, payload, token)
    except EmulatorError as error:
        status, body, extra = error.status, error.body, error.headers
    entry.status = status
    return status, {**rate_headers(len(emu.requests)), **extra}, body


def _download(emu: GitHubEmulator, owner: str, name: str, tag: str, asset: str):
    """An asset's bytes at its ``browser_download_url`` (public repositories only)."""
    with emu.lock:
        try:
            return (
                200,
                {"content-type": "application/octet-stream"},
                download(emu, f"{owner}/{name}", tag, asset),
            )
        except EmulatorError as error:
            return error.status, {}, error.body


def control(
    emu: GitHubEmulator, method: str, path: str, raw_body: bytes
) -> tuple[int, dict[str, str], Any]:
    """``GET /_emulator/state``, ``POST /_emulator/seed``, ``POST /_emulator/faults``."""
    try:
        payload = json.loads(raw_body) if raw_body else {}
    except ValueError:
        return 400, {}, {"message": "Problems parsing JSON"}
    if path == "/_emulator/state" and method == "GET":
        return 200, {}, emu.state()
    if path == "/_emulator/seed" and method == "POST":
        emu.seed(payload)
        return 204, {}, None
    if path == "/_emulator/faults" and method == "POST":
        if "rate_limit" in payload:
            emu.rate_limit(**payload["rate_limit"])
        else:
            emu.fail(**payload)
        return 204, {}, None
    return 404, {}, {"message": "Not Found"}
