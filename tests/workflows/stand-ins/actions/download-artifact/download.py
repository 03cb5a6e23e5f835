"""download-artifact (v8) on the host (stand-in): a folder per run and artifact name.

Another run's artifact needs ``run-id`` and ``github-token``. With ``pattern`` (and no name),
every artifact of the run whose name matches goes into ``path/<name>/``, as the real action does
without ``merge-multiple``; none matching is not an error there either.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import sys
from pathlib import Path


def fail(message: str) -> None:
    print(f"::error::{message}")
    sys.exit(1)


def runs_store(run_id: str) -> Path:
    root = os.environ.get("STANDIN_ARTIFACTS")
    if not root:
        fail("the act harness must pass --env STANDIN_ARTIFACTS=<folder>")
    return Path(root) / run_id


def store(run_id: str) -> Path:
    return runs_store(run_id) / os.environ["ARTIFACT_NAME"]


def download_pattern(pattern: str) -> None:
    run_id = os.environ["GITHUB_RUN_ID"]
    folder = runs_store(run_id)
    names = (
        sorted(
            p.name for p in folder.iterdir() if p.is_dir() and fnmatch.fnmatchcase(p.name, pattern)
        )
        if folder.is_dir()
        else []
    )
    destination = Path(os.environ["GITHUB_WORKSPACE"]) / os.environ.get("ARTIFACT_PATH", "")
    for name in names:
        shutil.copytree(folder / name, destination / name, dirs_exist_ok=True)
    print(f"downloaded {len(names)} artifact(s) matching {pattern} of run {run_id}: {names}")
    with open(os.environ["GITHUB_OUTPUT"], "a") as output:
        output.write(f"download-path={destination}\n")


def download() -> None:
    if os.environ.get("ARTIFACT_PATTERN"):
        if os.environ.get("ARTIFACT_NAME") or os.environ.get("RUN_ID"):
            fail("the stand-in takes pattern alone (no name, no run-id)")
        download_pattern(os.environ["ARTIFACT_PATTERN"])
        return
    if not os.environ.get("ARTIFACT_NAME"):
        fail("the stand-in downloads one artifact by name or a pattern; all is not implemented")
    run_id = os.environ.get("RUN_ID") or os.environ["GITHUB_RUN_ID"]
    if os.environ.get("RUN_ID") and not os.environ.get("TOKEN"):
        fail("downloading another run's artifact needs github-token")
    source = store(run_id)
    if not source.is_dir():
        fail(f"Unable to download artifact(s): Artifact not found for name: {source.name}")
    workspace = Path(os.environ["GITHUB_WORKSPACE"])
    destination = workspace / os.environ.get("ARTIFACT_PATH", "")
    shutil.copytree(source, destination, dirs_exist_ok=True)
    print(f"downloaded {source.name} of run {run_id} to {destination}")
    with open(os.environ["GITHUB_OUTPUT"], "a") as output:
        output.write(f"download-path={destination}\n")


if __name__ == "__main__":
    download()
