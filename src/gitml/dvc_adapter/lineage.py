"""What a model was trained from, as a commit's ``dvc.lock`` and ``.dvc`` files record it.

The stage that outputs the model, the params it ran with (``dvc.lock`` keeps their values), and
every DVC-tracked input upstream of it, with the hash, size and file count DVC recorded: the
data's versions, read from git alone (no data is pulled). Code dependencies (files git tracks)
are not data and are left out. The files are data from a commit: parsed with ``safe_load`` and
checked field by field; anything malformed is skipped, never guessed.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gitml.core.git import run_git


@dataclass(frozen=True)
class TrackedInput:
    """A DVC-tracked file or directory, as the lock recorded it."""

    path: str
    md5: str | None
    size: int | None
    #: files in a tracked directory (None for a file)
    nfiles: int | None
    #: the stage that outputs it, or the ``.dvc`` file that tracks it
    source: str


@dataclass(frozen=True)
class Lineage:
    """The model's stage, its params and its data, at one commit."""

    model: TrackedInput | None = None
    stage: str | None = None
    #: ``file:dotted.name`` -> value of the params the model's stage ran with
    params: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[TrackedInput, ...] = ()


def _show(root: Path | str, rev: str, path: str) -> str | None:
    result = run_git(root, "show", f"{rev}:./{path}", check=False)
    return result.stdout if result.returncode == 0 else None


def _yaml(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _entry(raw: Any, source: str, base: str = "") -> TrackedInput | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
        return None
    md5, size, nfiles = raw.get("md5"), raw.get("size"), raw.get("nfiles")
    return TrackedInput(
        path=posixpath.normpath(posixpath.join(base, raw["path"])),
        md5=md5 if isinstance(md5, str) else None,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        nfiles=nfiles if isinstance(nfiles, int) and not isinstance(nfiles, bool) else None,
        source=source,
    )


def _stages(lock: dict[str, Any]) -> dict[str, dict[str, Any]]:
    stages = lock.get("stages")
    if not isinstance(stages, dict):
        return {}
    return {str(name): stage for name, stage in stages.items() if isinstance(stage, dict)}


def _listed(stage: dict[str, Any], key: str, source: str) -> list[TrackedInput]:
    items = stage.get(key)
    return (
        [e for e in (_entry(raw, source) for raw in items or []) if e]
        if isinstance(items, list)
        else []
    )


def _dvc_files(root: Path | str, rev: str) -> dict[str, TrackedInput]:
    """Outputs of the ``.dvc`` files at ``rev``, by path."""
    listed = run_git(root, "ls-tree", "-r", "--name-only", rev, "--", ".", check=False).stdout
    tracked: dict[str, TrackedInput] = {}
    for name in listed.splitlines():
        if not name.endswith(".dvc"):
            continue
        outs = _yaml(_show(root, rev, name)).get("outs")
        base = posixpath.dirname(name)
        for raw in outs if isinstance(outs, list) else []:
            entry = _entry(raw, name, base)
            if entry:
                tracked[entry.path] = entry
    return tracked


def _flat(prefix: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, inner in value.items():
            found.update(_flat(f"{prefix}.{key}" if prefix else str(key), inner))
        return found
    return {prefix: value}


def _params(stage: dict[str, Any]) -> dict[str, Any]:
    params = stage.get("params")
    if not isinstance(params, dict):
        return {}
    return {
        f"{file}:{name}": value
        for file, values in params.items()
        for name, value in _flat("", values).items()
    }


def _owner(path: str, owners: dict[str, Any]) -> Any | None:
    """What ``owners`` holds for ``path`` or for the tracked directory it is inside."""
    for owned, value in owners.items():
        if path == owned or path.startswith(owned.rstrip("/") + "/"):
            return value
    return None


def model_lineage(root: Path | str, model_path: str, rev: str) -> Lineage:
    """The lineage of the output ``model_path`` at ``rev`` (empty when DVC recorded none).

    Each input is the dependency as the stage that read it recorded it (a file inside a tracked
    directory has its own hash), with the stage or ``.dvc`` file that produced it."""
    stages = _stages(_yaml(_show(root, rev, "dvc.lock")))
    producers = {
        out.path: name for name, stage in stages.items() for out in _listed(stage, "outs", name)
    }
    tracked = _dvc_files(root, rev)
    wanted = posixpath.normpath(model_path)
    stage_name = producers.get(wanted)
    if stage_name is None:
        return Lineage(model=tracked.get(wanted))
    model = next(o for o in _listed(stages[stage_name], "outs", stage_name) if o.path == wanted)
    inputs: list[TrackedInput] = []
    queue, seen = [stage_name], {stage_name}
    while queue:
        for dep in _listed(stages[queue.pop(0)], "deps", ""):
            upstream: str | None = _owner(dep.path, producers)
            dvc_file: TrackedInput | None = _owner(dep.path, tracked)
            if upstream is not None:
                source = upstream
            elif dvc_file is not None:
                source = dvc_file.source
            else:
                continue  # code, tracked by git
            inputs.append(TrackedInput(dep.path, dep.md5, dep.size, dep.nfiles, source))
            if upstream is not None and upstream not in seen:
                seen.add(upstream)
                queue.append(upstream)
    unique = tuple({entry.path: entry for entry in inputs}.values())
    return Lineage(model, stage_name, _params(stages[stage_name]), unique)
