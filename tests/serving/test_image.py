"""An OCI image built from the Bento with buildah (slow: minutes; opt in with GITML_SLOW_TESTS=1).

No registry for base images is reachable here, so the base is built from Debian's own packages:
``debootstrap --variant=minbase`` of bookworm (its python3 is 3.11) plus python3-pip, committed
with buildah as ``localhost/gitml-test-base:bookworm`` and reused on later runs. The host's extra
CAs are added to the base so pip and uv inside the build trust this network's HTTPS egress;
the image is a local test artifact and is never pushed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, git

BASE_IMAGE = "localhost/gitml-test-base:bookworm"
ROOTFS = Path(os.environ.get("GITML_TEST_ROOTFS", "/var/tmp/gitml-test-rootfs-bookworm"))
HOST_CAS = Path("/usr/local/share/ca-certificates")
GITML = [sys.executable, "-c", "from gitml.cli import main; main()"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("GITML_SLOW_TESTS") != "1",
        reason="builds a Debian base and an image with buildah (about 2 minutes on 2 cores, ~300 MB "
        "of Debian and PyPI downloads); "
        "set GITML_SLOW_TESTS=1",
    ),
    pytest.mark.skipif(
        shutil.which("buildah") is None or shutil.which("debootstrap") is None,
        reason="needs buildah and debootstrap: apt-get install -y buildah debootstrap",
    ),
]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "BUILDAH_ISOLATION": "chroot", **kwargs.pop("env", {})}
    result = subprocess.run(args, capture_output=True, text=True, env=env, **kwargs)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return result


MARK = "GITML_TEST_IMAGE_SERVER"


def kill_marked(name: str, value: str) -> None:
    """Kill, by process id, every process whose environment has ``name=value``."""
    needle = f"{name}={value}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if needle in environ:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)


def ensure_base_image() -> str:
    """The Debian base image, built from Debian's packages when buildah does not have it yet."""
    found = subprocess.run(["buildah", "images", "-q", BASE_IMAGE], capture_output=True, text=True)
    if found.returncode == 0 and found.stdout.strip():
        return BASE_IMAGE
    if not (ROOTFS / "usr" / "bin" / "python3").exists():
        shutil.rmtree(ROOTFS, ignore_errors=True)
        run(
            "debootstrap",
            "--variant=minbase",
            "--include=python3,python3-pip,python3-venv,ca-certificates",
            "bookworm",
            str(ROOTFS),
            "http://deb.debian.org/debian",
        )
    # The build's own `apt-get install ca-certificates` regenerates the bundle: add the host's
    # extra CAs where update-ca-certificates picks them up.
    for extra in HOST_CAS.glob("*.crt"):
        shutil.copyfile(extra, ROOTFS / "usr" / "local" / "share" / "ca-certificates" / extra.name)
    run("chroot", str(ROOTFS), "update-ca-certificates")
    container = run("buildah", "from", "scratch").stdout.strip()
    try:
        run("buildah", "copy", "--quiet", container, str(ROOTFS), "/")
        # BentoML's Dockerfile pip-installs uv into the system Python, which Debian refuses
        # (PEP 668) unless told; uv must read the system CA store for the extra CAs.
        run(
            "buildah",
            "config",
            "--env",
            "LANG=C.UTF-8",
            "--env",
            "PIP_BREAK_SYSTEM_PACKAGES=1",
            "--env",
            "UV_NATIVE_TLS=1",
            container,
        )
        run("buildah", "commit", "--quiet", container, BASE_IMAGE)
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True)
    return BASE_IMAGE


def test_buildah_image_predicts_like_the_model(tmp_path, monkeypatch):
    base = ensure_base_image()
    env = {
        **os.environ,
        "BENTOML_HOME": str(tmp_path / "bentoml"),
        "BENTOML_DO_NOT_TRACK": "True",
    }
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(REPO_ROOT), str(clone))
    for args in (["run", "--pull"], ["promote", "--no-push"]):
        subprocess.run([*GITML, *args], cwd=clone, env=env, check=True, capture_output=True)

    code = (
        "from gitml.serving.containerize import build_and_containerize as b; "
        f"r = b(backend='buildah', image_repo='localhost/classifier', base_image={base!r}); "
        "print(' '.join(r.images))"
    )
    built = run(sys.executable, "-c", code, cwd=clone, env=env, timeout=3600)
    commit = git(clone, "rev-parse", "HEAD")
    assert built.stdout.split() == [
        "localhost/classifier:v0.1.0",
        f"localhost/classifier:sha-{commit[:12]}",
        "localhost/classifier:staging",
    ]
    listed = run("buildah", "images", "--format", "{{.Name}}:{{.Tag}}").stdout.split()
    assert set(built.stdout.split()) <= set(listed)

    # Serve the image itself (chroot isolation shares the host network) and compare answers.
    import httpx
    import joblib
    import pandas as pd

    from gitml.serving.serve import free_port, stop_server, wait_ready

    frame = pd.read_csv(clone / "prepared" / "test.csv").drop(columns=["target"])
    expected = joblib.load(clone / "models" / "model.joblib").predict(frame).tolist()
    container = run("buildah", "from", "localhost/classifier:v0.1.0").stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [
            "buildah",
            "run",
            "--isolation",
            "chroot",
            container,
            "--",
            "sh",
            "-c",
            f"cd /home/bentoml/bento && export {MARK}={port} BENTOML_HOME=/home/bentoml/bento && "
            f"exec /app/.venv/bin/bentoml serve . --host 127.0.0.1 --port {port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(server, url, timeout=120)
        answer = httpx.post(
            f"{url}/predict", json={"instances": frame.to_dict(orient="records")}, timeout=30
        )
        assert answer.status_code == 200
        assert answer.json() == expected
        missing = httpx.post(f"{url}/predict", json={"instances": [{"mean_radius": 1.0}]})
        assert missing.status_code == 400
    finally:
        stop_server(server)
        kill_marked(MARK, str(port))  # workers inside the chroot outlive `buildah run`
        subprocess.run(["buildah", "rm", container], capture_output=True)
        # keep the reusable base, drop this test's 1.3 GB image
        subprocess.run(["buildah", "rmi", *built.stdout.split()], capture_output=True)
