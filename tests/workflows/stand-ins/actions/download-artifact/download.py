"""download-artifact (v8) on the host (stand-in): a folder per run and artifact name.

Another run's artifact needs ``run-id`` and ``github-token``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def fail(message: str) -> None:
    print(f"::error::{message}")
    sys.exit(1)


def store(run_id: str) -> Path:
    root = os.environ.get("STANDIN_ARTIFACTS")
    if not root:
        fail("the act harness must pass --env STANDIN_ARTIFACTS=<folder>")
    return Path(root) / run_id / os.environ["ARTIFACT_NAME"]


def download() -> None:
    if not os.environ.get("ARTIFACT_NAME"):
        fail("the stand-in downloads one artifact by name; downloading all is not implemented")
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
