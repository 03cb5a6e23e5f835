"""The one module that talks to DVC's Python API.

DVC's in-process functions (``Repo.metrics.show``, ``Repo.params.diff``, the plots renderers, the
data index) are not a documented API, which is why DVC's minor version is pinned and why nothing
else in gitml imports ``dvc``: a DVC upgrade touches this file only. Everything here returns plain
Python data (dicts, lists, dataclasses), never DVC objects.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitml.errors import ConfigError, DataError, PipelineError, RemoteError, describe_exception

#: DVC's name for the uncommitted working tree.
WORKSPACE = "workspace"


@dataclass(frozen=True)
class StageRun:
    """What happened to one pipeline stage during a reproduction."""

    name: str
    #: "ran", "restored" (from the run-cache), "skipped" (unchanged) or "failed"
    status: str
    seconds: float


@dataclass(frozen=True)
class LoadError:
    """A file DVC could not load at a revision; DVC's CLI exits 0 on these, gitml reports them."""

    source: str  # "metrics", "params" or "plots"
    rev: str
    file: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rev": self.rev, "file": self.file, "message": self.message}


@dataclass(frozen=True)
class DataChange:
    """A DVC-tracked file added, modified or deleted between two revisions."""

    path: str
    change: str  # "added", "modified", "deleted", "renamed"
    base_size: int | None
    head_size: int | None


@dataclass(frozen=True)
class PlotImage:
    """One image file of an image plot (``.png``, ``.jpg``, ``.svg`` in ``plots:``) at a revision."""

    rev: str
    file: str
    data: bytes


@dataclass(frozen=True)
class PlotData:
    """One plot definition with its data points at every revision and its filled Vega-Lite spec.

    An image plot has the template ``"image"``, no data points and its files in ``images``.
    """

    id: str
    title: str
    template: str
    x: str | None
    y: str | None
    x_label: str | None
    y_label: str | None
    #: rows with DVC's "rev" field naming the revision each point belongs to, and, when the plot
    #: reads several files (or fields), DVC's "filename" (and "field") naming the source
    datapoints: list[dict[str, Any]]
    vega_lite: dict[str, Any] | None
    images: tuple[PlotImage, ...] = ()

    def sources(self) -> list[str]:
        """The sources the points come from, in DVC's order: one label per file (and field, when
        a file gives several), or ``[""]`` when the plot reads one."""
        keys = _varying_keys(self.datapoints)
        return list(dict.fromkeys(_label(row, keys) for row in self.datapoints)) or [""]

    def series(self, source: str, rev: str) -> list[dict[str, Any]]:
        """The points of one source at one revision, in DVC's order (never mixed with others)."""
        keys = _varying_keys(self.datapoints)
        return [
            row for row in self.datapoints if row.get("rev") == rev and _label(row, keys) == source
        ]


def _varying_keys(rows: list[dict[str, Any]]) -> tuple[str, ...]:
    """DVC's source fields that differ between rows: those that tell the series apart."""
    return tuple(key for key in ("filename", "field") if len({r.get(key) for r in rows}) > 1)


def _label(row: dict[str, Any], keys: tuple[str, ...]) -> str:
    return " ".join(str(row.get(key)) for key in keys)


