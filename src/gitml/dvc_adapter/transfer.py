"""Pull and push: data, models and the run-cache to and from the DVC remote."""

from __future__ import annotations

from pathlib import Path

from gitml.dvc_adapter.failures import definition_error, remote_description
from gitml.dvc_adapter.repository import DvcRepo, open_repo, quiet
from gitml.errors import (
    RemoteError,
    describe_exception,
)


def pull(repo: DvcRepo, remote: str | None = None) -> int:
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
        broken = definition_error(error)  # DVC reads dvc.yaml to know what to pull
        if broken is not None:
            raise broken from error
        raise RemoteError(
            f"could not pull from {remote_description(repo, remote)}: "
            f"{describe_exception(error)}; check that it is reachable and its credentials are set"
        ) from error
    unreachable = _remote_problem(repo, remote) if missing is not None else None
    if missing is not None and unreachable is not None:
        raise RemoteError(
            f"could not pull from {remote_description(repo, remote)}: {unreachable} "
            f"({len(missing.target_infos)} output(s) missing); check the URL, the network and "
            "the remote's credentials, then rerun `gitml run --pull`"
        ) from missing
    stats = result.get("stats", {}) if isinstance(result, dict) else {}
    return int(stats.get("fetched", 0))


def _remote_problem(repo: DvcRepo, remote: str | None) -> str | None:
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


def push(repo: DvcRepo, remote: str | None = None) -> int:
    """Upload data, models and the run-cache; returns the number of files pushed."""
    try:
        pushed = repo.push(remote=remote, run_cache=True)
    except Exception as error:  # DVC's errors, and the filesystems' own (credentials, network)
        broken = definition_error(error)
        if broken is not None:
            raise broken from error
        raise RemoteError(
            f"could not push to {remote_description(repo, remote)}: "
            f"{describe_exception(error)}; check that it is writable and its credentials are set"
        ) from error
    return int(pushed or 0)


def checkout_data(root: Path | str, dvc_file: str, remote: str | None = None) -> None:
    """``dvc pull DVC_FILE``: its data from the cache, fetched from the remote when missing."""
    with open_repo(root) as repo:
        try:
            with quiet():
                repo.pull(targets=[str(Path(repo.root_dir) / dvc_file)], remote=remote)
        except Exception as error:  # DVC's errors, and the filesystems' own
            raise RemoteError(
                f"could not fetch the data of {dvc_file} from "
                f"{remote_description(repo, remote)}: {describe_exception(error)}; "
                "check that it is reachable and holds that version (`dvc push` it)"
            ) from error


def push_data(root: Path | str, dvc_file: str, remote: str | None = None) -> int:
    """``dvc push DVC_FILE``: the data version it names reaches the remote; files pushed."""
    with open_repo(root) as repo:
        try:
            pushed = repo.push(targets=[str(Path(repo.root_dir) / dvc_file)], remote=remote)
        except Exception as error:  # DVC's errors, and the filesystems' own
            raise RemoteError(
                f"could not push {dvc_file}'s data to {remote_description(repo, remote)}: "
                f"{describe_exception(error)}; check that it is writable and its credentials "
                "are set"
            ) from error
    return int(pushed or 0)
