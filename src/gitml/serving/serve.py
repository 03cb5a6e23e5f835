"""``gitml serve``: serve a registered model's Bento locally with ``bentoml serve``.

With no flag: the version in the promote stage (``staging`` by default), else the newest Bento built.
The endpoints are the image's, since it is the same Bento.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitml.config import Settings, load_settings
from gitml.core.artifacts import artifact_name, version_in_stage
from gitml.errors import GitmlError, UsageError
from gitml.registry.stages import promote_stage
from gitml.registry.versions import list_versions
from gitml.serving.build import bento_name, build
from gitml.serving.signing import verify_bento_model
from gitml.serving.store import bentoml_store


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
    """The Bento to serve; a registered version with no Bento yet is built first. With signing
    set up, the model it ships is verified (:mod:`gitml.serving.signing`)."""
    if version and stage:
        raise UsageError("pass either --version or --stage, not both")
    settings = settings or load_settings(root)
    target = _choose_bento(root, settings, version, stage, artifact)
    verify_bento_model(root, settings, target.bento_tag)
    return target


def _choose_bento(
    root: Path | str,
    settings: Settings,
    version: str | None,
    stage: str | None,
    artifact: str | None,
) -> ServeTarget:
    name = artifact_name(settings, artifact)
    bento = bento_name(name)
    if version or stage:
        built = build(root, version=version, stage=stage, artifact=artifact, settings=settings)
        why = (
            f"version {built.source.label}" if version else f"stage {stage} ({built.source.label})"
        )
        return ServeTarget(built.bento_tag, why)
    default_stage = promote_stage(root, settings)
    in_stage = version_in_stage(list_versions(root, name), default_stage)
    if in_stage is not None:
        tag = f"{bento}:{in_stage.version}"
        if not bento_exists(tag):
            build(root, version=in_stage.version, artifact=artifact, settings=settings)
        return ServeTarget(tag, f"stage {default_stage} ({in_stage.version})")
    newest = newest_bento(bento)
    if newest is None:
        raise UsageError(
            f"nothing to serve: no version of {name} is in {default_stage} and no Bento "
            "was built; run `gitml build` first"
        )
    return ServeTarget(newest, "newest build")


#: BentoML's variable for configuration overrides (``key.path=value`` separated by spaces).
CONFIG_OPTIONS_ENV = "BENTOML_CONFIG_OPTIONS"


def monitoring_options(bento_tag: str, monitor_dir: str | Path | None) -> str:
    """BentoML configuration overrides that point the Bento's monitoring at ``monitor_dir``
    (JSON lines, BentoML's default exporter), or turn it off when ``monitor_dir`` is None."""
    service = bento_tag.partition(":")[0]
    try:
        import bentoml

        service = bentoml.get(bento_tag).info.entry_service or service
    except Exception:  # not in the store: `bentoml serve` says so itself
        pass
    key = f"services.{service}.monitoring"
    if monitor_dir is None:
        return f"{key}.enabled=false"
    folder = Path(monitor_dir).absolute()
    if " " in str(folder):
        raise UsageError(
            f"--monitor-dir {folder} holds a space, which BentoML's overrides split on"
        )
    return f"{key}.enabled=true {key}.type=default {key}.options.log_path={folder}"


def server_environment(
    monitor_dir: str | Path | None, base: dict | None = None, bento_tag: str = "classifier"
) -> dict:
    """The environment of ``bentoml serve``: the user's BentoML overrides plus gitml's."""
    env = {**(os.environ if base is None else base), "BENTOML_DO_NOT_TRACK": "True"}
    with bentoml_store(base):
        ours = monitoring_options(bento_tag, monitor_dir)
    env[CONFIG_OPTIONS_ENV] = f"{env.get(CONFIG_OPTIONS_ENV, '')} {ours}".strip()
    return env


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


def check_port(host: str, port: int) -> None:
    """Fail early, naming the fix, when ``host:port`` cannot be listened on (a server holds it)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        raise UsageError(
            f"cannot listen on {host}:{port}: {getattr(error, 'strerror', None) or error}; "
            "pass --host with an address of this machine"
        ) from None
    with socket.socket(family, kind, proto) as sock:
        # as servers do: a closed connection lingering in TIME_WAIT is no conflict
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {port} on {host} is already in use; pass --port with another port, "
                    f"or stop what listens there (`ss -ltnp 'sport = :{port}'` shows it)"
                ) from None
            raise UsageError(
                f"cannot listen on {host}:{port}: {error.strerror or error}; "
                "pass another --host or --port"
            ) from None


def _local_url(host: str, port: int) -> str:
    """The URL that reaches a server listening on ``host:port`` from this machine."""
    connect = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{connect}]:{port}" if ":" in connect else f"http://{connect}:{port}"


class _StderrRelay(threading.Thread):
    """Copy a child's stderr to ours as it comes, keeping its last non-empty line."""

    def __init__(self, stream: Any):
        super().__init__(daemon=True)
        self.stream = stream
        self.last = ""

    def run(self) -> None:
        for raw in iter(self.stream.readline, b""):
            line = raw.decode(errors="replace")
            sys.stderr.write(line)
            sys.stderr.flush()
            if line.strip():
                self.last = line.strip()


def run_server(
    bento_tag: str,
    host: str,
    port: int,
    command: list[str] | None = None,
    *,
    monitor_dir: str | Path | None = None,
) -> int:
    """``gitml serve``: run ``bentoml serve`` in the foreground and return its exit code.

    Its output passes through. A server that exits before ``/readyz`` answers is a
    ``GitmlError`` naming its last stderr line; once it has served, its own exit code is returned.
    Records go to ``monitor_dir``; without it BentoML's own monitoring configuration applies
    (its default: JSON lines under ``monitoring/`` in the current directory).
    """
    command = command or serve_command(bento_tag, host, port)
    env = {**os.environ, "BENTOML_DO_NOT_TRACK": "True"}
    if monitor_dir is not None:
        env = server_environment(monitor_dir, env, bento_tag)
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    relay = _StderrRelay(process.stderr)
    relay.start()
    try:
        previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    except ValueError:  # not the main thread: nothing to forward
        previous = None

    def last_words() -> str:
        relay.join(timeout=5)
        return relay.last or "no output"

    try:
        # no deadline: a first start may take long, and the user watches its output
        wait_ready(process, _local_url(host, port), timeout=None, last_words=last_words)
        code = process.wait()
    except BaseException:  # Ctrl-C reached the server too: let it shut down, then stop it
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    relay.join(timeout=5)
    return 128 - code if code < 0 else code  # killed by a signal: the shell's convention


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_server(
    bento_tag: str,
    host: str = "127.0.0.1",
    port: int = 0,
    monitor_dir: str | Path | None = None,
    env: dict | None = None,
    **popen,
) -> tuple[subprocess.Popen, str]:
    """Start ``bentoml serve`` in the background; returns the process and its base URL.

    Answers are recorded under ``monitor_dir``; none are recorded without it (a smoke test's
    traffic is not the model's). ``env`` replaces this process's environment."""
    port = port or free_port(host)
    env = server_environment(monitor_dir, env, bento_tag)
    process = subprocess.Popen(
        serve_command(bento_tag, host, port), env=env, start_new_session=True, **popen
    )
    return process, f"http://{host}:{port}"


def wait_ready(
    process: subprocess.Popen,
    url: str,
    timeout: float | None = 60.0,
    last_words: Callable[[], str] | None = None,
) -> None:
    """Poll ``/readyz`` until it answers 200; a server that exits or stalls is a ``GitmlError``.

    ``timeout=None`` waits as long as the server lives; ``last_words`` gives what the server said
    last, added to the message when it exits before ready.
    """
    import httpx

    deadline = None if timeout is None else time.monotonic() + timeout
    while deadline is None or time.monotonic() < deadline:
        if process.poll() is not None:
            said = f": {last_words()}" if last_words else ""
            raise GitmlError(
                f"bentoml serve exited with code {process.returncode} before ready{said}"
            )
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
