"""A project's set-up and shape: ``dvc init``, remotes, ``dvc add``, what dvc.yaml declares and
depends on."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gitml.dvc_adapter.repository import (
    dvc_environment,
    no_analytics,
    open_repo,
    quiet,
    route_dvc_logs,
)
from gitml.errors import (
    ConfigError,
    DataError,
    describe_exception,
)


def add_default_remote(root: Path | str, name: str, url: str) -> None:
    """``dvc remote add -d NAME URL``; a relative ``url`` is relative to the project root.

    DVC stores a local path relative to ``.dvc/``, so clones at the same depth share it.
    """
    root = Path(root).resolve()
    with open_repo(root) as repo, repo.config.edit() as config:
        # DVC's config API reads a relative path against the cwd, so hand it one relative to it
        if "://" not in url and not Path(url).is_absolute():
            url = os.path.relpath(root / url)
        config["core"]["remote"] = name
        config["remote"][name] = {"url": url}


def track(root: Path | str, path: str) -> None:
    """``dvc add PATH``: cache the file or folder and write ``PATH.dvc`` for git."""
    root = Path(root).resolve()
    with open_repo(root) as repo:
        try:
            with quiet():
                repo.add(str(root / path))
        except Exception as error:  # DVC's errors: missing path, path already an output, ...
            raise DataError(
                f"could not track {path} with DVC: {describe_exception(error)}"
            ) from error


def init_dvc(root: Path | str, subdir: bool = False) -> None:
    """``dvc init`` in an existing repository (``--subdir`` when ``root`` is below git's root)."""
    from dvc.repo import Repo

    route_dvc_logs()
    with quiet(), dvc_environment(no_analytics()):
        Repo.init(str(root), subdir=subdir).close()


@dataclass(frozen=True)
class ProjectOutline:
    """What ``gitml init`` needs to know of a DVC project, read from dvc.yaml and DVC's config."""

    #: metrics files declared in dvc.yaml (top-level ``metrics:`` and stage ``metrics:`` outs),
    #: relative to the project root, in declaration order
    metrics_files: tuple[str, ...]
    #: names of the artifacts declared with ``type: model``
    model_artifacts: tuple[str, ...]
    #: the default remote's name and URL (``core.remote``), None when no default is set
    remote_name: str | None
    remote_url: str | None


def relative(path: str, base: str) -> str:
    return Path(os.path.relpath(os.path.normpath(path), base)).as_posix()


def project_outline(root: Path | str) -> ProjectOutline:
    """Declared metrics files, model artifacts and the default remote of the project at ``root``."""
    with open_repo(root) as repo:
        base = repo.root_dir
        files: list[str] = []
        try:
            # top-level `metrics:` paths are relative to their dvc.yaml's folder
            for dvcyaml, paths in repo.index._metrics.items():
                folder = os.path.dirname(dvcyaml)
                files += [relative(os.path.join(folder, p), base) for p in paths]
            for stage in repo.index.stages:
                files += [relative(out.fs_path, base) for out in stage.outs if out.metric]
            artifacts = [
                name
                for found in repo.artifacts.read().values()
                for name, artifact in found.items()
                if artifact.type == "model"
            ]
        except Exception as error:  # DVC's YAML and schema errors, all with a useful message
            raise ConfigError(
                f"could not read dvc.yaml: {describe_exception(error)}; fix it and retry"
            ) from None
        name = repo.config["core"].get("remote")
        url = repo.config["remote"].get(name, {}).get("url") if name else None
    return ProjectOutline(
        metrics_files=tuple(dict.fromkeys(files)),
        model_artifacts=tuple(artifacts),
        remote_name=name,
        remote_url=url,
    )


@dataclass(frozen=True)
class TrackedData:
    """A file or folder tracked by a ``.dvc`` file (``dvc add``), relative to the project root."""

    output: str
    dvc_file: str
    is_dir: bool


def tracked_data(root: Path | str) -> list[TrackedData]:
    """Every output of a ``.dvc`` file in the project (what ``dvc add`` tracks, not stage outputs)."""
    found = []
    with open_repo(root) as repo:
        base = repo.root_dir
        for stage in repo.index.stages:
            if not stage.is_data_source:
                continue
            for out in stage.outs:
                found.append(
                    TrackedData(
                        output=relative(out.fs_path, base),
                        dvc_file=relative(stage.path, base),
                        is_dir=bool(out.meta and out.meta.isdir) or Path(out.fs_path).is_dir(),
                    )
                )
    return sorted(found, key=lambda t: t.output)


def pipeline_dependencies(root: Path | str) -> list[str]:
    """The paths the pipeline's stages depend on (files and folders), relative to the root."""
    with open_repo(root) as repo:
        base = repo.root_dir
        paths = [
            relative(dep.fs_path, base)
            for stage in repo.index.stages
            if not stage.is_data_source
            for dep in stage.deps
            if dep.protocol == "local"
        ]
    return list(dict.fromkeys(paths))


def pipeline_git_files(root: Path | str) -> list[str]:
    """What a reproduction writes that git holds, relative to the root: each ``dvc.yaml``'s
    ``dvc.lock`` and the stages' uncached outputs (metrics and plots committed to git)."""
    with open_repo(root) as repo:
        base = repo.root_dir
        files: list[str] = []
        for stage in repo.index.stages:
            if stage.is_data_source:
                continue
            files.append(relative(os.path.splitext(stage.path)[0] + ".lock", base))
            files += [
                relative(out.fs_path, base)
                for out in stage.outs
                if not out.use_cache and out.is_in_repo
            ]
    return list(dict.fromkeys(files))


def share_local_settings(source: Path | str, target: Path | str) -> None:
    """Give the project at ``target`` (a git worktree of ``source``) the cache and remotes of
    ``source``: its ``config.local`` (credentials a user set with ``--local``), then the cache
    directory and every local remote as absolute paths, since relative ones are relative to
    ``.dvc/`` and the worktree lives elsewhere."""
    import shutil

    local = Path(source) / ".dvc" / "config.local"
    if local.is_file():
        shutil.copyfile(local, Path(target) / ".dvc" / "config.local")
    with open_repo(source) as repo:
        cache_dir = repo.cache.local_cache_dir
        remotes = {name: dict(conf) for name, conf in repo.config["remote"].items()}
    with open_repo(target) as repo, repo.config.edit("local") as config:
        config["cache"]["dir"] = str(cache_dir)
        for name, conf in remotes.items():
            url = str(conf.get("url", ""))
            if url and "://" not in url:  # DVC resolved it against its config file: absolute
                config["remote"].setdefault(name, {})["url"] = url
