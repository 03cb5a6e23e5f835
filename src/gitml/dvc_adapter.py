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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gitml.core.model import DataChange, LoadError, PlotData, PlotImage, StageRun
from gitml.errors import (
    ConfigError,
    DataError,
    PipelineError,
    RemoteError,
    UsageError,
    describe_exception,
)

#: DVC's name for the uncommitted working tree.
WORKSPACE = "workspace"


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
def _dvc_environment(hidden: tuple[str, ...] = (), **defaults: str) -> Iterator[None]:
    """Variables DVC's child processes need (``DVC_NO_ANALYTICS``, a ``PATH`` with this
    interpreter's scripts) for the duration of a DVC call, then the process's own back; the
    ``hidden`` ones are unset meanwhile (tokens the stages' commands must not see).

    DVC gives the processes it starts (the stages' commands, the queue's workers) ``os.environ``
    and takes no environment of its own, so this is the one place gitml sets variables, and it
    sets them only while DVC works: a caller's environment is the same afterwards.
    """
    saved = {name: os.environ.get(name) for name in (*defaults, *hidden)}
    for name in hidden:
        os.environ.pop(name, None)
    os.environ.update(defaults)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _no_analytics() -> dict[str, str]:
    return {"DVC_NO_ANALYTICS": os.environ.get("DVC_NO_ANALYTICS") or "1"}


@contextmanager
def _working_directory(root: Path | str) -> Iterator[None]:
    """Work from ``root`` while DVC runs, and return to where the caller was.

    DVC resolves against the process's working directory what its API is given or returns:
    ``dvc repro``'s default target (``dvc.yaml``), the paths keying ``metrics show``, the plots'
    paths. gitml's functions take the project's root instead; this is the one place that turns
    the root into what DVC expects, so callers (the demo, ``gitml retrain``'s worktree) never
    change directory themselves.
    """
    previous = os.getcwd()
    target = os.path.abspath(root)
    if target == previous or not os.path.isdir(target):  # DVC names a missing folder itself
        yield
        return
    os.chdir(target)
    try:
        yield
    finally:
        os.chdir(previous)


