"""Reading outputs and artifacts: declared artifacts, a tracked file at a revision, files at a
URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gitml.dvc_adapter.repository import DvcRepo, dvc_environment, no_analytics, open_repo
from gitml.errors import (
    ConfigError,
    DataError,
    RemoteError,
    describe_exception,
)


def declared_artifacts(repo: DvcRepo) -> dict[str, str]:
    """Artifacts declared under ``artifacts:`` in the project's dvc.yaml files: name -> path."""
    found = {}
    for dvcyaml, artifacts in repo.artifacts.read().items():
        folder = os.path.dirname(dvcyaml)
        for name, artifact in artifacts.items():
            found[name] = os.path.normpath(os.path.join(folder, artifact.path))
    return found


def artifact_path(root: Path | str, name: str) -> str:
    """The path of artifact ``name`` in dvc.yaml; an undeclared one is a ``ConfigError``."""
    with open_repo(root) as repo:
        artifacts = declared_artifacts(repo)
    if name not in artifacts:
        known = ", ".join(sorted(artifacts)) or "none"
        raise ConfigError(
            f"artifact '{name}' is not declared in dvc.yaml (declared: {known}); add it under "
            "`artifacts:` with its path and `type: model`"
        )
    return artifacts[name]


def read_output(root: Path | str, path: str, rev: str | None, dest: Path) -> Path:
    """Copy a DVC-tracked file as of ``rev`` (None: the workspace) to ``dest``.

    At a revision the file comes from the local cache or else the DVC remote, like
    ``dvc artifacts get``; a missing object is a ``RemoteError`` that names the fix.
    """
    import shutil

    dest.parent.mkdir(parents=True, exist_ok=True)
    if rev is None:
        source = Path(root) / path
        if not source.exists():
            raise DataError(f"{source} does not exist; run `gitml run --pull` to produce it")
        shutil.copyfile(source, dest)
        return dest
    import dvc.api
    from dvc.exceptions import DvcException

    try:
        with (
            dvc_environment(no_analytics()),
            dvc.api.open(path, repo=str(root), rev=rev, mode="rb") as source,
            open(dest, "wb") as target,
        ):
            shutil.copyfileobj(source, target)
    except (DvcException, FileNotFoundError) as error:
        raise RemoteError(
            f"could not read {path} at {rev[:12]}: {describe_exception(error)}; push it with "
            "`gitml run --push` on that commit or pull it into the cache"
        ) from error
    return dest


def url_filesystem(url: str) -> tuple[Any, str]:
    """The filesystem DVC reads ``url`` with (``s3://``, ``gs://``, ``azure://``, ``http(s)://``,
    ``ssh://``, ...) and the path on it. The object has ``exists``, ``isdir``, ``find`` and
    ``open(path, "rb")``. An S3 endpoint (MinIO, moto) comes from ``AWS_ENDPOINT_URL``."""
    from dvc.fs import parse_external_url

    config: dict[str, Any] = {}
    if url.startswith("s3://") and os.environ.get("AWS_ENDPOINT_URL"):
        config["endpointurl"] = os.environ["AWS_ENDPOINT_URL"]
    try:
        with dvc_environment(no_analytics()):
            fs, path = parse_external_url(url, config)
        if not fs.exists(path):
            raise DataError(f"{url} does not exist; check the path (and the credentials)")
    except DataError:
        raise
    except Exception as error:  # unknown scheme, missing dvc extra, credentials, network
        raise RemoteError(
            f"cannot read {url}: {describe_exception(error)}; install the DVC extra for its "
            "scheme (gitml[s3], dvc[gs], dvc[azure]) and set its credentials"
        ) from error
    return fs, path
