"""The promote guard: does a commit's ``dvc.lock`` describe that commit?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitml.dvc_adapter.failures import definition_error, remote_description
from gitml.dvc_adapter.repository import DvcRepo, open_repo
from gitml.errors import (
    ConfigError,
    RemoteError,
    describe_exception,
)


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
            raise definition_error(error) or ConfigError(
                f"could not read the pipeline at {rev[:12]}: {describe_exception(error)}"
            ) from error
    return [stale for stale in found if stale is not None]


class _ListingSources:
    """Where a tracked folder's listing (its ``.dir`` object) is read: the cache, then the
    default remote."""

    def __init__(self, repo: DvcRepo) -> None:
        from dvc.exceptions import DvcException

        self.cache = repo.cache.local
        try:
            self.remote = repo.cloud.get_remote_odb(command="promote")
        except DvcException:  # no remote configured
            self.remote = None
        self.remote_name = remote_description(repo, None)

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
    repo: DvcRepo, stage: Any, produced: dict[str, Any], listings: _ListingSources
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
    repo: DvcRepo, dep: Any, produced: dict[str, Any], listings: _ListingSources
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
