"""The HTTP server: a thread serving one GitHubEmulator on 127.0.0.1 with GitHub's headers
(``x-github-request-id``, ``x-github-api-version-selected``, ``Server: GitHub.com``)."""

from __future__ import annotations

import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from gitml.github_emulator.dispatch import handle
from gitml.github_emulator.limits import API_VERSION

if TYPE_CHECKING:
    from gitml.github_emulator.emulator import GitHubEmulator


class QuietServer(ThreadingHTTPServer):
    """A client that gives up mid-request (as gitml does on a long rate limit) is not an error."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class RequestHandler(BaseHTTPRequestHandler):
    emulator: GitHubEmulator
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the request log
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, body = handle(self.emulator, self.command, self.path, headers, raw_body)
        raw = isinstance(body, bytes)  # an asset's download
        data = body if raw else b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None and not raw:
            self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-github-api-version-selected", API_VERSION)
        self.send_header("x-github-media-type", "github.v3; format=json")
        self.send_header("x-github-request-id", uuid.uuid4().hex[:20].upper())
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


def serve(emulator: GitHubEmulator, host: str, port: int) -> tuple[QuietServer, threading.Thread]:
    """Start serving ``emulator`` in a daemon thread; ``port`` 0 picks a free one."""

    class Handler(RequestHandler):
        pass

    Handler.emulator = emulator
    server = QuietServer((host, port), Handler)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="github-emulator", daemon=True
    )
    thread.start()
    return server, thread
