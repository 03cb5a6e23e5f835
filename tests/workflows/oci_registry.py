"""A real OCI registry for the tests: Debian's `docker-registry` (the CNCF distribution registry)
on 127.0.0.1 with a free port, its blobs in a test folder; and skopeo to look inside it.

It can be stopped and started again on the same port and storage, writable or read-only, so a
test can make it refuse a push and then come back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from gitml.serving.serve import free_port


class Registry:
    """One `docker-registry serve` process; ``host`` is ``127.0.0.1:<port>``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, read_only: bool = False) -> None:
        self.stop()
        config = {
            "version": 0.1,
            "log": {"level": "warn"},
            "storage": {
                "filesystem": {"rootdirectory": str(self.folder / "storage")},
                "maintenance": {"readonly": {"enabled": read_only}},
            },
            "http": {"addr": self.host},
        }
        path = self.folder / f"config-{'ro' if read_only else 'rw'}.yml"
        path.write_text(json.dumps(config))  # JSON is YAML
        log = (self.folder / "registry.log").open("a")
        self.process = subprocess.Popen(
            [shutil.which("docker-registry") or "docker-registry", "serve", str(path)],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"docker-registry exited: {self.log()[-2000:]}")
            try:
                if httpx.get(f"http://{self.host}/v2/", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"docker-registry did not answer on {self.host}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        path = self.folder / "registry.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def catalog(self) -> list[str]:
        answer = httpx.get(f"http://{self.host}/v2/_catalog", timeout=10)
        answer.raise_for_status()
        return answer.json()["repositories"]

    def inspect(self, reference: str, *flags: str) -> dict:
        """``skopeo inspect`` of ``<host>/<reference>`` over plain HTTP."""
        return skopeo_inspect(f"docker://{self.host}/{reference}", *flags)


def skopeo_inspect(transport_reference: str, *flags: str) -> dict:
    result = subprocess.run(
        ["skopeo", "inspect", "--tls-verify=false", *flags, transport_reference]
        if transport_reference.startswith("docker://")
        else ["skopeo", "inspect", *flags, transport_reference],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"skopeo inspect {transport_reference}: {result.stderr}"
    return json.loads(result.stdout)
