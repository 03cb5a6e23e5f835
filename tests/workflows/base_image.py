"""The Debian base image the buildah tests build BentoML images on, cached between runs.

No registry for base images is reachable here, so the base is built from Debian's own packages:
``debootstrap --variant=minbase`` of bookworm (its python3 is 3.11) plus python3-pip, committed
with buildah. The host's extra CAs are added so pip and uv inside the image build trust this
network's HTTPS egress; the base is a local test artifact and is never pushed.

Building it takes a minute or two and ~100 MB of Debian downloads, so it is cached twice, keyed
by everything that goes into it (the recipe below and the host CAs): as an image in buildah's
storage, and as an OCI archive under the repository's ``.cache/`` (which survives a wiped
buildah storage and can be kept by CI between runs).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.tool_cache import TOOL_CACHE

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = "python3,python3-pip,python3-venv,ca-certificates"
#: BentoML's Dockerfile pip-installs uv into the system Python, which Debian refuses (PEP 668)
#: unless told; uv must read the system CA store for the extra CAs.
ENV = ("LANG=C.UTF-8", "PIP_BREAK_SYSTEM_PACKAGES=1", "UV_NATIVE_TLS=1")
HOST_CAS = Path("/usr/local/share/ca-certificates")
CACHE = TOOL_CACHE / "gitml-test-base"
REPOSITORY = "localhost/gitml-test-base"
REQUIRED_TOOLS = ("buildah", "debootstrap", "skopeo", "docker-registry")


def missing_tools() -> list[str]:
    return [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a command with buildah's chroot isolation; fail with its stderr when it fails."""
    env = {**os.environ, "BUILDAH_ISOLATION": "chroot", **kwargs.pop("env", {})}
    result = subprocess.run(args, capture_output=True, text=True, env=env, **kwargs)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result


def cache_key() -> str:
    """A digest of the recipe and the host CAs: a change to either builds a new base."""
    recipe = hashlib.sha256()
    recipe.update("\n".join([SUITE, MIRROR, PACKAGES, *ENV]).encode())
    for extra in sorted(HOST_CAS.glob("*.crt")):
        recipe.update(extra.name.encode() + extra.read_bytes())
    return recipe.hexdigest()[:16]


def in_storage(image: str) -> bool:
    found = subprocess.run(["buildah", "images", "-q", image], capture_output=True, text=True)
    return found.returncode == 0 and bool(found.stdout.strip())


def build_rootfs(rootfs: Path) -> None:
    run("debootstrap", "--variant=minbase", f"--include={PACKAGES}", SUITE, str(rootfs), MIRROR)
    # The build's own `apt-get install ca-certificates` regenerates the bundle: add the host's
    # extra CAs where update-ca-certificates picks them up.
    for extra in HOST_CAS.glob("*.crt"):
        shutil.copyfile(extra, rootfs / "usr" / "local" / "share" / "ca-certificates" / extra.name)
    run("chroot", str(rootfs), "update-ca-certificates")


def commit_rootfs(rootfs: Path, image: str) -> None:
    container = run("buildah", "from", "scratch").stdout.strip()
    try:
        run("buildah", "copy", "--quiet", container, str(rootfs), "/")
        env_flags = [flag for pair in ENV for flag in ("--env", pair)]
        run("buildah", "config", *env_flags, container)
        run("buildah", "commit", "--quiet", container, image)
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True)


def ensure_base_image() -> str:
    """``localhost/gitml-test-base:<key>`` in buildah's storage: kept, loaded or built."""
    key = cache_key()
    image = f"{REPOSITORY}:{key}"
    if in_storage(image):
        return image
    archive = CACHE / f"{key}.oci.tar"
    if not archive.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="gitml-rootfs-") as scratch:
            rootfs = Path(scratch) / "rootfs"
            build_rootfs(rootfs)
            commit_rootfs(rootfs, image)
        partial = archive.with_suffix(f".{os.getpid()}.partial")
        run("buildah", "push", "--quiet", image, f"oci-archive:{partial}:{image}")
        partial.replace(archive)  # atomic: a parallel run never reads half an archive
        return image
    loaded = run("buildah", "pull", "--quiet", f"oci-archive:{archive}").stdout.split()[-1]
    run("buildah", "tag", loaded, image)
    return image
