"""Build an OCI image from a Bento with ``bentoml containerize``: ``docker`` on GitHub runners,
``buildah`` where no daemon runs. The image is tagged with the version, the commit and the stage.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from gitml.config import load_settings
from gitml.errors import GitmlError, UsageError
from gitml.registry.stages import promote_stage
from gitml.serving.build import BuildResult, build

BACKENDS = ("docker", "buildah")


def default_repository(name: str) -> str:
    """``ghcr.io/<owner>/<repo>/<name>`` inside GitHub Actions, else just ``<name>``."""
    repository = os.environ.get("GITHUB_REPOSITORY")
    return f"ghcr.io/{repository.lower()}/{name}" if repository else name


def image_tags(repository: str, version: str, commit: str, stage: str | None) -> list[str]:
    """``repo:<version>``, ``repo:sha-<commit12>`` and ``repo:<stage>``; the first is canonical."""
    tags = [f"{repository}:{version}", f"{repository}:sha-{commit[:12]}"]
    if stage:
        tags.append(f"{repository}:{stage}")
    return tags


def containerize(
    bento_tag: str,
    backend: str,
    tags: list[str],
    extra_env: dict[str, str] | None = None,
    log_dir: Path = Path(".gitml"),
) -> list[str]:
    """Build the image of ``bento_tag`` with ``backend`` and tag it with every name in ``tags``."""
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    tool = shutil.which(backend)
    if tool is None:
        hint = "apt-get install buildah" if backend == "buildah" else "install Docker"
        raise GitmlError(f"`{backend}` is not installed; {hint} or choose another backend")
    env = {**os.environ, "BENTOML_DO_NOT_TRACK": "True", **(extra_env or {})}
    if backend == "buildah":
        env.setdefault("BUILDAH_ISOLATION", "chroot")  # no daemon and no user namespaces needed
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bentoml",
            "containerize",
            bento_tag,
            "--backend",
            backend,
            "-t",
            tags[0],
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        log = log_dir / "containerize.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(result.stdout + result.stderr, encoding="utf-8")
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        raise GitmlError(
            f"bentoml containerize --backend {backend} failed (full output in {log}): "
            f"{lines[-1].strip()[:300] if lines else 'no output'}"
        )
    for extra in tags[1:]:
        tagged = subprocess.run(
            [tool, "tag", tags[0], extra], capture_output=True, text=True, env=env, check=False
        )
        if tagged.returncode != 0:
            lines = [line for line in (tagged.stderr + tagged.stdout).splitlines() if line.strip()]
            raise GitmlError(
                f"`{backend} tag {tags[0]} {extra}` failed (exit code {tagged.returncode}): "
                f"{lines[-1].strip()[:300] if lines else 'no output'}; the image is built as "
                f"{tags[0]}: fix the cause and run the command again"
            )
    return tags


def build_and_containerize(
    root: Path | str = ".",
    *,
    backend: str | None = None,
    image_repo: str | None = None,
    image_stage: str | None = None,
    **build_options,
) -> BuildResult:
    """``gitml build``: the Bento, and with a ``backend`` its image tagged version/commit/stage."""
    result = build(root, **build_options)
    if backend is None:
        return result
    settings = load_settings(root)
    name = result.bento_tag.split(":")[0]
    stage = image_stage or build_options.get("stage") or promote_stage(root, settings)
    tags = image_tags(
        image_repo or default_repository(name), result.source.label, result.model.commit, stage
    )
    result.images = containerize(result.bento_tag, backend, tags, log_dir=Path(root) / ".gitml")
    return result
