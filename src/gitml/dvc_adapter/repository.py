"""Opening a DVC project: DVC's logs and environment while it works, the working directory, the
repository object's type, and revisions."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from gitml.errors import (
    ConfigError,
    UsageError,
    describe_exception,
)

WORKSPACE = "workspace"


class DvcRepo(Protocol):
    """What gitml uses of DVC's ``dvc.repo.Repo``, the object :func:`open_repo` yields.

    DVC ships no type information (no ``py.typed``), so this Protocol is the typed edge: callers
    outside the adapter hold a ``DvcRepo`` and hand it back; the members are the ones the adapter
    reads. DVC's own sub-objects (the SCM, the index, the config) stay DVC's, typed ``Any``.
    """

    root_dir: str
    scm: Any
    fs: Any
    config: Any
    index: Any
    cache: Any
    cloud: Any
    stage_cache: Any
    metrics: Any
    params: Any
    plots: Any
    artifacts: Any
    experiments: Any
    #: DVC's switch for the pipeline graph checks (set while a report reads, see ``compare``)
    _skip_graph_checks: bool

    def pull(self, *args: Any, **kwargs: Any) -> Any: ...
    def push(self, *args: Any, **kwargs: Any) -> Any: ...
    def add(self, *args: Any, **kwargs: Any) -> Any: ...
    def reproduce(self, *args: Any, **kwargs: Any) -> Any: ...
    def brancher(self, *args: Any, **kwargs: Any) -> Iterator[str]: ...
    def switch(self, rev: str) -> AbstractContextManager[Any]: ...
    def close(self) -> None: ...


class _CurrentStderr:
    """Whatever ``sys.stderr`` is at the time of writing (tests and tools swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def route_dvc_logs() -> None:
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
def dvc_environment(defaults: Mapping[str, str]) -> Iterator[None]:
    """Variables DVC's child processes need (``DVC_NO_ANALYTICS``, a ``PATH`` with this
    interpreter's scripts) for the duration of a DVC call, then the process's own back. (It hides
    nothing: a token must never be in the process that runs stages, see ``retrain/prepare.py``.)

    DVC gives the processes it starts (the stages' commands, the queue's workers) ``os.environ``
    and takes no environment of its own, so this is the one place gitml sets variables, and it
    sets them only while DVC works: a caller's environment is the same afterwards.
    """
    saved = {name: os.environ.get(name) for name in defaults}
    os.environ.update(defaults)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def no_analytics() -> dict[str, str]:
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
def open_repo(root: Path | str = ".") -> Iterator[DvcRepo]:
    """Open the DVC project at ``root``, working from ``root`` while it is open (see
    :func:`_working_directory`); a folder that is not one is a clear ``ConfigError``."""
    from dvc.exceptions import NotDvcRepoError
    from dvc.repo import Repo

    route_dvc_logs()
    root = os.path.abspath(root)
    with _working_directory(root), dvc_environment(no_analytics()):
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


@contextmanager
def quiet() -> Iterator[None]:
    """Silence DVC's advice ("You can now commit...", "To track the changes with git...")."""
    import logging

    logger = logging.getLogger("dvc")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def check_revision(repo: DvcRepo, rev: str) -> str:
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