class _CurrentStderr:
    """Whatever ``sys.stderr`` is at the time of writing (tests and tools swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def _route_dvc_logs() -> None:
    """DVC logs progress to stdout; gitml keeps stdout for results, so send it to stderr.

    Only DVC's own console handlers are touched. DVC records also stop reaching the root logger,
    where they would print twice.
    """
    import logging

    from dvc.logger import LoggerHandler

    for name in ("dvc", "dvc_objects", "dvc_data"):
        logger = logging.getLogger(name)
        logger.propagate = False
        for handler in logger.handlers:
            if isinstance(handler, LoggerHandler) and handler.level < logging.WARNING:
                handler.stream = _CurrentStderr()


@contextmanager
def open_repo(root: Path | str = ".") -> Iterator[Any]:
    """Open the DVC project at ``root``; a folder that is not one is a clear ``ConfigError``."""
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    from dvc.exceptions import NotDvcRepoError
    from dvc.repo import Repo

    _route_dvc_logs()
    try:
        repo = Repo(str(root))
    except NotDvcRepoError:
        raise ConfigError(
            f"{Path(root).resolve()} is not a DVC project; run `dvc init` (or `gitml init`) first"
        ) from None
    try:
        yield repo
    finally:
        repo.close()


def _causes(error: BaseException) -> list[BaseException]:
    chain = [error]
    while chain[-1].__cause__ is not None:
        chain.append(chain[-1].__cause__)
    return chain


def _definition_error(error: BaseException) -> ConfigError | None:
    """A broken pipeline definition (dvc.yaml syntax, schema, cycle, duplicate outputs) in
    ``error``'s causes, as the ``ConfigError`` every command reports for it; else None."""
    from dvc.exceptions import (
        CyclicGraphError,
        OutputDuplicationError,
        OverlappingOutputPathsError,
    )
    from dvc.utils.strictyaml import YAMLSyntaxError, YAMLValidationError

    for cause in _causes(error):
        if isinstance(cause, (YAMLSyntaxError, YAMLValidationError)):
            return ConfigError(f"dvc.yaml is broken: {describe_exception(cause)}; fix the file")
        if isinstance(
            cause, (CyclicGraphError, OutputDuplicationError, OverlappingOutputPathsError)
        ):
            return ConfigError(f"dvc.yaml is broken: {describe_exception(cause)}")
    return None


def _dvc_failure(error: Exception) -> PipelineError:
    """Turn a DVC exception (and its causes) into one actionable gitml error."""
    from dvc.exceptions import ReproductionError
    from dvc.stage.exceptions import MissingDataSource, StageCmdFailedError

    broken = _definition_error(error)
    if broken is not None:
        return broken
    chain = _causes(error)
    for cause in chain:
        if isinstance(cause, MissingDataSource):
            return DataError(
                f"{describe_exception(cause)}; pull it with `gitml run --pull`, and if the DVC "
                "remote lacks it too, push it from a machine that has it (`dvc push`)"
            )
        if isinstance(cause, StageCmdFailedError):
            return PipelineError(
                f"{describe_exception(chain[0])}: {describe_exception(cause)}; "
                "the stage's own error is printed above"
            )
    if isinstance(error, ReproductionError):
        return PipelineError(describe_exception(error))
    return PipelineError(f"DVC failed: {describe_exception(error)}")


def _remote_description(repo: Any, remote: str | None) -> str:
    try:
        name = remote or repo.config["core"].get("remote")
        url = repo.config["remote"][name]["url"] if name else None
    except (KeyError, TypeError):
        return f"remote '{remote}'" if remote else "the default remote"
    return f"remote '{name}' ({url})" if name else "the default remote (none configured)"


def pull(repo: Any, remote: str | None = None) -> int:
    """Fetch and check out data, models and the run-cache; returns the number of files fetched.

    Outputs not yet in the remote (a stage that changed on this branch) are allowed to be missing:
    the reproduction after this builds them.
    """
    try:
        result = repo.pull(remote=remote, run_cache=True, allow_missing=True)
    except Exception as error:  # DVC's errors, and the filesystems' own (credentials, network)
        broken = _definition_error(error)  # DVC reads dvc.yaml to know what to pull
        if broken is not None:
            raise broken from error
        raise RemoteError(
            f"could not pull from {_remote_description(repo, remote)}: "
            f"{describe_exception(error)}; check that it is reachable and its credentials are set"
        ) from error
    stats = result.get("stats", {}) if isinstance(result, dict) else {}
    return int(stats.get("fetched", 0))


def push(repo: Any, remote: str | None = None) -> int:
    """Upload data, models and the run-cache; returns the number of files pushed."""
    try:
        pushed = repo.push(remote=remote, run_cache=True)
    except Exception as error:  # DVC's errors, and the filesystems' own (credentials, network)
        broken = _definition_error(error)
        if broken is not None:
            raise broken from error
        raise RemoteError(
            f"could not push to {_remote_description(repo, remote)}: "
            f"{describe_exception(error)}; check that it is writable and its credentials are set"
        ) from error
    return int(pushed or 0)


