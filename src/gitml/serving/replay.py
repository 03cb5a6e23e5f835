"""Serve two Bentos side by side on 127.0.0.1 and send both the same requests, in order.

``gitml validate`` replays logged production traffic through the champion's and the candidate's
Bentos with this. Both are served as prod serves them (``bentoml serve``, with the variables the
Bento declares, recording on, into a scratch folder), started together and warmed up with one
request each that is not measured. Each request then goes to both, one after the other, with the
order alternating from one request to the next so neither side always meets a warmer machine;
one connection per side, one request at a time, so the latency is the service's and not a queue's.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml.serving.serve import start_server, stop_server, wait_ready
from gitml.serving.smoke import declared_env, ready_timeout
from gitml.serving.store import bentoml_store

#: Seconds one request may take before it counts as failed.
REQUEST_TIMEOUT = 60.0
SIDES = ("champion", "candidate")


@dataclass
class Answer:
    """One side's answer to one request: ``status`` 0 when none came (refused, timed out)."""

    status: int
    seconds: float
    labels: list[Any] | None = None
    request_id: str | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.labels is not None


@dataclass
class Replayed:
    """Each side's answers, one per request in the order sent, and where its records went."""

    answers: dict[str, list[Answer]] = field(default_factory=dict)
    records: dict[str, Path] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)


def _last_line(process: subprocess.Popen) -> str:
    output = process.stderr.read() if process.stderr else b""
    lines = output.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else "no output"


def _words(process: subprocess.Popen) -> Callable[[], str]:
    return lambda: _last_line(process)


@contextmanager
def serve_pair(
    bentos: dict[str, str], scratch: Path, env: Mapping[str, str] | None = None
) -> Iterator[dict[str, str]]:
    """Serve ``bentos`` (side -> Bento tag) at once; yields side -> base URL."""
    base = dict(os.environ if env is None else env)
    with ExitStack() as stack:
        started = {}
        for side, tag in bentos.items():
            with bentoml_store(env):
                declared = declared_env(tag)
            process, url = start_server(
                tag,
                monitor_dir=scratch / side,
                env={**base, **declared},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            stack.callback(stop_server, process)
            started[side] = (process, url)
        for process, url in started.values():
            wait_ready(process, url, timeout=ready_timeout(env), last_words=_words(process))
        yield {side: url for side, (_, url) in started.items()}


def _error(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"][:200]
    return response.text[:200]


def send(client: Any, instances: list[dict[str, Any]]) -> Answer:
    """POST ``instances`` to ``/predict``; any other answer than a list of one label per row is
    a failed request, with its status and the start of its error."""
    import httpx

    started = time.perf_counter()
    try:
        response = client.post("/predict", json={"instances": instances})
    except httpx.HTTPError as error:
        return Answer(0, time.perf_counter() - started, error=f"no answer ({type(error).__name__})")
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        return Answer(response.status_code, seconds, error=_error(response))
    try:
        labels = response.json()
    except ValueError:
        labels = None
    if not isinstance(labels, list) or len(labels) != len(instances):
        return Answer(200, seconds, error=f"the answer is not a list of {len(instances)} labels")
    return Answer(200, seconds, labels, response.headers.get("X-Request-Id"))


def replay(
    bentos: dict[str, str],
    batches: list[list[dict[str, Any]]],
    scratch: Path,
    env: Mapping[str, str] | None = None,
) -> Replayed:
    """Serve ``bentos`` and send every batch to each, in order (see the module docstring)."""
    import httpx

    result = Replayed(records={side: scratch / side for side in bentos})
    with serve_pair(bentos, scratch, env) as urls:
        result.urls = dict(urls)
        sides = list(bentos)
        clients = {s: httpx.Client(base_url=urls[s], timeout=REQUEST_TIMEOUT) for s in sides}
        try:
            if batches:
                for side in sides:
                    send(clients[side], batches[0])  # warm-up, not measured
            result.answers = {side: [] for side in sides}
            for index, batch in enumerate(batches):
                for side in sides if index % 2 == 0 else reversed(sides):
                    result.answers[side].append(send(clients[side], batch))
        finally:
            for client in clients.values():
                client.close()
    return result
