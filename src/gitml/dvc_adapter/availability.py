"""Why DVC could not read a file at a revision, in gitml's words, and what to do about it.

DVC says "failed to load directory ('results', 'train')" or "No storage files available" for an
output that is in neither the workspace nor the cache and could not be fetched, whatever the
reason. The reason decides what a user does: pull it, give the runner the remote's credentials,
or push it from the machine that made it. So for each such file the output holding it is found,
and the remote it needs is probed once: can it be reached, and does it hold the output?
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from gitml.dvc_adapter.repository import WORKSPACE, DvcRepo
from gitml.errors import describe_exception


@dataclass(frozen=True)
class Unavailable:
    """Why a file could not be read, and what to do (``hint``); the remote it needed by name."""

    hint: str
    remote: str | None = None


UNREACHABLE_FIX = (
    "give this run access to it (its credentials; a pull request from a fork gets none), "
    "or make the report where the remote can be read"
)
NEVER_PUSHED_FIX = "push it from the machine that ran the stage (`dvc push`, or `gitml run --push`)"
PULL_FIX = "pull it first: `gitml run --pull` (or `dvc pull`)"


def remote_problem(repo: DvcRepo, remote: str | None) -> str | None:
    """Why the remote cannot be read (network, credentials, a missing folder), None when it can.

    fsspec's HTTP filesystem turns a refused connection into ``FileNotFoundError``: the real
    error is its cause. A plain "not found" from a reachable server is not a problem (many HTTP
    remotes answer 404 for their root).
    """
    import logging

    # an HTTP remote's client, left to the garbage collector, warns "was not closed" on stderr
    logging.getLogger("aiohttp_retry").setLevel(logging.ERROR)
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


def _relative(repo: DvcRepo, path: str) -> str:
    """An output's path relative to the project's root, with ``/`` (as dvc.yaml spells it)."""
    relative = os.path.relpath(path, repo.root_dir) if os.path.isabs(path) else path
    return relative.replace(os.sep, "/")


def output_of(repo: DvcRepo, path: str) -> Any | None:
    """The DVC output that is ``path`` or a directory holding it, at the repository's revision."""
    wanted = path.strip("/")
    for out in repo.index.outs:
        own = _relative(repo, out.fs_path).strip("/")
        if wanted == own or wanted.startswith(own + "/"):
            return out
    return None


class Explainer:
    """Explains unreadable files at one revision (the repository switched to it), probing each
    remote once."""

    def __init__(self, repo: DvcRepo, rev: str):
        self.repo, self.rev = repo, rev
        self._probed: dict[str | None, str | None] = {}

    def _remote(self, out: Any) -> tuple[str | None, str]:
        """The remote an output needs: its own ``remote:``, else the default; and its URL."""
        name = out.remote or self.repo.config["core"].get("remote")
        try:
            url = self.repo.config["remote"][name]["url"] if name else ""
        except (KeyError, TypeError):
            url = ""
        return name, url

    def _problem(self, name: str | None) -> str | None:
        if name not in self._probed:
            self._probed[name] = remote_problem(self.repo, name)
        return self._probed[name]

    def _has(self, name: str | None, out: Any) -> bool | None:
        """Whether the remote holds the output's object (None when it cannot be asked)."""
        oid = out.hash_info.value if out.hash_info else None
        if not oid:
            return None
        try:
            return bool(self.repo.cloud.get_remote_odb(name, hash_name=out.hash_name).exists(oid))
        except Exception:  # a remote that answers nothing useful: say no more than DVC
            return None

    def explain(self, path: str) -> Unavailable | None:
        """Why ``path`` could not be read here, or None when it is no DVC output (DVC's own
        message is then all there is to say)."""
        out = output_of(self.repo, path)
        if out is None:
            return None
        own = _relative(self.repo, out.fs_path)
        absent = self.rev == WORKSPACE and not os.path.lexists(
            os.path.join(self.repo.root_dir, own)
        )
        where = f"`{own}` is not in the workspace (not pulled) nor" if absent else f"`{own}` is not"
        name, url = self._remote(out)
        if name is None:
            return Unavailable(
                f"{where} in this clone's DVC cache, and no DVC remote is configured: add one "
                "(`dvc remote add -d NAME URL`) and push it from the machine that ran the stage"
            )
        remote = f"remote '{name}'" + (f" ({url})" if url else "")
        problem = self._problem(name)
        if problem is not None:
            return Unavailable(
                f"{where} in this clone's DVC cache, and {remote} cannot be reached ({problem}): "
                f"{UNREACHABLE_FIX}",
                name,
            )
        if self._has(name, out) is False:
            return Unavailable(
                f"{where} in this clone's DVC cache, and {remote} does not have it (never "
                f"pushed): {NEVER_PUSHED_FIX}",
                name,
            )
        if absent:
            return Unavailable(f"`{own}` is not in the workspace (not pulled): {PULL_FIX}", name)
        return None
