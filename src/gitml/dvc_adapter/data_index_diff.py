"""DVC-tracked files and directories changed between two revisions, as ``dvc diff`` lists them."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from gitml.core.model import DataChange, DataChangeKind
from gitml.dvc_adapter.repository import WORKSPACE, DvcRepo


def _data_indexes(repo: DvcRepo, base: str, head: str) -> tuple[dict[str, Any], set, set]:
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


def _entry_change(kind: DataChangeKind, change: Any) -> DataChange:
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
            top = (
                change
                if parts == output
                else DataChange("/".join(output), DataChangeKind.DELETED, None, None)
            )
            result.append(
                replace(top, change=DataChangeKind.NOT_PULLED, head_size=None, head_files=None)
            )
    return result


def data_diff(repo: DvcRepo, base: str, head: str) -> list[DataChange]:
    """DVC-tracked files and directories added, modified, deleted or renamed, as ``dvc diff``
    lists them, with sizes (and a directory's file count) at each side where DVC knows them.

    With the workspace as head, an output that is declared but absent is "not pulled".
    """
    indexes, data_keys, workspace_keys = _data_indexes(repo, base, head)
    if len(indexes) < 2:  # both revisions are the same commit
        return []
    return data_changes(repo.root_dir, indexes[base], indexes[head], data_keys, workspace_keys)


def data_changes(
    root: str, old: Any, new: Any, data_keys: set, workspace_keys: set | None
) -> list[DataChange]:
    """``data_diff``'s rows from two data indexes; ``workspace_keys`` when head is the workspace."""
    from dvc_data.index.diff import ADD, DELETE, MODIFY, RENAME
    from dvc_data.index.diff import diff as index_diff

    kinds = {
        ADD: DataChangeKind.ADDED,
        DELETE: DataChangeKind.DELETED,
        MODIFY: DataChangeKind.MODIFIED,
        RENAME: DataChangeKind.RENAMED,
    }
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
