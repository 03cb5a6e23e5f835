"""Save a built image as one OCI archive, so another job can push exactly that image.

The release workflow builds and smoke-tests the image in a job that runs the repository's code,
and pushes it from a job that runs none (the only one with registry rights): the archive is what
travels between them. Its layers are gzip-compressed here, as a registry stores them, so the
manifest digest printed now is the digest the registry shows once the archive is pushed with
``skopeo copy --preserve-digests``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from gitml.errors import GitmlError

#: Where each backend keeps the images it builds, as skopeo names it.
SOURCES = {"buildah": "containers-storage:", "docker": "docker-daemon:"}


def save_oci_archive(backend: str, images: list[str], path: Path) -> str:
    """Write ``images[0]`` (all ``images`` are one image) to ``path``; return its manifest digest."""
    skopeo = shutil.which("skopeo")
    if skopeo is None:
        raise GitmlError("`skopeo` is not installed; apt-get install skopeo (it saves the image)")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    tag = images[0].rsplit(":", 1)[1]
    copy = [
        skopeo, "copy", "--quiet", "--dest-compress", "--dest-compress-format", "gzip",
        f"{SOURCES[backend]}{images[0]}", f"oci-archive:{path}:{tag}",
    ]  # fmt: skip
    copied = subprocess.run(copy, capture_output=True, text=True, check=False)
    if copied.returncode != 0:
        raise GitmlError(
            f"could not save {images[0]} to {path}: {last_line(copied.stderr)}; check the disk "
            "space and that the image exists"
        )
    manifest = subprocess.run(
        [skopeo, "inspect", "--raw", f"oci-archive:{path}"], capture_output=True, check=False
    )
    if manifest.returncode != 0:
        raise GitmlError(f"could not read the manifest of {path}: {last_line(manifest.stderr)}")
    return "sha256:" + hashlib.sha256(manifest.stdout).hexdigest()


def last_line(output: str | bytes) -> str:
    text = output.decode(errors="replace") if isinstance(output, bytes) else output
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"
