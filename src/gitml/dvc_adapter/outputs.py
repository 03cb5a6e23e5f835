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
    from dvc_data.index import DataIndexError

    try:
        with (
            dvc_environment(no_analytics()),
            dvc.api.open(path, repo=str(root), rev=rev, mode="rb") as source,
            open(dest, "wb") as target,
        ):
            shutil.copyfileobj(source, target)
    except (DvcException, DataIndexError, FileNotFoundError) as error:
        # DataIndexError: "failed to load directory ('eval',)", a directory output not pulled
        raise RemoteError(
            f"could not read {path} at {rev[:12]}: {describe_exception(error)}; push it with "
            "`gitml run --push` on that commit or pull it into the cache"
        ) from error
    return dest


def read_cached(root: Path | str, path: str) -> bytes:
    """The content of ``path``, an output of the pipeline, from the local DVC cache by the hash
    ``dvc.lock`` records for it (a file inside a directory output through the directory's
    listing). No remote is asked: this is what a clone holds without ``dvc pull``.

    A ``DataError`` says why it cannot be read: not an output, never reproduced, or not pulled.
    """
    with open_repo(root) as repo:
        base = Path(repo.root_dir)
        target = (base / path).resolve()
        for stage in repo.index.stages:
            for out in stage.outs:
                out_path = Path(out.fs_path).resolve()
                if target != out_path and out_path not in target.parents:
                    continue
                name = out_path.relative_to(base).as_posix()
                where = f"the output {name} of stage {stage.addressing}"
                return _cached_bytes(out, target.relative_to(out_path).parts, where)
    raise DataError(f"{path} is no output of the pipeline in dvc.yaml")


def _cached_bytes(out: Any, inner: tuple[str, ...], where: str) -> bytes:
    """The bytes of ``out`` (a file output) or of ``inner`` inside it (a directory output)."""
    hash_info = out.hash_info
    if not hash_info or not hash_info.value:
        raise DataError(f"{where} has no hash in dvc.lock (never reproduced)")
    odb = out.cache
    oid = hash_info.value
    if inner:
        from dvc_data.hashfile.tree import Tree

        try:
            tree = Tree.load(odb, hash_info)
        except Exception:  # FileNotFoundError, ObjectFormatError: the listing is not cached
            raise DataError(f"{where}, a directory, is not pulled") from None
        entry = tree.get(inner)
        if entry is None or entry[1] is None:
            raise DataError(f"{where}, a directory, holds no {'/'.join(inner)} in dvc.lock")
        oid = entry[1].value
    try:
        return Path(odb.oid_to_path(oid)).read_bytes()
    except OSError:
        raise DataError(f"{where} is not pulled") from None


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