def reproduce(repo: Any, targets: list[str] | None = None, force: bool = False) -> list[StageRun]:
    """Run ``dvc repro`` in process; return every pipeline stage with its status and time."""
    from dvc.exceptions import DvcException
    from dvc.repo.reproduce import _reproduce_stage

    # Stages call `gitml stage ...`: make this interpreter's scripts reachable even when gitml
    # was started by its full path from a virtual environment that is not activated.
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")

    runs: list[StageRun] = []
    restored: set[str] = set()
    restore = repo.stage_cache.restore

    def recording_restore(stage: Any, *args: Any, **kwargs: Any) -> Any:
        result = restore(stage, *args, **kwargs)  # raises when the run-cache has no entry
        if not kwargs.get("dry"):
            restored.add(stage.addressing)
        return result

    def timed_repro(stage: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = _reproduce_stage(stage, **kwargs)
        except Exception:
            if stage.cmd:
                runs.append(StageRun(stage.addressing, "failed", time.perf_counter() - started))
            raise
        if stage.cmd:
            if result is None:
                status = "skipped"
            else:
                status = "restored" if stage.addressing in restored else "ran"
            runs.append(StageRun(stage.addressing, status, time.perf_counter() - started))
        return result

    repo.stage_cache.restore = recording_restore
    try:
        repo.reproduce(targets=targets, force=force, repro_fn=timed_repro)
    except DvcException as error:
        raise _dvc_failure(error) from error
    finally:
        del repo.stage_cache.restore
    return runs


def check_revision(repo: Any, rev: str) -> str:
    """Resolve ``rev`` to a commit sha; a missing one (shallow clone?) is a ``RevisionError``."""
    from gitml.registry.git import unknown_revision

    try:
        return repo.scm.resolve_rev(rev)
    except Exception:  # scmrepo raises several unrelated types for an unknown revision
        raise unknown_revision(repo.scm.root_dir, rev) from None


def _errors(source: str, errors: dict[str, Any]) -> list[LoadError]:
    found = []
    for rev, value in (errors or {}).items():
        if isinstance(value, dict):
            for file, error in value.items():
                found.append(LoadError(source, rev, file, describe_exception(error)))
        elif value:
            found.append(LoadError(source, rev, None, describe_exception(value)))
    return found


def metrics_diff(repo: Any, base: str, head: str) -> tuple[dict, list[LoadError]]:
    """All metrics at both revisions: ``{file: {name: {"old", "new"}}}`` plus load errors.

    Values are DVC's own (nested metrics flattened to dotted keys; lists dropped), so the numbers
    are exactly those of ``dvc metrics diff``.
    """
    result = repo.metrics.diff(a_rev=base, b_rev=head, all=True)
    diff = {
        file: {name: {"old": v.get("old"), "new": v.get("new")} for name, v in entries.items()}
        for file, entries in result.get("diff", {}).items()
    }
    return diff, _errors("metrics", result.get("errors", {}))


def params_diff(repo: Any, base: str, head: str) -> tuple[dict, list[LoadError]]:
    """Changed params only: ``{file: {name: {"old", "new"}}}`` plus load errors."""
    result = repo.params.diff(a_rev=base, b_rev=head)
    diff = {
        file: {name: {"old": v.get("old"), "new": v.get("new")} for name, v in entries.items()}
        for file, entries in result.get("diff", {}).items()
    }
    return diff, _errors("params", result.get("errors", {}))


def data_diff(repo: Any, base: str, head: str) -> list[DataChange]:
    """DVC-tracked files added, modified, deleted or renamed, with their sizes at each side."""
    from dvc_data.index.diff import ADD, DELETE, MODIFY, RENAME
    from dvc_data.index.diff import diff as index_diff

    indexes = {}
    data_keys: set = set()
    for rev in repo.brancher(revs=[base, head]):
        if rev == WORKSPACE and head != WORKSPACE:
            continue
        view = repo.index.targets_view(None)
        data_keys.update(view.data_keys.get("repo", set()))
        if rev == WORKSPACE:
            from dvc.repo.index import build_data_index

            indexes[rev] = build_data_index(view, repo.root_dir, repo.fs, compute_hash=True)
        else:
            indexes[rev] = view.data["repo"]
    if len(indexes) < 2:  # both revisions are the same commit
        return []
    old, new = indexes[base], indexes[head]
    kinds = {ADD: "added", DELETE: "deleted", MODIFY: "modified", RENAME: "renamed"}
    changes = []
    modified_dirs, unlisted = {}, set()
    for change in index_diff(
        old,
        new,
        with_renames=True,
        roots=data_keys,
        with_unknown=True,
        meta_cmp_key=lambda meta: meta.isdir if meta else meta,
    ):
        kind = kinds.get(change.typ)
        entry = change.new or change.old
        if kind is None:
            unlisted.add(entry.key[:-1])  # a folder whose listing at one side is not in the cache
            continue
        if entry.meta and entry.meta.isdir:
            if kind == "modified":
                modified_dirs[entry.key] = change
            continue  # report files, not the directories that hold them
        changes.append(
            DataChange(
                path="/".join(entry.key),
                change=kind,
                base_size=change.old.meta.size if change.old and change.old.meta else None,
                head_size=change.new.meta.size if change.new and change.new.meta else None,
            )
        )
    changes += _unlisted_folders(modified_dirs, unlisted)
    return sorted(changes, key=lambda c: c.path)


def _unlisted_folders(modified_dirs: dict, unlisted: set) -> list[DataChange]:
    """A fresh clone has only the head's data: a modified folder whose files cannot be compared
    (the base's listing is not in the cache) is reported as the folder, rather than not at all."""
    return [
        DataChange(
            path="/".join(key),
            change="modified",
            base_size=change.old.meta.size if change.old and change.old.meta else None,
            head_size=change.new.meta.size if change.new and change.new.meta else None,
        )
        for key, change in modified_dirs.items()
        if key in unlisted
    ]


def _revision_plot_errors(data: dict[str, Any]) -> list[LoadError]:
    """Errors that stop DVC reading a revision's plot definitions at all (a broken dvc.yaml)."""
    found: dict[tuple[str, str | None, str], LoadError] = {}
    for rev, content in data.items():
        failures = [(None, content.get("error"))]
        for part in ("definitions", "sources"):
            section = content.get(part) or {}
            failures.append((None, section.get("error")))
            if part == "definitions":
                for file, entry in (section.get("data") or {}).items():
                    failures.append((file, (entry or {}).get("error")))
        for file, error in failures:
            if error:
                message = describe_exception(error)
                found.setdefault((rev, file, message), LoadError("plots", rev, file, message))
    return list(found.values())


def _image_plot(renderer: Any) -> PlotData:
    """An image plot: its files at each revision, decoded from DVC's data URIs."""
    import base64

    images = []
    for point in renderer.datapoints:
        src = str(point.get("src", ""))
        if src.startswith("data:") and "," in src:
            data = base64.b64decode(src.split(",", 1)[1])
            images.append(PlotImage(str(point.get("rev")), str(point.get("filename")), data))
    title = renderer.properties.get("title") or renderer.name
    return PlotData(
        renderer.name, str(title), "image", None, None, None, None, [], None, tuple(images)
    )


def _vega_plot(renderer: Any, head: str, errors: list[LoadError]) -> PlotData:
    props = renderer.properties
    try:
        spec = renderer.get_filled_template()
        spec = spec if isinstance(spec, dict) else None
    except Exception as error:  # a broken template must not hide the rest of the report
        errors.append(LoadError("plots", head, renderer.name, describe_exception(error)))
        spec = None
    return PlotData(
        id=renderer.name,
        title=str(props.get("title") or renderer.name),
        template=str(props.get("template") or "linear"),
        x=props.get("x"),
        y=props.get("y"),
        x_label=props.get("x_label"),
        y_label=props.get("y_label"),
        datapoints=list(renderer.datapoints),
        vega_lite=spec,
    )


def plots(repo: Any, base: str, head: str) -> tuple[list[PlotData], list[LoadError]]:
    """Every plot in ``dvc.yaml`` (data plots and image plots) with its data at both revisions,
    and every plot file or definition DVC failed to load, as ``LoadError`` data."""
    from dvc.render.match import match_defs_renderers

    revs = [base] if base == head else [base, head]
    data = repo.plots.show(revs=revs)
    errors = _revision_plot_errors(data)
    found = []
    for item in match_defs_renderers(data=data, templates_dir=repo.plots.templates_dir):
        renderer = item.renderer
        for rev, by_file in item.source_errors.items():
            errors.extend(
                LoadError("plots", rev, file, describe_exception(e)) for file, e in by_file.items()
            )
        for rev, error in item.definition_errors.items():
            errors.append(LoadError("plots", rev, renderer.name, describe_exception(error)))
        if renderer.TYPE == "image":
            found.append(_image_plot(renderer))
        else:
            found.append(_vega_plot(renderer, head, errors))
    return found, errors


def declared_artifacts(repo: Any) -> dict[str, str]:
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


def metrics_at(repo: Any, rev: str) -> tuple[dict, list[LoadError]]:
    """Metrics of one revision in ``metrics_diff``'s shape, with no base (``old`` is None)."""
    diff, errors = metrics_diff(repo, rev, rev)
    return (
        {
            file: {name: {"old": None, "new": v["new"]} for name, v in entries.items()}
            for file, entries in diff.items()
        },
        errors,
    )


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
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    import dvc.api
    from dvc.exceptions import DvcException

    try:
        with (
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


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence DVC's advice ("You can now commit...", "To track the changes with git...")."""
    import logging

    logger = logging.getLogger("dvc")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def add_default_remote(root: Path | str, name: str, url: str) -> None:
    """``dvc remote add -d NAME URL``; a relative ``url`` is relative to the project root.

    DVC stores a local path relative to ``.dvc/``, so clones at the same depth share it.
    """
    with open_repo(root) as repo, repo.config.edit() as config:
        # DVC's config API reads a relative path against the cwd, so hand it one relative to it
        if "://" not in url and not Path(url).is_absolute():
            url = os.path.relpath(Path(root).resolve() / url)
        config["core"]["remote"] = name
        config["remote"][name] = {"url": url}


def track(root: Path | str, path: str) -> None:
    """``dvc add PATH``: cache the file or folder and write ``PATH.dvc`` for git."""
    with open_repo(root) as repo:
        try:
            with _quiet():
                # DVC resolves a relative target against the process's cwd, not the repository
                repo.add(str(Path(root).resolve() / path))
        except Exception as error:  # DVC's errors: missing path, path already an output, ...
            raise DataError(
                f"could not track {path} with DVC: {describe_exception(error)}"
            ) from error


def init_dvc(root: Path | str, subdir: bool = False) -> None:
    """``dvc init`` in an existing repository (``--subdir`` when ``root`` is below git's root)."""
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    from dvc.repo import Repo

    _route_dvc_logs()
    with _quiet():
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


def _relative(path: str, base: str) -> str:
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
                files += [_relative(os.path.join(folder, p), base) for p in paths]
            for stage in repo.index.stages:
                files += [_relative(out.fs_path, base) for out in stage.outs if out.metric]
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


# -- retraining: the data a pipeline starts from, and moving one version of it ------------------


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
                        output=_relative(out.fs_path, base),
                        dvc_file=_relative(stage.path, base),
                        is_dir=bool(out.meta and out.meta.isdir) or Path(out.fs_path).is_dir(),
                    )
                )
    return sorted(found, key=lambda t: t.output)


