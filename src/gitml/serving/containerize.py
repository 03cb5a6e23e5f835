"""Build an OCI image from a Bento with ``bentoml containerize``: ``docker`` on GitHub runners,
``buildah`` where no daemon runs. The image is tagged with the version, the commit and the stage,
and labelled with the OCI annotations a registry UI and a deployment tool read (source, revision,
version) plus the model tag it serves.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gitml.config import load_settings
from gitml.core.git import output as git_output
from gitml.errors import GitmlError, UsageError
from gitml.registry.stages import promote_stage
from gitml.serving.archive import save_oci_archive
from gitml.serving.build import BuildResult, build
from gitml.serving.sbom import write_sbom

BACKENDS = ("docker", "buildah")
#: A registry host (with an optional port) and an optional path, lower case as image names are.
REGISTRY = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*")
MODEL_TAG_LABEL = "com.github.gitml.model-tag"


def default_registry() -> str | None:
    """``ghcr.io/<owner>/<repo>`` inside GitHub Actions, else None (a local image name)."""
    repository = os.environ.get("GITHUB_REPOSITORY")
    return f"ghcr.io/{repository.lower()}" if repository else None


def image_repository(name: str, registry: str | None = None) -> str:
    """``<registry>/<name>``, the registry defaulting to :func:`default_registry`."""
    registry = (registry or "").strip().rstrip("/") or default_registry()
    if registry is None:
        return name
    if not REGISTRY.fullmatch(registry):
        raise UsageError(
            f"registry {registry!r} is not a registry host and path prefix; pass one such as "
            "ghcr.io/acme/models or 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml (lower case, "
            "no scheme, no tag)"
        )
    return f"{registry}/{name}"


def source_url(root: Path | str) -> str | None:
    """The repository's web address for ``org.opencontainers.image.source``: the GitHub
    repository inside Actions, else origin's URL when it is an http(s) one (credentials dropped)."""
    repository = os.environ.get("GITHUB_REPOSITORY")
    if repository:
        return f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/{repository}"
    url = git_output(root, "remote", "get-url", "origin")
    if not url or not url.startswith(("https://", "http://")):
        return None
    return re.sub(r"//[^/@]*@", "//", url).removesuffix(".git")


def image_labels(model_tag: str, version: str, commit: str, source: str | None) -> dict[str, str]:
    """The OCI labels of the image: where it comes from, and which model version it serves."""
    labels = {
        "org.opencontainers.image.revision": commit,
        "org.opencontainers.image.version": version,
        MODEL_TAG_LABEL: model_tag,
    }
    if source:
        labels["org.opencontainers.image.source"] = source
    return labels


def image_tags(repository: str, version: str, commit: str, stage: str | None) -> list[str]:
    """``repo:<version>``, ``repo:sha-<commit12>`` and ``repo:<stage>``; the first is canonical."""
    tags = [f"{repository}:{version}", f"{repository}:sha-{commit[:12]}"]
    if stage:
        tags.append(f"{repository}:{stage}")
    return tags


def backend_env(backend: str, extra_env: dict[str, str] | None) -> dict[str, str]:
    """The environment ``bentoml containerize`` and the backend run in."""
    env = {**os.environ, "BENTOML_DO_NOT_TRACK": "True", **(extra_env or {})}
    if backend == "buildah":
        env.setdefault("BUILDAH_ISOLATION", "chroot")  # no daemon and no user namespaces needed
        # docker keeps a layer cache by default, buildah only when asked: the next version's
        # build then reuses the system and Python-package layers (see build.DOCKERFILE_TEMPLATE)
        env.setdefault("BUILDAH_LAYERS", "true")
    return env


def containerize(
    bento_tag: str,
    backend: str,
    tags: list[str],
    extra_env: dict[str, str] | None = None,
    log_dir: Path = Path(".gitml"),
    labels: dict[str, str] | None = None,
) -> list[str]:
    """Build the image of ``bento_tag`` with ``backend`` and tag it with every name in ``tags``."""
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    tool = shutil.which(backend)
    if tool is None:
        hint = "apt-get install buildah" if backend == "buildah" else "install Docker"
        raise GitmlError(f"`{backend}` is not installed; {hint} or choose another backend")
    env = backend_env(backend, extra_env)
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
            *(f"--opt=label={key}={value}" for key, value in (labels or {}).items()),
        ],
        capture_output=True,
        text=True,
        env=env,
        # BentoML renders the Bento's Dockerfile template (build.DOCKERFILE_TEMPLATE) in a
        # temporary folder and reads it only below its working directory
        cwd=tempfile.gettempdir(),
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
    registry: str | None = None,
    image_stage: str | None = None,
    smoke: bool = False,
    oci_archive: Path | None = None,
    sbom: Path | None = None,
    **build_options,
) -> BuildResult:
    """``gitml build``: the Bento; with ``smoke`` its smoke test; with a ``backend`` its image
    tagged version/commit/stage, and with ``oci_archive`` that image saved for a push elsewhere.

    The smoke test runs before the image is built: a Bento that answers wrong costs no image.
    """
    if oci_archive is not None and backend is None:
        raise UsageError("--oci-archive saves the image: add --containerize docker|buildah")
    if sbom is not None and oci_archive is None:
        raise UsageError(
            "--sbom reads the saved image: add --oci-archive FILE (and --containerize)"
        )
    result = build(root, **build_options)
    if smoke:
        check_smoke(root, build_options)
    if backend is None:
        return result
    settings = load_settings(root)
    name = result.bento_tag.split(":")[0]
    stage = image_stage or build_options.get("stage") or promote_stage(root, settings)
    tags = image_tags(
        image_repo or image_repository(name, registry),
        result.source.label,
        result.model.commit,
        stage,
    )
    labels = image_labels(
        result.model.tag, result.source.label, result.model.commit, source_url(root)
    )
    result.images = containerize(
        result.bento_tag, backend, tags, log_dir=Path(root) / ".gitml", labels=labels
    )
    if oci_archive is not None:
        result.digest = save_oci_archive(backend, result.images, oci_archive)
        if sbom is not None:
            write_sbom(oci_archive, result.images[0], labels, sbom)
    return result


def check_smoke(root: Path | str, build_options: dict) -> None:
    """Serve the Bento just built and require the model's own answers (:mod:`gitml.serving.smoke`)."""
    from gitml.serving.smoke import smoke_test

    outcome = smoke_test(
        root,
        version=build_options.get("version"),
        stage=build_options.get("stage"),
        artifact=build_options.get("artifact"),
    )
    if not outcome.passed:
        raise GitmlError(f"{outcome.failure()}; no image was built")
