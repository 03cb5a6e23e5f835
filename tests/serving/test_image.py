"""An OCI image built from the Bento with buildah (slow: minutes; opt in with GITML_SLOW_TESTS=1).

No registry for base images is reachable here, so the base is built from Debian's own packages:
``debootstrap --variant=minbase`` of bookworm (its python3 is 3.11) plus python3-pip, committed
with buildah as ``localhost/gitml-test-base:bookworm`` and reused on later runs. The host's extra
CAs are added to the base so pip and uv inside the build trust this network's HTTPS egress;
the image is a local test artifact and is never pushed.
"""

from __future__ import annotations

import json
import os
import shutil
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
        reason="builds a Debian base and an image with buildah (about 10 minutes on 2 cores); "
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
        run("buildah", "config", "--env", "LANG=C.UTF-8", container)
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

    # Debian's pip refuses system installs (PEP 668) and uv must use the system CA store.
    code = (
        "from gitml.serving.containerize import build_and_containerize as b; "
        f"r = b(backend='buildah', image_repo='localhost/classifier', base_image={base!r}, "
        "docker_env={'PIP_BREAK_SYSTEM_PACKAGES': '1', 'UV_NATIVE_TLS': '1'}); "
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

    # Run the image's own Python on a real row and compare with the pipeline's model here.
    import joblib
    import pandas as pd

    frame = pd.read_csv(clone / "prepared" / "test.csv").drop(columns=["target"]).head(5)
    expected = joblib.load(clone / "models" / "model.joblib").predict(frame).tolist()
    container = run("buildah", "from", "localhost/classifier:v0.1.0").stdout.strip()
    try:
        script = (
            "import bentoml, joblib, json, sys, warnings, numpy as np;"
            "warnings.filterwarnings('ignore');"
            "m = joblib.load(bentoml.models.get('classifier:v0.1.0').path_of('model.joblib'));"
            "rows = json.loads(sys.argv[1]);"
            "X = np.array([[r[f] for f in m.feature_names_in_] for r in rows]);"
            "print(json.dumps(m.predict(X).tolist()))"
        )
        rows = frame.to_json(orient="records")
        answer = run(
            "buildah",
            "run",
            "--isolation",
            "chroot",
            container,
            "--",
            "/app/.venv/bin/python",
            "-c",
            script,
            rows,
        )
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True)
    assert json.loads(answer.stdout.strip().splitlines()[-1]) == expected