def pipeline_dependencies(root: Path | str) -> list[str]:
    """The paths the pipeline's stages depend on (files and folders), relative to the root."""
    with open_repo(root) as repo:
        base = repo.root_dir
        paths = [
            _relative(dep.fs_path, base)
            for stage in repo.index.stages
            if not stage.is_data_source
            for dep in stage.deps
            if dep.protocol == "local"
        ]
    return list(dict.fromkeys(paths))


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


def checkout_data(root: Path | str, dvc_file: str, remote: str | None = None) -> None:
    """``dvc pull DVC_FILE``: its data from the cache, fetched from the remote when missing."""
    with open_repo(root) as repo:
        try:
            with _quiet():
                repo.pull(targets=[str(Path(repo.root_dir) / dvc_file)], remote=remote)
        except Exception as error:  # DVC's errors, and the filesystems' own
            raise RemoteError(
                f"could not fetch the data of {dvc_file} from "
                f"{_remote_description(repo, remote)}: {describe_exception(error)}; "
                "check that it is reachable and holds that version (`dvc push` it)"
            ) from error


def push_data(root: Path | str, dvc_file: str, remote: str | None = None) -> int:
    """``dvc push DVC_FILE``: the data version it names reaches the remote; files pushed."""
    with open_repo(root) as repo:
        try:
            pushed = repo.push(targets=[str(Path(repo.root_dir) / dvc_file)], remote=remote)
        except Exception as error:  # DVC's errors, and the filesystems' own
            raise RemoteError(
                f"could not push {dvc_file}'s data to {_remote_description(repo, remote)}: "
                f"{describe_exception(error)}; check that it is writable and its credentials "
                "are set"
            ) from error
    return int(pushed or 0)