@contextmanager
def open_repo(root: Path | str = ".") -> Iterator[Any]:
    """Open the DVC project at ``root``, working from ``root`` while it is open (see
    :func:`_working_directory`); a folder that is not one is a clear ``ConfigError``."""
    from dvc.exceptions import NotDvcRepoError
    from dvc.repo import Repo

    _route_dvc_logs()
    root = os.path.abspath(root)
    with _working_directory(root), _dvc_environment(**_no_analytics()):
        try:
            repo = Repo(root)
        except NotDvcRepoError:
            raise ConfigError(
                f"{Path(root).resolve()} is not a DVC project; run `dvc init` (or `gitml init`) "
                "first"
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


def _dvc_failure(error: Exception, pulled_from: str | None = None) -> PipelineError:
    """Turn a DVC exception (and its causes) into one actionable gitml error.

    ``pulled_from`` names the remote just pulled from: then "pull it" is no advice.
    """
    from dvc.exceptions import ReproductionError
    from dvc.stage.exceptions import MissingDataSource, StageCmdFailedError

    broken = _definition_error(error)
    if broken is not None:
        return broken
    chain = _causes(error)
    for cause in chain:
        if isinstance(cause, MissingDataSource) and pulled_from:
            return DataError(
                f"{describe_exception(cause)}; it was just pulled from {pulled_from}, which "
                "lacks it: push it from a machine that has it (`dvc push`)"
            )
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
    the reproduction after this builds them. DVC reports an unreachable remote the same way as
    missing objects, so when anything is missing the remote itself is probed: a network or
    credential failure is a ``RemoteError`` naming the remote, its URL and the error.
    """
    from dvc.exceptions import CheckoutError

    missing = None
    try:
        result = repo.pull(remote=remote, run_cache=True)
    except CheckoutError as error:
        missing = error
        result = error.result  # objects the remote lacks: the reproduction builds them
    except Exception as error:  # DVC's errors, and the filesystems' own (credentials, network)
        broken = _definition_error(error)  # DVC reads dvc.yaml to know what to pull
        if broken is not None:
            raise broken from error
        raise RemoteError(
            f"could not pull from {_remote_description(repo, remote)}: "
            f"{describe_exception(error)}; check that it is reachable and its credentials are set"
        ) from error
    unreachable = _remote_problem(repo, remote) if missing is not None else None
    if unreachable is not None:
        raise RemoteError(
            f"could not pull from {_remote_description(repo, remote)}: {unreachable} "
            f"({len(missing.target_infos)} output(s) missing); check the URL, the network and "
            "the remote's credentials, then rerun `gitml run --pull`"
        ) from missing
    stats = result.get("stats", {}) if isinstance(result, dict) else {}
    return int(stats.get("fetched", 0))


def _remote_problem(repo: Any, remote: str | None) -> str | None:
    """Why the remote cannot be read (network, credentials, a missing folder), None when it can.

    fsspec's HTTP filesystem turns a refused connection into ``FileNotFoundError``: the real
    error is its cause. A plain "not found" from a reachable server is not a problem (many HTTP
    remotes answer 404 for their root).
    """
    try:
        target = repo.cloud.get_remote(remote)
        target.fs.info(target.path)
    except FileNotFoundError as error:
        cause = error.__cause__
        if cause is not None and not isinstance(cause, FileNotFoundError):
            return describe_exception(cause)
        if target.fs.protocol == "local":
            return f"the folder {target.path} does not exist"
        return None
    except Exception as error:  # credentials, DNS, TLS, permissions
        return f"{type(error).__name__}: {describe_exception(error)}"
    return None


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


def _scripts_on_path() -> dict[str, str]:
    """PATH with this interpreter's scripts folder (for :func:`_dvc_environment`): stages call
    `gitml stage ...` and DVC's queue starts `dvc` workers by name, also when gitml was started
    by its full path from a virtual environment that is not activated."""
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts in path.split(os.pathsep):
        return {"PATH": path}
    return {"PATH": scripts + os.pathsep + path if path else scripts}


def reproduce(
    repo: Any,
    targets: list[str] | None = None,
    force: bool = False,
    pulled_from: str | None = None,
    restore_from_remote: bool = False,
    hidden_variables: tuple[str, ...] = (),
) -> list[StageRun]:
    """Run ``dvc repro`` in process; return every pipeline stage with its status and time.

    ``hidden_variables`` are unset while the stages run (``gitml retrain``'s push token).

    ``pulled_from`` (a remote's name, "" for the default) says the data was just pulled, so a
    missing input is reported as missing from that remote. With ``restore_from_remote`` (as
    ``dvc repro --pull``), a stage found in the run-cache gets its outputs from the remote when the
    local cache lacks them, so it is restored instead of run again."""
    from dvc.exceptions import DvcException
    from dvc.repo.reproduce import _reproduce_stage

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
        with _dvc_environment(hidden_variables, **_scripts_on_path()):
            repo.reproduce(
                targets=targets, force=force, pull=restore_from_remote, repro_fn=timed_repro
            )
    except DvcException as error:
        pulled = None if pulled_from is None else _remote_description(repo, pulled_from or None)
        raise _dvc_failure(error, pulled) from error
    finally:
        del repo.stage_cache.restore
    return runs


def check_revision(repo: Any, rev: str) -> str:
    """Resolve ``rev`` to a commit sha as DVC does: git revisions, DVC experiment names
    (``dvc exp run -n NAME``) and ``refs/exps/...`` refs. A missing one (shallow clone?) is a
    ``RevisionError``; an experiment name that several baselines share is a ``UsageError``."""
    from dvc.scm import RevError, resolve_rev

    from gitml.core.git import unknown_revision

    try:
        return resolve_rev(repo.scm, rev)
    except RevError as error:
        if str(error).startswith("ambiguous"):
            raise UsageError(
                f"{describe_exception(error)}: several experiments are named so; pass its full "
                "ref (`dvc exp list --all-commits --name-only`, `git show-ref | grep exps`)"
            ) from None
        raise unknown_revision(repo.scm.root_dir, rev) from None
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


def _duplicated_name(error: ValueError) -> DataError:
    return DataError(
        f"DVC cannot flatten the metrics: {describe_exception(error)} (a metrics file holds "
        'the same dotted name twice, e.g. "a.b" and a: {b}); rename one of them'
    )


def flatten_metrics(data: Any) -> dict[str, Any]:
    """A metrics file's content as DVC flattens it for ``dvc metrics show/diff``: nested names
    joined with dots, lists, nulls and empty tables dropped, strings and booleans kept. A value
    that is not a table has no named metrics here ({}). DVC's own functions do the work, so
    gitml cannot disagree with it."""
    from dvc.repo.metrics.show import _extract_metrics
    from dvc.utils.flatten import flatten

    extracted = _extract_metrics(data, "")
    if not isinstance(extracted, dict):
        return {}
    try:
        return dict(flatten(extracted))
    except ValueError as error:  # flatten_dict: "duplicated key"
        raise _duplicated_name(error) from None


def _metric_values(data: dict) -> dict[str, dict[str, Any]]:
    """One revision's metrics, ``{file: {name: value}}``, flattened as ``dvc metrics diff`` does
    (DVC's own ``format_dict``, ``_parse`` and ``_flatten``; a file that is one value is ``""``)."""
    from dvc.utils.diff import _flatten, _parse, format_dict

    values = {}
    for file, entry in format_dict(data).items():
        content = _parse(entry.get("data", {}))
        if isinstance(content, dict):
            values[file] = dict(_flatten(content))
        elif content not in (None, {}):
            values[file] = {"": content}
    return values


def _show_errors(shown: dict, rev: str) -> Any:
    """DVC's load errors of one revision, shaped as ``Repo.metrics.diff`` returns them."""
    entry = shown.get(rev, {})
    if entry.get("error"):
        return entry["error"]
    return {file: d["error"] for file, d in entry.get("data", {}).items() if "error" in d}


def metrics_diff(repo: Any, base: str, head: str) -> tuple[dict, list[LoadError]]:
    """All metrics at both revisions: ``{file: {name: {"old", "new"}}}`` plus load errors.

    Values are DVC's own (nested metrics flattened to dotted keys; lists dropped), so the numbers
    are exactly those of ``dvc metrics diff``. DVC's diff is not called: it subtracts every pair
    and crashes with ``OverflowError`` on a huge integer against a float; gitml computes changes
    itself (``report/compare.py``).
    """
    if repo.scm.no_commits:
        return {}, []
    return _metrics_from_shown(
        repo.metrics.show(revs=[base, head], hide_workspace=False), base, head
    )


def _metrics_from_shown(shown: dict, base: str, head: str) -> tuple[dict, list[LoadError]]:
    """``metrics_diff``'s result from ``Repo.metrics.show``'s ``{rev: Result}``."""
    try:
        old = _metric_values(shown.get(base, {}).get("data", {}))
        new = _metric_values(shown.get(head, {}).get("data", {}))
    except ValueError as error:  # DVC's `dvc metrics diff` stops the same way
        if "duplicated key" not in str(error):
            raise
        raise _duplicated_name(error) from None
    diff = {}
    for file in old.keys() | new.keys():
        before, after = old.get(file, {}), new.get(file, {})
        diff[file] = {
            name: {"old": before.get(name), "new": after.get(name)}
            for name in before.keys() | after.keys()
        }
    errors = {rev: _show_errors(shown, rev) for rev in dict.fromkeys([base, head])}
    return diff, _errors("metrics", errors)


def params_diff(repo: Any, base: str, head: str) -> tuple[dict, list[LoadError]]:
    """Changed params only: ``{file: {name: {"old", "new"}}}`` plus load errors."""
    return _params_from_diff(repo.params.diff(a_rev=base, b_rev=head))


def _params_from_diff(result: dict) -> tuple[dict, list[LoadError]]:
    """``params_diff``'s result from DVC's ``{"diff", "errors"}``."""
    diff = {
        file: {name: {"old": v.get("old"), "new": v.get("new")} for name, v in entries.items()}
        for file, entries in result.get("diff", {}).items()
    }
    return diff, _errors("params", result.get("errors", {}))


def _data_indexes(repo: Any, base: str, head: str) -> tuple[dict[str, Any], set, set]:
    """DVC's data index at each revision (the workspace's hashed from disk), the keys of every
    output at either revision, and the keys of the outputs the workspace declares."""
    from dvc.repo.index import build_data_index

    indexes, data_keys, workspace_keys = {}, set(), set()
    for rev in repo.brancher(revs=[base, head]):
        if rev == WORKSPACE and head != WORKSPACE:
            continue
        view = repo.index.targets_view(None)
        keys = view.data_keys.get("repo", set())
        data_keys.update(keys)
        if rev == WORKSPACE:
            workspace_keys = set(keys)
            indexes[rev] = build_data_index(view, repo.root_dir, repo.fs, compute_hash=True)
        else:
            indexes[rev] = view.data["repo"]
    return indexes, data_keys, workspace_keys


def _entry_change(kind: str, change: Any) -> DataChange:
    entry = change.new or change.old
    old = change.old.meta if change.old and change.old.meta else None
    new = change.new.meta if change.new and change.new.meta else None
    isdir = bool(entry.meta and entry.meta.isdir)
    return DataChange(
        path="/".join(entry.key) + ("/" if isdir else ""),
        change=kind,
        base_size=old.size if old else None,
        head_size=new.size if new else None,
        base_files=old.nfiles if old and isdir else None,
        head_files=new.nfiles if new and isdir else None,
    )


def _not_pulled(root: str, changes: list[DataChange], declared: set) -> list[DataChange]:
    """Outputs the workspace declares but does not hold were not pulled, not deleted: one row
    per output instead of a "deleted" row for it and each of its files."""
    absent = {key for key in declared if not os.path.lexists(os.path.join(root, *key))}
    result, shown = [], set()
    for change in sorted(changes, key=lambda c: c.path.rstrip("/").count("/")):  # outputs first
        parts = tuple(change.path.rstrip("/").split("/"))
        output = next((parts[:n] for n in range(1, len(parts) + 1) if parts[:n] in absent), None)
        if output is None or change.change != "deleted":
            result.append(change)
        elif output not in shown:
            shown.add(output)
            top = change if parts == output else DataChange("/".join(output), "deleted", None, None)
            result.append(replace(top, change="not pulled", head_size=None, head_files=None))
    return result


def data_diff(repo: Any, base: str, head: str) -> list[DataChange]:
    """DVC-tracked files and directories added, modified, deleted or renamed, as ``dvc diff``
    lists them, with sizes (and a directory's file count) at each side where DVC knows them.

    With the workspace as head, an output that is declared but absent is "not pulled".
    """
    indexes, data_keys, workspace_keys = _data_indexes(repo, base, head)
    if len(indexes) < 2:  # both revisions are the same commit
        return []
    return _data_changes(repo.root_dir, indexes[base], indexes[head], data_keys, workspace_keys)


def _data_changes(
    root: str, old: Any, new: Any, data_keys: set, workspace_keys: set | None
) -> list[DataChange]:
    """``data_diff``'s rows from two data indexes; ``workspace_keys`` when head is the workspace."""
    from dvc_data.index.diff import ADD, DELETE, MODIFY, RENAME
    from dvc_data.index.diff import diff as index_diff

    kinds = {ADD: "added", DELETE: "deleted", MODIFY: "modified", RENAME: "renamed"}
    changes = []
    for change in index_diff(
        old,
        new,
        with_renames=True,
        roots=data_keys,
        with_unknown=True,  # entries of a directory DVC cannot list are not changes
        meta_cmp_key=lambda meta: meta.isdir if meta else meta,
    ):
        kind = kinds.get(change.typ)
        if kind is None or any(  # as `dvc diff`: a directory without a hash is not compared
            entry and entry.isdir and not entry.hash_info for entry in (change.old, change.new)
        ):
            continue
        changes.append(_entry_change(kind, change))
    if workspace_keys is not None:
        changes = _not_pulled(root, changes, workspace_keys)
    return sorted(changes, key=lambda c: c.path)


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
    revs = [base] if base == head else [base, head]
    return _plots_from_shown(repo, repo.plots.show(revs=revs), head)


def _plots_from_shown(
    repo: Any, data: dict[str, Any], head: str
) -> tuple[list[PlotData], list[LoadError]]:
    """``plots``'s result from ``Repo.plots.show``'s ``{rev: {"definitions", "sources"}}``."""
    from dvc.render.match import match_defs_renderers

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


@dataclass(frozen=True)
class RevisionComparison:
    """Everything a report compares between two revisions, each read once (``compare_revisions``)."""

    metrics: dict
    metric_errors: list[LoadError]
    params: dict
    param_errors: list[LoadError]
    data: list[DataChange]
    plots: list[PlotData]
    plot_errors: list[LoadError]


def compare_revisions(repo: Any, base: str, head: str) -> RevisionComparison:
    """Metrics, params, data and plots of ``head`` against ``base``: the results of
    ``metrics_diff``, ``params_diff``, ``data_diff`` and ``plots`` together, but with the
    repository switched to each revision once, so DVC builds each revision's index once (DVC's
    own ``show`` functions each switch again and rebuild it: 8 index builds instead of 2)."""
    # DVC's plots check the pipeline's graph (cycles, overlapping outputs) before reading, which
    # imports networkx (about 0.4 s) and builds the graph; a report reads, it does not run the
    # pipeline (`gitml run` and `dvc repro` check the graph)
    skipped = getattr(repo, "_skip_graph_checks", False)
    repo._skip_graph_checks = True
    try:
        reads = {rev: _read_revision(repo, rev) for rev in _reading_order(base, head)}
    finally:
        repo._skip_graph_checks = skipped
    if repo.scm.no_commits:
        metrics, metric_errors, params, param_errors = {}, [], {}, []
    else:
        shown = {rev: read.metrics for rev, read in reads.items()}
        metrics, metric_errors = _metrics_from_shown(shown, base, head)
        from dvc.repo.metrics.diff import _diff

        params_shown = {rev: read.params for rev, read in reads.items()}
        params, param_errors = _params_from_diff(_diff(params_shown, base, head))
    data: list[DataChange] = []
    if base != head:
        keys = set().union(*(read.data_keys for read in reads.values()))
        workspace = reads[head].data_keys if head == WORKSPACE else None
        old, new = reads[base].data_index, reads[head].data_index
        data = _data_changes(repo.root_dir, old, new, keys, workspace)
    plot_data: dict[str, Any] = {}
    for read in reads.values():
        plot_data.update(read.plots)
    _report_plot_failures(plot_data)
    found_plots, plot_errors = _plots_from_shown(repo, plot_data, head)
    return RevisionComparison(
        metrics, metric_errors, params, param_errors, data, found_plots, plot_errors
    )


def _reading_order(base: str, head: str) -> list[str]:
    """The revisions in the order DVC's plots put them (the workspace first): the order of a
    plot's data points, and so of the report's plot data, follows it."""
    revs = list(dict.fromkeys([base, head]))
    if WORKSPACE in revs:
        revs.remove(WORKSPACE)
        revs.insert(0, WORKSPACE)
    return revs


@dataclass
class _RevisionRead:
    """What DVC read at one revision, in the shapes its own ``show`` functions return."""

    metrics: dict[str, Any]
    params: dict[str, Any]
    plots: dict[str, Any]
    data_index: Any
    data_keys: set


def _read_revision(repo: Any, rev: str) -> _RevisionRead:
    """Switch to ``rev`` once and read metrics, params, plots and the data index there, as
    ``Repo.metrics.show``, ``Repo.params.show``, ``Repo.plots.show`` and ``dvc diff`` do."""
    from dvc.repo.experiments.brancher import switch_repo
    from dvc.repo.index import build_data_index
    from dvc.repo.metrics.show import _gather_metrics
    from dvc.repo.params.show import _gather_params

    with switch_repo(repo, rev) as (switched, _):
        metrics = _gathered(_gather_metrics, switched, "metrics", rev)
        params = _gathered(_gather_params, switched, "params", rev)
        plots = _revision_plots(switched, rev)
        view = switched.index.targets_view(None)
        keys = set(view.data_keys.get("repo", set()))
        if rev == WORKSPACE:
            index = build_data_index(view, switched.root_dir, switched.fs, compute_hash=True)
        else:
            index = view.data["repo"]
    return _RevisionRead(metrics, params, plots, index, keys)


def _gathered(gather: Any, repo: Any, what: str, rev: str) -> dict[str, Any]:
    """One revision's ``Result`` as DVC's ``show`` builds it: a failure is the whole
    revision's error, logged as DVC logs it."""
    import logging

    try:
        return {"data": gather(repo, targets=[], stages=None, on_error="return")}
    except Exception as error:  # DVC's `show` turns any failure into the revision's error
        logging.getLogger(f"dvc.repo.{what}.show").warning(
            "failed to load %s in revision %r, %s", what, rev, str(error)
        )
        return {"error": error}


def _revision_plots(repo: Any, rev: str) -> dict[str, Any]:
    """One revision's part of ``Repo.plots.show``'s result, data files read (``Plots.collect``
    and ``Plots.show`` for one revision, on a repository already switched to it)."""
    from dvc.repo.plots import (
        _collect_definitions,
        _get_data_targets,
        _resolve_data_sources,
        onerror_collect,
    )

    result: dict[str, Any] = {}
    definitions = _collect_definitions(
        repo, targets=[], revision=rev, onerror=onerror_collect, props=None
    )
    if definitions:
        sources = repo.plots._collect_data_sources(
            repo, targets=_get_data_targets(definitions), recursive=False, props=None,
            onerror=onerror_collect,
        )  # fmt: skip
        result[rev] = {"definitions": definitions, "sources": sources}
    short_rev = getattr(repo.fs, "rev", None)
    _resolve_data_sources(result, short_rev[:7] if short_rev else WORKSPACE, cache=True)
    return result


def _report_plot_failures(data: dict[str, Any]) -> None:
    """DVC's one-line warning for revisions whose plots failed to load, as ``plots.show``."""
    from dvc.utils import errored_revisions

    errored = errored_revisions(data)
    if errored:
        from dvc.ui import ui

        ui.error_write(
            f"DVC failed to load some plots for following revisions: '{', '.join(errored)}'."
        )


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
    import dvc.api
    from dvc.exceptions import DvcException

    try:
        with (
            _dvc_environment(**_no_analytics()),
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
            with _quiet():
                repo.add(str(root / path))
        except Exception as error:  # DVC's errors: missing path, path already an output, ...
            raise DataError(
                f"could not track {path} with DVC: {describe_exception(error)}"
            ) from error


def init_dvc(root: Path | str, subdir: bool = False) -> None:
    """``dvc init`` in an existing repository (``--subdir`` when ``root`` is below git's root)."""
    from dvc.repo import Repo

    _route_dvc_logs()
    with _quiet(), _dvc_environment(**_no_analytics()):
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


def url_filesystem(url: str) -> tuple[Any, str]:
    """The filesystem DVC reads ``url`` with (``s3://``, ``gs://``, ``azure://``, ``http(s)://``,
    ``ssh://``, ...) and the path on it. The object has ``exists``, ``isdir``, ``find`` and
    ``open(path, "rb")``. An S3 endpoint (MinIO, moto) comes from ``AWS_ENDPOINT_URL``."""
    from dvc.fs import parse_external_url

    config: dict[str, Any] = {}
    if url.startswith("s3://") and os.environ.get("AWS_ENDPOINT_URL"):
        config["endpointurl"] = os.environ["AWS_ENDPOINT_URL"]
    try:
        with _dvc_environment(**_no_analytics()):
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


# --- Experiments (gitml sweep) ---------------------------------------------------------------
# Every sweep run is a real DVC experiment (`dvc exp show`, `dvc exp apply`, `dvc exp branch`).
# Parallel runs go through DVC's own queue (`dvc exp run --queue` + `dvc queue start -j N`):
# `--temp` runs share one stash, so they cannot safely run side by side.


def param_names(repo: Any) -> dict[str, set[str]]:
    """The dotted names of every param in the workspace's params files: file -> names."""
    from dvc.utils.flatten import flatten

    shown = repo.params.show()  # the workspace is keyed "" here
    names: dict[str, set[str]] = {}
    for file, entry in shown.get("", {}).get("data", {}).items():
        names[os.path.relpath(os.path.join(repo.root_dir, file), repo.root_dir)] = set(
            flatten(entry.get("data") or {})
        )
    return names


def _experiment_ref(repo: Any, name: str) -> str:
    """The git ref of experiment NAME on the current commit."""
    from dvc.repo.experiments.refs import ExpRefInfo

    return str(ExpRefInfo(baseline_sha=repo.scm.get_rev(), name=name))


def _experiment_rev(repo: Any, name: str) -> str | None:
    return repo.scm.get_ref(_experiment_ref(repo, name))


def _forget_experiment(repo: Any, name: str) -> None:
    """Drop an earlier experiment NAME on this commit, so the new run replaces it. Not
    ``--force``: DVC's force also reruns every stage, skipping the run-cache that lets a rerun
    restore a run it has already seen (pushed by a matrix job, or from the local cache)."""
    ref = _experiment_ref(repo, name)
    if repo.scm.get_ref(ref):
        repo.scm.remove_ref(ref)


def run_experiment(
    repo: Any, name: str, overrides: list[str], temp: bool, pull: bool = False
) -> str:
    """Run one experiment (``dvc exp run -S ... --name NAME``, replacing an earlier run of that
    name) and return its commit; in the workspace unless ``temp``. With ``pull``, a stage the
    remote's run-cache knows is restored from the remote instead of run (``--pull``). A failure
    is a gitml error."""
    from dvc.exceptions import DvcException

    try:
        with _dvc_environment(**_scripts_on_path()):
            _forget_experiment(repo, name)
            repo.experiments.run(params=overrides, name=name, tmp_dir=temp, pull=pull)
    except DvcException as error:
        raise _dvc_failure(error) from error
    rev = _experiment_rev(repo, name)
    if rev is None:
        raise PipelineError(f"experiment {name} left no result; see DVC's output above")
    return rev


def run_experiments_in_parallel(
    repo: Any, runs: dict[str, list[str]], jobs: int
) -> dict[str, str | Exception]:
    """Queue every run (name -> overrides) and run the queue on ``jobs`` DVC workers; returns
    name -> the experiment's commit, or the error that stopped it."""
    from dvc.exceptions import DvcException

    outcome: dict[str, str | Exception] = {}
    with _dvc_environment(**_scripts_on_path()):
        for name, overrides in runs.items():
            try:
                _forget_experiment(repo, name)
                repo.experiments.run(params=overrides, name=name, queue=True)
            except DvcException as error:
                outcome[name] = _dvc_failure(error)
        repo.experiments.reproduce_celery(jobs=jobs)
    for name in runs:
        if name in outcome:
            continue
        rev = _experiment_rev(repo, name)
        outcome[name] = rev if rev else PipelineError(_queue_failure(repo, name))
    return outcome


def _queue_failure(repo: Any, name: str) -> str:
    """The last meaningful line of a failed queued experiment's output."""
    try:
        queue = repo.experiments.celery_queue
        entry = next(done.entry for done in queue.iter_failed() if done.entry.name == name)
        log = queue.proc[entry.stash_rev].stdout
        text = Path(log).read_text(encoding="utf-8", errors="replace")
    except (StopIteration, KeyError, OSError, AttributeError, TypeError):
        return f"experiment {name} failed; see `dvc queue logs {name}`"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    failures = [line for line in lines if line.startswith("ERROR")] or lines
    return failures[-1] if failures else f"experiment {name} failed"


def apply_experiment(repo: Any, name: str) -> None:
    """``dvc exp apply NAME``: the experiment's params, code and outputs into the workspace."""
    from dvc.exceptions import DvcException

    try:
        repo.experiments.apply(name)
    except DvcException as error:
        raise PipelineError(
            f"could not apply experiment {name}: {describe_exception(error)}"
        ) from error


def set_params(root: Path | str, overrides: list[str]) -> None:
    """Write ``-S``-style overrides (``[file:]name=value``) into the params files, as
    ``dvc exp run -S`` does (comments and order kept)."""
    from dvc.exceptions import DvcException
    from dvc.utils.cli_parse import to_path_overrides
    from dvc.utils.hydra import apply_overrides

    try:
        for path, items in to_path_overrides(overrides).items():
            apply_overrides(Path(root) / path, items)
    except DvcException as error:
        raise ConfigError(f"could not set params: {describe_exception(error)}") from error


def has_experiment(root: Path | str, name: str) -> bool:
    """Whether an experiment called ``name`` exists on the current commit in this clone."""
    with open_repo(root) as repo:
        return _experiment_rev(repo, name) is not None


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


def pipeline_git_files(root: Path | str) -> list[str]:
    """What a reproduction writes that git holds, relative to the root: each ``dvc.yaml``'s
    ``dvc.lock`` and the stages' uncached outputs (metrics and plots committed to git)."""
    with open_repo(root) as repo:
        base = repo.root_dir
        files: list[str] = []
        for stage in repo.index.stages:
            if stage.is_data_source:
                continue
            files.append(_relative(os.path.splitext(stage.path)[0] + ".lock", base))
            files += [
                _relative(out.fs_path, base)
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


# -- the promote guard: does a commit's dvc.lock describe that commit? -------------------------


@dataclass(frozen=True)
class StaleStage:
    """A pipeline stage whose ``dvc.lock`` entry does not match the commit it is in: the stage
    ``dvc status`` would call changed there."""

    name: str
    #: what differs, in words: ``data changed``, ``params train.max_depth changed``, ...
    reasons: tuple[str, ...]


def stale_stages(root: Path | str, rev: str) -> list[StaleStage]:
    """The stages whose ``dvc.lock`` entry at ``rev`` does not match that commit's data, params,
    code and command; ``[]`` when the lock is current.

    Decided from what the commit holds, never from the workspace or its data: a dependency DVC
    tracks (a ``.dvc`` file's data, another stage's output) is compared by the hash the commit's
    ``.dvc`` files and ``dvc.lock`` name for it; a file inside a tracked folder by the folder's
    listing (a small ``.dir`` object, read from the cache, else the DVC remote); code and params
    by the committed files' content. An uncached output committed to git (metrics, plots) must
    be the one ``dvc.lock`` records. Frozen and always-changed stages are left out.
    """
    from dvc.exceptions import DvcException

    with open_repo(root) as repo:
        # the cache and remote as the workspace configures them (a remote's relative path is
        # relative to the clone's .dvc/, which a switched repository no longer knows)
        listings = _ListingSources(repo)
        try:
            with repo.switch(rev):
                stages = list(repo.index.stages)
                produced = {out.fs_path: out for stage in stages for out in stage.outs}
                found = [_staleness(repo, stage, produced, listings) for stage in stages]
        except DvcException as error:
            raise _definition_error(error) or ConfigError(
                f"could not read the pipeline at {rev[:12]}: {describe_exception(error)}"
            ) from error
    return [stale for stale in found if stale is not None]


class _ListingSources:
    """Where a tracked folder's listing (its ``.dir`` object) is read: the cache, then the
    default remote."""

    def __init__(self, repo: Any) -> None:
        from dvc.exceptions import DvcException

        self.cache = repo.cache.local
        try:
            self.remote = repo.cloud.get_remote_odb(command="promote")
        except DvcException:  # no remote configured
            self.remote = None
        self.remote_name = _remote_description(repo, None)

    def files(self, hash_info: Any, folder: str) -> dict[str, str]:
        """The folder's files (path inside it -> md5)."""
        from dvc_data.hashfile.tree import Tree

        for odb in (self.cache, self.remote):
            if odb is None:
                continue
            try:
                tree = Tree.load(odb, hash_info)
            except Exception:  # missing there (FileNotFoundError, the remote's own errors)
                continue
            return {"/".join(key): entry.value for key, _, entry in tree if entry}
        raise RemoteError(
            f"cannot check that dvc.lock is current: the listing of {folder} "
            f"({hash_info.value}) is in neither the DVC cache nor {self.remote_name}; pull it "
            "(`gitml run --pull`) or push it from the clone that made it (`gitml run --push`)"
        )


def _staleness(
    repo: Any, stage: Any, produced: dict[str, Any], listings: _ListingSources
) -> StaleStage | None:
    if stage.is_data_source or not stage.cmd or stage.frozen or stage.always_changed:
        return None
    from dvc.dependency import ParamsDependency

    files = [item for item in [*stage.deps, *stage.outs] if not isinstance(item, ParamsDependency)]
    if files and not any(item.hash_info for item in files):
        return StaleStage(stage.name, ("it is not in dvc.lock (never reproduced)",))
    reasons = ["its command changed"] if stage.cmd_changed else []
    for dep in stage.deps:
        reason = _dependency_change(repo, dep, produced, listings)
        if reason:
            reasons.append(reason)
    for out in stage.outs:
        if not out.hash_info:
            reasons.append(f"output {out} is not in dvc.lock")
        elif not out.use_cache and repo.fs.exists(out.fs_path) and out.changed_checksum():
            reasons.append(f"the committed {out} is not the one dvc.lock records")
    return StaleStage(stage.name, tuple(reasons)) if reasons else None


def _dependency_change(
    repo: Any, dep: Any, produced: dict[str, Any], listings: _ListingSources
) -> str | None:
    """Why ``dep`` at the switched revision differs from its ``dvc.lock`` entry; None if not."""
    from dvc.dependency import ParamsDependency

    if isinstance(dep, ParamsDependency):
        changed = dep.workspace_status().get(str(dep))
        if not changed:
            return None
        if isinstance(changed, dict):
            return f"params {', '.join(sorted(changed))} changed"
        return f"{dep} {changed}"
    if dep.protocol != "local" or not dep.is_in_repo:
        return None  # outside the repository: only a run can tell
    if not dep.hash_info:
        return f"{dep} is not in dvc.lock"
    current = _tracked_hash(dep.fs_path, produced, listings)
    if current is None:
        if not repo.fs.exists(dep.fs_path):
            return f"{dep} is in neither git nor DVC at this commit"
        current = dep.get_hash().value  # committed to git: the commit's own content
    return f"{dep} changed" if current != dep.hash_info.value else None


def _tracked_hash(path: str, produced: dict[str, Any], listings: _ListingSources) -> str | None:
    """The hash the commit's ``.dvc`` files and ``dvc.lock`` give ``path``: "" when DVC tracks
    it without a hash (an unreproduced output), None when DVC does not track it."""
    import posixpath

    if path in produced:
        return produced[path].hash_info.value or ""
    for folder, out in produced.items():
        if path.startswith(folder.rstrip("/") + "/") and out.hash_info.isdir:
            inside = posixpath.relpath(path, folder)
            return listings.files(out.hash_info, str(out)).get(inside, "")
    return None
