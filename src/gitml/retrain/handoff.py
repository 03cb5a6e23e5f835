"""The hand-off between the two halves of ``gitml retrain``: what the half that trained made,
as data, for the half that pushes and opens the pull request.

The folder (an artifact between two jobs) holds::

    retrain.json   what was prepared: {"format": "gitml-retrain/1", "model", "base",
                   "base_sha", "branch", "start" (the branch's tip it builds on, or null),
                   "commit" (or null: nothing new), "dataset", "dvc_file", "reproduced",
                   "stages": [{"name", "status", "seconds"}], "data_pushed", "committed": [paths],
                   "appended": {"added", "duplicates", "repeated", "rows_before"} or null,
                   "sources": [[file name, rows]], "nothing" (why there is nothing to do, or null)}
    commit.bundle  the new commit as a git bundle (with "commit" only)
    summary.md     the monitoring summary for the pull request's body (optional)

It was written where the pipeline ran, so the publishing half reads it as untrusted data, as
``github/artifact.py`` reads a fork's report: regular files directly inside the folder, each
under a size bound, UTF-8, ``retrain.json`` in its exact shape (known keys, types, SHA and
branch patterns); then ``publish.py`` checks the commit itself against the default branch.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gitml.core.model import StageState
from gitml.errors import UsageError
from gitml.github.artifact import read_inside

FORMAT = "gitml-retrain/1"
MANIFEST, BUNDLE, SUMMARY = "retrain.json", "commit.bundle", "summary.md"
MAX_MANIFEST = 256 * 1024
MAX_SUMMARY = 256 * 1024
#: the commit's own objects: the .dvc file, dvc.lock, metrics and plots
MAX_BUNDLE = 64 * 1024 * 1024
SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
APPENDED_KEYS = ("added", "duplicates", "repeated", "rows_before")
STAGE_STATES = frozenset(state.value for state in StageState)


@dataclass(frozen=True)
class Prepared:
    """What the half that trained made (``retrain.json``)."""

    model: str
    base: str
    #: None only when there was nothing to do before a branch was chosen
    base_sha: str | None
    branch: str | None
    start: str | None
    commit: str | None
    dataset: str
    dvc_file: str | None
    reproduced: bool
    stages: tuple[tuple[str, str, float], ...]
    data_pushed: int
    committed: tuple[str, ...]
    appended: tuple[int, int, int, int] | None
    sources: tuple[tuple[str, int], ...]
    nothing: str | None


def write(folder: Path, prepared: Prepared, summary: str | None, bundle: bytes | None) -> None:
    """Write the hand-off folder (created if missing; files of an earlier run replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (BUNDLE, SUMMARY):
        (folder / name).unlink(missing_ok=True)
    data = asdict(prepared)
    data["appended"] = (
        dict(zip(APPENDED_KEYS, prepared.appended, strict=True)) if (prepared.appended) else None
    )
    data["stages"] = [{"name": n, "status": s, "seconds": t} for n, s, t in prepared.stages]
    (folder / MANIFEST).write_text(
        json.dumps({"format": FORMAT, **data}, indent=2) + "\n", encoding="utf-8"
    )
    if summary is not None:
        (folder / SUMMARY).write_text(summary, encoding="utf-8")
    if bundle is not None:
        (folder / BUNDLE).write_bytes(bundle)


@dataclass(frozen=True)
class HandOff:
    prepared: Prepared
    summary: str | None
    #: the bundle's path, checked to be a regular file inside the folder under its bound
    bundle: Path | None


def read(folder: Path) -> HandOff:
    """Read the folder strictly; anything unexpected is a ``UsageError`` naming it."""
    folder = Path.cwd() / folder
    if folder.is_symlink() or not folder.is_dir():
        raise UsageError(f"{folder} is not a folder that gitml retrain --prepare wrote")
    prepared = parse(read_inside(folder, folder / MANIFEST, MAX_MANIFEST), folder / MANIFEST)
    summary = None
    if os.path.lexists(folder / SUMMARY):
        summary = read_inside(folder, folder / SUMMARY, MAX_SUMMARY)
    bundle = None
    if prepared.commit is not None:
        bundle = folder / BUNDLE
        _check_regular(folder, bundle, MAX_BUNDLE)
    return HandOff(prepared, summary, bundle)


def _check_regular(folder: Path, path: Path, limit: int) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise UsageError(
            f"refusing to read {path} ({error.strerror}); the hand-off is regular files directly "
            f"inside {folder}"
        ) from None
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    if not os.path.isfile(path) or info.st_size > limit:
        raise UsageError(
            f"refusing to read {path}: not a regular file of at most {limit:,} bytes inside {folder}"
        )


def parse(text: str, path: Path) -> Prepared:
    """Validate ``retrain.json``'s text field by field."""

    def bad(what: str) -> UsageError:
        return UsageError(f"{path} is not a gitml retrain hand-off ({what}); refusing to use it")

    try:
        data = json.loads(text)
    except ValueError as error:
        raise bad(f"not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad(f'"format" is not "{FORMAT}"')
    fields = set(Prepared.__dataclass_fields__)
    if set(data) != fields | {"format"}:
        raise bad(f"keys differ: {', '.join(sorted(set(data) ^ (fields | {'format'})))}")
    checks = {
        "model": lambda v: isinstance(v, str) and NAME_RE.fullmatch(v),
        "base": lambda v: _text(v),
        "base_sha": lambda v: v is None or (isinstance(v, str) and SHA_RE.fullmatch(v)),
        "branch": lambda v: v is None or _text(v),
        "start": lambda v: v is None or (isinstance(v, str) and SHA_RE.fullmatch(v)),
        "commit": lambda v: v is None or (isinstance(v, str) and SHA_RE.fullmatch(v)),
        "dataset": lambda v: isinstance(v, str) and len(v) < 1024,
        "dvc_file": lambda v: v is None or (_text(v) and v.endswith(".dvc")),
        "reproduced": lambda v: isinstance(v, bool),
        "data_pushed": _count,
        "nothing": lambda v: v is None or (isinstance(v, str) and len(v) < 4096),
    }
    for key, check in checks.items():
        if not check(data[key]):
            raise bad(f'"{key}" is not what it must be')
    if data["commit"] is not None and None in (data["base_sha"], data["branch"], data["dvc_file"]):
        raise bad('a "commit" without "base_sha", "branch" and "dvc_file"')
    return Prepared(
        **{key: data[key] for key in checks},
        stages=_stages(data["stages"], bad),
        committed=_paths(data["committed"], bad),
        appended=_appended(data["appended"], bad),
        sources=_sources(data["sources"], bad),
    )


def _text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) < 256 and value.isprintable()


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


def _stages(value: Any, bad) -> tuple[tuple[str, str, float], ...]:
    if not isinstance(value, list) or len(value) > 1000:
        raise bad('"stages" is not a list')
    found = []
    for item in value:
        if not (isinstance(item, dict) and set(item) == {"name", "status", "seconds"}):
            raise bad('"stages" holds something other than {"name", "status", "seconds"}')
        seconds = item["seconds"]
        if not (_text(item["name"]) and item["status"] in STAGE_STATES):
            raise bad('"stages" holds a name that is not short text or an unknown status')
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise bad('"stages" holds seconds that are not a number')
        if not 0 <= seconds < 1e9:
            raise bad('"stages" holds seconds out of range')
        found.append((item["name"], item["status"], float(seconds)))
    return tuple(found)


def _paths(value: Any, bad) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > 1000 or not all(_text(v) for v in value):
        raise bad('"committed" is not a list of paths')
    return tuple(value)


def _appended(value: Any, bad) -> tuple[int, int, int, int] | None:
    if value is None:
        return None
    if not (isinstance(value, dict) and set(value) == set(APPENDED_KEYS)):
        raise bad(f'"appended" does not have exactly {", ".join(APPENDED_KEYS)}')
    if not all(_count(value[key]) for key in APPENDED_KEYS):
        raise bad('"appended" holds something other than counts')
    added, duplicates, repeated, before = (value[key] for key in APPENDED_KEYS)
    return added, duplicates, repeated, before


def _sources(value: Any, bad) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, list) or len(value) > 1000:
        raise bad('"sources" is not a list')
    found = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and _text(item[0]) and _count(item[1])):
            raise bad('"sources" holds something other than [file name, rows]')
        found.append((item[0], item[1]))
    return tuple(found)
