"""``gitml serve``: serve a registered model's Bento locally with ``bentoml serve``.

With no flag: the version in the promote stage (``staging``), else the newest Bento built.
The endpoints are the image's, since it is the same Bento.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gitml.config import Settings, load_settings
from gitml.errors import GitmlError, UsageError
from gitml.registry.promote import artifact_name
from gitml.registry.versions import list_versions, version_in_stage
from gitml.serving.build import bento_name, build


@dataclass(frozen=True)
class ServeTarget:
    bento_tag: str
    #: why this Bento: "version v0.2.0", "stage staging (v0.2.0)", "newest build"
    reason: str


def newest_bento(name: str) -> str | None:
    import bentoml

    bentos = [b for b in bentoml.bentos.list() if b.tag.name == name]
    if not bentos:
        return None
    return str(max(bentos, key=lambda b: b.info.creation_time).tag)


def bento_exists(tag: str) -> bool:
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        bentoml.bentos.get(tag)
    except NotFound:
        return False
    return True


def choose_bento(
    root: Path | str = ".",
    *,
    version: str | None = None,
    stage: str | None = None,
    artifact: str | None = None,
    settings: Settings | None = None,
) -> ServeTarget:
    """The Bento to serve; a registered version with no Bento yet is built first."""
    if version and stage:
        raise UsageError("pass either --version or --stage, not both")
    settings = settings or load_settings(root)
    name = artifact_name(settings, artifact)
    bento = bento_name(name)
    if version or stage:
        built = build(root, version=version, stage=stage, artifact=artifact, settings=settings)
        why = (
            f"version {built.source.label}" if version else f"stage {stage} ({built.source.label})"
        )
        return ServeTarget(built.bento_tag, why)
    in_stage = version_in_stage(list_versions(root, name), settings.promote.stage)
    if in_stage is not None:
        tag = f"{bento}:{in_stage.version}"
        if not bento_exists(tag):
            build(root, version=in_stage.version, artifact=artifact, settings=settings)
        return ServeTarget(tag, f"stage {settings.promote.stage} ({in_stage.version})")
    newest = newest_bento(bento)
    if newest is None:
        raise UsageError(
            f"nothing to serve: no version of {name} is in {settings.promote.stage} and no Bento "
            "was built; run `gitml build` first"
        )
    return ServeTarget(newest, "newest build")


def serve_command(bento_tag: str, host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bentoml",
        "serve",
        bento_tag,
        "--host",
        host,
        "--port",
        str(port),
    ]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_server(
    bento_tag: str, host: str = "127.0.0.1", port: int = 0, **popen
) -> tuple[subprocess.Popen, str]:
    """Start ``bentoml serve`` in the background; returns the process and its base URL."""
    port = port or free_port(host)
    env = {**os.environ, "BENTOML_DO_NOT_TRACK": "True"}
    process = subprocess.Popen(
        serve_command(bento_tag, host, port), env=env, start_new_session=True, **popen
    )
    return process, f"http://{host}:{port}"


def wait_ready(process: subprocess.Popen, url: str, timeout: float = 60.0) -> None:
    """Poll ``/readyz`` until it answers 200; a server that exits or stalls is a ``GitmlError``."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise GitmlError(f"bentoml serve exited with code {process.returncode} before ready")
        try:
            if httpx.get(f"{url}/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise GitmlError(f"the Bento at {url} was not ready after {timeout:.0f}s")


def stop_server(process: subprocess.Popen) -> None:
    """Stop the server and its workers (its own process group)."""
    import signal

    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
